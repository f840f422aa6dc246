"""What triage does when a referral arrives (referrals.signals.referral_received, connected in
triage's ready()): start its clocks, route it out of hours if it indicates significant harm, and put
a domestic abuse notification on the next triage meeting's agenda where the policy says so."""

from __future__ import annotations

from typing import Any

from mash.actor import Actor
from referrals.models import Referral

from .deadlines import deadline_start, serious_concerns_clock_start
from .decisions import indicates_significant_harm, referral_route_out_of_hours
from .domestic_abuse.actions import agenda_add_on_receipt
from .models import Deadline, PolicyVersion


def on_referral_received(
    sender: Any, *, referral: Referral, policy: PolicyVersion, by: Actor, **kwargs
) -> None:
    _start_clocks(referral, policy=policy, by=by)
    # Out of hours, a referral indicating significant harm goes to the emergency duty team now;
    # the rest wait for the next working day (idempotent, inside the intake transaction).
    referral_route_out_of_hours(referral, by=by)
    # A notification of a grade the council's triage meetings discuss goes on the next one's agenda.
    agenda_add_on_receipt(referral, policy=policy, by=by)


def _start_clocks(referral: Referral, *, policy: PolicyVersion, by: Actor) -> None:
    """Start the threshold decision clock (and, for a domestic abuse notification, its screening clock)
    in the intake transaction, so a referral never exists without its deadline. A policy that sets no
    timescale for a clock starts none (the council has chosen not to time it). A referral that says
    significant harm at intake also gets the serious-concerns decision clock (Durham 001: "no more
    than four hours where there are serious concerns"), from receipt, before anyone has rated it."""
    if policy.decision_deadline:
        deadline_start(referral, Deadline.Kind.DECISION, policy=policy, start=referral.received_at, by=by)
    if indicates_significant_harm(referral):
        serious_concerns_clock_start(referral, policy=policy, by=by)
    if referral.domestic_abuse_risk and (policy.domestic_abuse_timescales or {}).get(
        referral.domestic_abuse_risk
    ):
        deadline_start(
            referral, Deadline.Kind.DOMESTIC_ABUSE_SCREENING, policy=policy, start=referral.received_at, by=by
        )
