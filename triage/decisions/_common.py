"""Helpers shared by the triage actions: the lifecycle move, text. (Who may do what, and when, is
``triage.permissions``; the row lock is ``triage.actions.referral_lock``.)"""

from __future__ import annotations

from mash.actor import Actor
from referrals.models import Referral

from ..actions import referral_transition
from ..models import PolicyVersion


def _transition(
    referral: Referral, *, to: str, by: Actor, reason: str = "", policy: PolicyVersion | None = None
):
    return referral_transition(referral, to=to, by=by, reason=reason, policy=policy)


def _text(value: str | None) -> str:
    return (value or "").strip()
