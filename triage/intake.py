"""What triage does when a referral arrives (referrals.signals.referral_received, connected in
triage's ready()): start its clocks, route it out of hours if it indicates significant harm, and put
a domestic abuse notification on the next triage meeting's agenda where the policy says so.

All of it under the policy the intake read, in a fixed number of statements whatever the referral
holds: the clocks in one INSERT, the audit rows of the clocks and the EDT flag in one more.
"""

from __future__ import annotations

from typing import Any

from mash import audit
from mash.actor import Actor
from referrals.models import Referral

from .deadlines import SERIOUS_CONCERNS, receipt_clocks_start
from .decisions import edt_flag_on_receipt, indicates_significant_harm
from .domestic_abuse.actions import agenda_add_on_receipt
from .models import Deadline, PolicyVersion


def on_referral_received(
    sender: Any, *, referral: Referral, policy: PolicyVersion, by: Actor, **kwargs
) -> None:
    events = receipt_clocks_start(referral, _receipt_clocks(referral, policy), policy=policy, by=by)
    # Out of hours, a referral indicating significant harm goes to the emergency duty team now;
    # the rest wait for the next working day.
    events += edt_flag_on_receipt(referral, policy=policy, by=by)
    audit.record_many(events)
    # A notification of a grade the council's triage meetings discuss goes on the next one's agenda.
    agenda_add_on_receipt(referral, policy=policy, by=by)


def _receipt_clocks(referral: Referral, policy: PolicyVersion) -> list[tuple[str, str, dict]]:
    """The clocks a new referral starts, as (kind, subject, timescale), in the intake transaction, so a
    referral never exists without its deadline: the threshold decision (and, for a domestic abuse
    notification, its screening clock). A policy that sets no timescale for a clock starts none (the
    council has chosen not to time it). A referral that says significant harm at intake also gets
    the serious-concerns decision clock (Durham 001: "no more than four hours where there are
    serious concerns"), from receipt, before anyone has rated it."""
    clocks = []
    if policy.decision_deadline:
        clocks.append((Deadline.Kind.DECISION, "", policy.decision_deadline))
    if indicates_significant_harm(referral) and policy.serious_concerns_decision:
        clocks.append((Deadline.Kind.DECISION, SERIOUS_CONCERNS, policy.serious_concerns_decision))
    screening = (policy.domestic_abuse_timescales or {}).get(referral.domestic_abuse_risk)
    if referral.domestic_abuse_risk and screening:
        clocks.append((Deadline.Kind.DOMESTIC_ABUSE_SCREENING, "", screening))
    return clocks
