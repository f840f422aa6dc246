"""Management oversight of allocated cases (004: "All social workers receive 10 day management
oversight ... to ensure there is management direction and oversight on the cases").

The first oversight clock starts when a social work team's case is allocated
(``triage.deadlines.clocks_for_allocation``); each note by the team's manager meets the running
clock and starts the next, due the policy's ``management_oversight_working_days`` later. The
sweeper warns and breaches it like every other clock.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidInput
from referrals.models import Referral
from triage import deadlines
from triage.actions import referral_lock
from triage.casework.models_oversight import ManagementOversight
from triage.models import Deadline
from triage.permissions import require
from triage.policy import policy_for


def oversight_record(
    referral: Referral, *, note: str, by: Actor, now: datetime | None = None
) -> ManagementOversight:
    """The team manager records management oversight of an allocated case.

    Requires: the manager of the referral's team; the referral allocated; a note of the direction
    given. Causes: the note (with when the clock it met was due), the running oversight clock met
    now, the next one started now under the referral's policy (when it has oversight), an audit row.
    """
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Write the management oversight: the direction given on the case.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = referral_lock(referral)
        require("record_oversight", by, locked)
        met = deadlines.deadline_meet(locked, Deadline.Kind.MANAGEMENT_OVERSIGHT, at=now, by=by)
        oversight = ManagementOversight.objects.create(
            referral=locked,
            note=note,
            recorded_by=by,
            recorded_at=now,
            was_due_at=met.due_at if met else None,
        )
        following = deadlines.oversight_clock_start(locked, policy=policy_for(locked), at=now, by=by)
        audit.record_write(
            "triage.oversight_record",
            actor=by,
            obj=oversight,
            details={
                "was_due_at": met.due_at.isoformat() if met else None,
                "late": bool(oversight.was_late),
                "next_due_at": following.due_at.isoformat() if following else None,
            },
        )
    return oversight
