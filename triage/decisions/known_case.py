"""Routing a referral to a known case: a child confirmed as an index record with an open case, or one
closed within the policy's recall window, goes straight to that case's team and allocated worker.

The person index asks for it when a match is confirmed (``referrals.person_index.actions
.route_to_known_case``, supplied in triage's ready()), inside the confirming transaction.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.outbox.delivery import outbox_enqueue
from referrals.models import Referral
from referrals.person_index import selectors
from referrals.person_index.actions import RoutingResult
from referrals.person_index.models import Involvement, Person
from referrals.states import Status, can_transition

from ..actions import referral_assign, referral_lock, referral_transition
from ..models import PolicyVersion
from ..policy import current_policy


def referral_route_to_known_case(referral: Referral, person: Person, *, by: Actor) -> RoutingResult:
    """Route the referral to the team of ``person``'s open case, or of a case closed within the
    policy's recall window, when the referral can still move to ROUTED_TO_KNOWN_CASE. Sets the team,
    moves the status through ``triage.actions.referral_transition`` (which writes the history row),
    and e-mails the allocated worker through the outbox. Must run inside a transaction."""
    policy = current_policy()
    recall_days = policy.recall_window_days
    involvement = selectors.routable_involvement(
        person, today=recall_counted_to(policy, referral), recall_window_days=recall_days
    )
    if involvement is None:
        return RoutingResult(False, note="No open case, and none closed within the recall window.")
    referral = referral_lock(referral)
    if not can_transition(referral.status, Status.ROUTED_TO_KNOWN_CASE):
        return RoutingResult(
            False, involvement, note=f"The referral is {referral.get_status_display().lower()}."
        )
    state = "open" if involvement.is_open else f"closed on {involvement.closed_on:%d/%m/%Y}"
    why = (
        f"Known child: {involvement.get_kind_display().lower()} case {state} with {involvement.team} "
        f"(recall window {recall_days} days)"
    )
    _transition(referral, involvement, by=by, reason=why)
    _tell_worker(referral, involvement, why)
    audit.record_write(
        "person_index.route_to_known_case",
        actor=by,
        obj=referral,
        reason=why,
        details={"team": involvement.team_id, "involvement": involvement.pk},
    )
    return RoutingResult(True, involvement, note=why)


def recall_counted_to(policy: PolicyVersion, referral: Referral) -> date:
    """The day the recall window is counted back from: the referral's receipt, or the day of the
    check (``PolicyVersion.recall_window_counts_to``), so a check made days later can be told apart."""
    if policy.recall_window_counts_to == "check":
        return timezone.localdate()
    return timezone.localdate(referral.received_at)


def _transition(referral: Referral, involvement: Involvement, *, by: Actor, reason: str) -> None:
    referral_assign(referral, team=involvement.team, by=by, reason=reason)
    referral_transition(referral, to=Status.ROUTED_TO_KNOWN_CASE, by=by, reason=reason)


def _tell_worker(referral: Referral, involvement: Involvement, why: str) -> None:
    to = (
        involvement.worker.email
        if involvement.worker and involvement.worker.email
        else involvement.worker_email
    )
    to = to or involvement.team.email
    if not to:
        return
    outbox_enqueue(
        "email",
        key=f"known-case:{referral.pk}:{involvement.pk}",
        referral=referral,
        payload={
            "to": to,
            "subject": f"New referral {referral.reference} about a child on your caseload",
            "body": (
                f"Referral {referral.reference} is about a child known to {involvement.team}.\n{why}.\n"
                "It has been routed to your team's queue: please sign in to the MASH service to read it."
            ),
        },
    )
