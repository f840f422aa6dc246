"""Where information requests, outcomes and allocations meet the clocks (issue 4's ``triage.deadlines``).

One small module so that the actions read as the rules they apply, and so the one call shape into
``triage.deadlines`` is written once. Called inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from referrals.models import Referral
from triage.models import Deadline, PolicyVersion


def clock_start(
    referral: Referral,
    kind: str,
    *,
    start: datetime,
    policy: PolicyVersion,
    subject: str = "",
    by: Any = None,
) -> Deadline:
    """Start the ``kind`` clock at ``start``; the deadline module computes the due time from the policy."""
    from triage import deadlines

    return deadlines.deadline_start(referral, kind, start=start, policy=policy, subject=subject, by=by)


def strategy_meeting_met(referral: Referral, *, at: datetime, by: Any = None) -> None:
    """The strategy discussion was held: stop the clock issue 4 starts on entering that status."""
    from triage import deadlines

    deadlines.deadline_meet(
        referral, Deadline.Kind.STRATEGY_DISCUSSION, subject=deadlines.STRATEGY_MEETING, at=at, by=by
    )


def clock_meet(
    referral: Referral, kind: str, *, subject: str = "", at: datetime | None = None, by: Any = None
) -> None:
    """Stop the ``kind`` clock (if it is running)."""
    from triage import deadlines

    deadlines.deadline_meet(referral, kind, subject=subject, at=at, by=by)
