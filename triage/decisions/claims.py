"""Claiming a referral, releasing it, and a lead's reassignment."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import AlreadyClaimed, Conflict, InvalidInput, InvalidTransition
from mash.roles import mash_staff_users
from referrals.models import Referral
from referrals.states import Status

from ..actions import referral_assign, referral_lock
from ..models_decisions import ClaimEvent
from ..permissions import ACTIONS, require_role, require_state
from ._common import _text, _transition


def referral_claim(referral: Referral, *, by: Actor) -> Referral:
    """A screening officer (or lead) claims an open referral.

    Requires MASH staff and an unclaimed referral in the queue. Exactly one of two simultaneous
    claims wins: the conditional UPDATE (``WHERE claimed_by IS NULL``) makes the database decide,
    and the loser's UPDATE, re-evaluated after the winner commits, touches no row and raises
    ``AlreadyClaimed`` naming who has it. Claiming again one's own claim is a no-op.
    Causes: a claim history row, an audit row, and RECEIVED -> SCREENING.
    """
    require_role("claim", by, referral)
    now = timezone.now()
    with transaction.atomic():
        unclaimed_in_queue = Q(claimed_by__isnull=True, status__in=ACTIONS["claim"].statuses)
        won = referral_assign(
            referral, claimed_by=by, claimed_at=now, where=unclaimed_in_queue, by=by, reason="Claimed"
        )
        current = Referral.objects.select_related("claimed_by").get(pk=referral.pk)
        if not won:
            if current.claimed_by_id == by.pk:
                return current
            if current.claimed_by_id:
                raise AlreadyClaimed(
                    f"{current.claimed_by.display_name} has already claimed referral {current.reference}."
                )
            raise InvalidTransition(
                f"Referral {current.reference} is {current.get_status_display().lower()}."
            )
        ClaimEvent.objects.create(referral=current, kind=ClaimEvent.Kind.CLAIM, to_user=by, by=by, at=now)
        audit.record_write("triage.claim", actor=by, obj=current)
        if current.status == Status.RECEIVED:
            _transition(current, to=Status.SCREENING, by=by, reason="Claimed for screening")
            current.refresh_from_db()
    return current


def referral_release(referral: Referral, *, by: Actor, reason: str = "") -> Referral:
    """The claimant (or a MASH lead) gives a referral back to the queue. Causes a history and audit row."""
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("release", locked)
        require_role("release", by, locked)
        ClaimEvent.objects.create(
            referral=locked,
            kind=ClaimEvent.Kind.RELEASE,
            from_user_id=locked.claimed_by_id,
            by=by,
            at=timezone.now(),
            reason=_text(reason),
        )
        referral_assign(locked, claimed_by=None, claimed_at=None, by=by, reason=_text(reason))
        audit.record_write("triage.release", actor=by, obj=locked, reason=_text(reason))
        locked.refresh_from_db()
    return locked


def referral_reassign(referral: Referral, *, to: Any, reason: str, by: Actor) -> Referral:
    """A MASH lead hands a referral to another member of MASH staff, with a reason.

    Requires a lead, an open referral, a reason, and a target who is active MASH staff.
    Causes: a REASSIGN history row (from, to, why) and an audit row.
    """
    require_role("reassign", by, referral)
    if not _text(reason):
        raise InvalidInput("Give a reason for reassigning the referral.")
    if to is None or not mash_staff_users().filter(pk=to.pk).exists():
        raise InvalidInput("Referrals can only be reassigned to active MASH staff.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("reassign", locked)
        if locked.claimed_by_id == to.pk:
            raise Conflict(f"{to.display_name} already has referral {locked.reference}.")
        now = timezone.now()
        ClaimEvent.objects.create(
            referral=locked,
            kind=ClaimEvent.Kind.REASSIGN,
            from_user_id=locked.claimed_by_id,
            to_user=to,
            by=by,
            at=now,
            reason=_text(reason),
        )
        referral_assign(locked, claimed_by=to, claimed_at=now, by=by, reason=_text(reason))
        audit.record_write(
            "triage.reassign", actor=by, obj=locked, reason=_text(reason), details={"to": to.get_username()}
        )
        if locked.status == Status.RECEIVED:
            _transition(locked, to=Status.SCREENING, by=by, reason=f"Reassigned to {to.display_name}")
        locked.refresh_from_db()
    return locked
