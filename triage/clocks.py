"""Where a threshold decision meets the clocks (issue 4's ``triage.deadlines``) and the person
index (issue 6). ``referral_transition`` already meets the decision clock and starts the RAG's
clocks on DECIDED, stops every clock on CLOSED/RETURNED and restarts the decision clock on a step
up; what is left for the decision itself is here. Called inside the decision's transaction.
"""

from __future__ import annotations

from typing import Any

from referrals.models import Referral

from . import deadlines
from .models import Deadline, PolicyVersion


def after_decision(referral: Referral, *, by: Any) -> None:
    """A decided domestic abuse notification has been screened: its screening clock is met."""
    deadlines.deadline_meet(referral, Deadline.Kind.DOMESTIC_ABUSE_SCREENING, by=by)


def after_rag_change(referral: Referral, *, policy: PolicyVersion, previous_rag: str, by: Any) -> None:
    """A changed RAG recomputes the open clocks; a step up never moves a due time later
    (``deadlines_recompute_for_rag`` keeps the earlier of the old and new due times)."""
    deadlines.deadlines_recompute_for_rag(referral, policy=policy, previous_rag=previous_rag, by=by)


def add_to_person_index(referral: Referral, *, by: Any) -> None:
    """Decided referrals join the person index (issue 6), where that action exists."""
    try:
        from referrals.person_index.actions import person_index_add_from_referral
    except ImportError:  # the person index's writes have not landed in this tree yet
        return
    person_index_add_from_referral(referral, by=by)
