"""After early help steps a referral back up to the MASH (002: "stepped back up to the MASH to
reassess the threshold"): when that happened, and which children the MASH has decided again since.

Reads only, so the permission table, the selectors and the threshold decision can all ask the same
question. Every child keeps their earlier decision as the current one until the new decision
supersedes it (a new version; the old one is kept).
"""

from __future__ import annotations

from datetime import datetime

from referrals.models import Referral
from referrals.states import Status

from .models import StatusChange
from .models_decisions import ChildDecision

# The statuses early help holds a Green referral in (``triage.permissions.EARLY_HELP_STATUSES``),
# from which a step-up comes back to screening.
STEPPED_UP_FROM = frozenset({Status.DECIDED, Status.OUTCOME, Status.ALLOCATED})
# How the step-up's history row gives its reason (``triage.decisions.referral_step_up`` writes it).
STEP_UP_REASON = "Stepped up to the MASH: "


def step_up_reason(change: StatusChange) -> str:
    """The reason early help gave, without the history row's own words around it."""
    return change.reason.removeprefix(STEP_UP_REASON)


def step_up_awaiting_decision(referral: Referral) -> StatusChange | None:
    """The step-up (its history row: when, who, why) while the referral waits in screening for the
    new threshold decision; None for any other referral."""
    if referral.status != Status.SCREENING:
        return None
    last = StatusChange.objects.filter(referral=referral).order_by("-at", "-id").first()
    if last is not None and last.to_status == Status.SCREENING and last.from_status in STEPPED_UP_FROM:
        return last
    return None


def stepped_up_at(referral: Referral) -> datetime | None:
    """When the referral came back to the MASH, while it waits for the new threshold decision."""
    step_up = step_up_awaiting_decision(referral)
    return step_up.at if step_up else None


def decided_child_ids(referral: Referral, *, since: datetime | None) -> set[int]:
    """The children decided in the current round: every child with a current decision, or, after
    a step-up (``since``), only those decided after it."""
    rows = ChildDecision.objects.filter(referral=referral, is_current=True)
    if since is not None:
        rows = rows.filter(decided_at__gt=since)
    return set(rows.values_list("child_id", flat=True))
