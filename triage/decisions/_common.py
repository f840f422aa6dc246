"""Helpers shared by the triage actions: the lifecycle move, the row lock, role checks."""

from __future__ import annotations

from typing import Any

from mash.exceptions import NotPermitted
from referrals.models import Referral

from ..models import PolicyVersion
from ..states import Status

DECIDABLE = (Status.RECEIVED, Status.SCREENING)
RETURNABLE = (Status.RECEIVED, Status.SCREENING, Status.DECIDED)


def _transition(
    referral: Referral, *, to: str, by: Any, reason: str = "", policy: PolicyVersion | None = None
):
    from ..actions import referral_transition  # the lifecycle's one entry point (issue 4)

    return referral_transition(referral, to=to, by=by, reason=reason, policy=policy)


def _lock(referral: Referral) -> Referral:
    """Re-read the referral under a row lock: two leads deciding at once are serialised here."""
    # of=("self",): lock the referral row only (the team is an outer join PostgreSQL cannot lock).
    return Referral.objects.select_for_update(of=("self",)).select_related("team").get(pk=referral.pk)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)


def _text(value: str | None) -> str:
    return (value or "").strip()
