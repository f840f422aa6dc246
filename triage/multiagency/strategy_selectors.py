"""Reads of the strategy discussion's decision: when it was made, by when the discussion is due,
who was invited (for the MASH's strategy page and the team's casework page)."""

from __future__ import annotations

from typing import Any

from referrals.models import Referral
from triage.multiagency.models import StrategyDiscussionDecision, StrategyInvitation


def strategy_record(referral: Referral) -> dict[str, Any]:
    """The decision (or None) and its invitations, in the order they were sent."""
    decision = (
        StrategyDiscussionDecision.objects.filter(referral=referral).select_related("decided_by").first()
    )
    invitations = list(StrategyInvitation.objects.filter(decision=decision)) if decision else []
    return {"strategy_decision": decision, "invitations": invitations}
