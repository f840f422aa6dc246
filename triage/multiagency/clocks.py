"""Forwarding to ``triage.deadlines``, left only for ``triage.multiagency.actions``.

Every other caller starts and meets clocks through ``triage.deadlines`` itself; once
``triage.multiagency.actions`` does too (``deadlines.deadline_start``/``deadline_meet``, and
``deadline_meet(..., Deadline.Kind.STRATEGY_DISCUSSION, subject=deadlines.STRATEGY_MEETING)`` for
the strategy meeting), this module is to be deleted.
"""

from __future__ import annotations

from datetime import datetime

from mash.actor import Actor
from referrals.models import Referral
from triage import deadlines
from triage.models import Deadline, PolicyVersion


def clock_start(
    referral: Referral,
    kind: str,
    *,
    start: datetime,
    policy: PolicyVersion,
    subject: str = "",
    by: Actor = None,
) -> Deadline:
    return deadlines.deadline_start(referral, kind, start=start, policy=policy, subject=subject, by=by)


def strategy_meeting_met(referral: Referral, *, at: datetime, by: Actor = None) -> None:
    """The strategy discussion was held: stop the clock started on entering that status."""
    deadlines.deadline_meet(
        referral, Deadline.Kind.STRATEGY_DISCUSSION, subject=deadlines.STRATEGY_MEETING, at=at, by=by
    )


def clock_meet(
    referral: Referral, kind: str, *, subject: str = "", at: datetime | None = None, by: Actor = None
) -> None:
    deadlines.deadline_meet(referral, kind, subject=subject, at=at, by=by)
