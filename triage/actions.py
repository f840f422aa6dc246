"""Every write in triage: policy versions and the referral lifecycle.

Each action is one transaction with an audit row; side effects go through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidTransition
from referrals.locking import referral_lock
from referrals.models import Referral
from referrals.states import TRANSITIONS, Rag, Status, can_transition

from . import deadlines
from .models import Deadline, PolicyVersion, StatusChange
from .policy import DEFAULT_PRESET, current_policy
from .policy_shapes import validate_policy
from .presets import preset

# Fields that are bookkeeping of a version, not part of what the council decided.
_VERSION_FIELDS = {"id", "council", "version", "is_current", "created_at", "created_by", "change_note"}


def policy_version_fields(policy: PolicyVersion) -> dict[str, Any]:
    """A version's settings, ready to be copied into the next version."""
    return {
        field.attname: getattr(policy, field.attname)
        for field in PolicyVersion._meta.concrete_fields
        if field.name not in _VERSION_FIELDS
    }


def policy_version_create(*, council: str, settings: dict[str, Any], by: Actor, note: str) -> PolicyVersion:
    """Make a new current version of ``council``'s policy from ``settings``.

    Requires settings that pass ``validate_policy`` (else ValidationError, nothing written).
    Causes: the previous current version stops being current (it is never edited otherwise);
    an audit row records who made the version and why.
    """
    with transaction.atomic():
        # Lock the current row: two administrators saving at once must not both become version N.
        list(PolicyVersion.objects.select_for_update().filter(is_current=True))
        latest = PolicyVersion.objects.filter(council=council).order_by("-version").first()
        policy = PolicyVersion(
            council=council,
            version=(latest.version + 1) if latest else 1,
            is_current=True,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            change_note=note,
            **settings,
        )
        validate_policy(policy)
        PolicyVersion.objects.filter(is_current=True).update(is_current=False)
        policy.save()
        audit.record_write(
            "policy.version_create",
            actor=by,
            obj=policy,
            reason=note,
            details={"council": council, "version": policy.version},
        )
    return policy


def policy_preset_load(council: str, *, by: Actor, note: str = "") -> PolicyVersion:
    """Load ``council``'s preset (triage.presets) as its new current policy version."""
    return policy_version_create(
        council=council, settings=preset(council), by=by, note=note or f"Loaded the {council} preset"
    )


def policy_default_load(*, by: Actor, note: str) -> PolicyVersion | None:
    """Load the default preset (``triage.policy.DEFAULT_PRESET``) if no policy version is in force.

    Idempotent: returns None, writing nothing, when a version is already current. Otherwise causes
    what ``policy_preset_load`` causes (the new current version and its audit row) and returns it.
    Run after ``migrate`` (``triage.apps``), so that a clock is never computed without a version.
    """
    # Two loaders at once (two migrates) may both see none; the one_current_policy constraint then
    # refuses the second one's version, so there is never more than one default.
    if PolicyVersion.objects.filter(is_current=True).exists():
        return None
    return policy_preset_load(DEFAULT_PRESET, by=by, note=note)


# The referral lifecycle ---------------------------------------------------------------------------

# The lifecycle's fields besides the status (``Referral``'s "Lifecycle" block): who holds the
# referral and how it is rated. Only the actions below write them (tests/triage/test_lifecycle_writes.py).
ASSIGNMENT_FIELDS = frozenset({"team", "claimed_by", "claimed_at", "allocated_worker"})
RATING_FIELDS = frozenset({"rag", "level_of_need", "rag_changed"})


def _audited_value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.get_username() if hasattr(value, "get_username") else str(value.pk)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _lifecycle_write(
    referral: Referral,
    fields: dict[str, Any],
    *,
    allowed: frozenset[str],
    audit_action: str,
    by: Actor,
    reason: str,
    where: Q | None,
) -> bool:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be written by {audit_action}.")
    rows = Referral.objects.filter(Q(pk=referral.pk) & (where or Q()))
    if not rows.update(**fields):
        return False
    if "team" in fields:
        # The clocks carry a copy of the team for the dashboard (triage.models.Deadline.team).
        Deadline.objects.filter(referral_id=referral.pk).update(team=fields["team"])
    for name, value in fields.items():
        setattr(referral, name, value)
    audit.record_write(
        audit_action,
        actor=by,
        obj=referral,
        reason=reason,
        details={name: _audited_value(value) for name, value in fields.items()},
    )
    return True


def referral_assign(
    referral: Referral, *, by: Actor, reason: str = "", where: Q | None = None, **fields: Any
) -> bool:
    """Set who holds ``referral``: any of its team, claim (``claimed_by``, ``claimed_at``) and
    allocated worker. The one place they are written, inside the calling action's transaction.

    Requires only names from ``ASSIGNMENT_FIELDS`` (else ValueError). ``where`` makes the write
    conditional (a claim is ``claimed_by__isnull=True``: the database decides between two claims).
    Causes: the fields written (and set on ``referral``) and an audit row of their new values.
    Returns False, writing nothing, when ``where`` did not match.
    """
    return _lifecycle_write(
        referral,
        fields,
        allowed=ASSIGNMENT_FIELDS,
        audit_action="referral.assign",
        by=by,
        reason=reason,
        where=where,
    )


def referral_rate(referral: Referral, *, by: Actor, reason: str = "", **fields: Any) -> None:
    """Set how ``referral`` is rated: its RAG, level of need and whether its RAG was changed (rolled
    up from the children's decisions by triage.decisions). Requires only names from
    ``RATING_FIELDS`` (else ValueError). Causes: the fields written and an audit row of them."""
    _lifecycle_write(
        referral,
        fields,
        allowed=RATING_FIELDS,
        audit_action="referral.rate",
        by=by,
        reason=reason,
        where=None,
    )


def _actor_label(by: Actor) -> str:
    if getattr(by, "is_authenticated", False):
        return by.get_username()
    return by if isinstance(by, str) and by else audit.SYSTEM


def _refuse(referral: Referral, to: str) -> InvalidTransition:
    current = Status(referral.status)
    allowed = sorted(Status(s).label.lower() for s in TRANSITIONS.get(referral.status, ()))
    where = f"it can move to: {', '.join(allowed)}" if allowed else "it is finished and cannot move"
    return InvalidTransition(
        f"Referral {referral.reference} is {current.label.lower()} and cannot move to "
        f"{Status(to).label.lower()}; {where}."
    )


def referral_transition(
    referral: Referral, *, to: str, by: Actor, reason: str = "", policy: PolicyVersion | None = None
) -> Referral:
    """Move a referral to status ``to``: the one place a status changes.

    Requires the move to be allowed by ``referrals.states.TRANSITIONS`` from the referral's status as
    stored now (read under a row lock), else InvalidTransition with a clear message; nothing changes.
    Causes, in one transaction: the new status; a StatusChange (from, to, who, when, why, policy
    version); an audit row; the clocks the new status starts or stops (triage.deadlines). Returns the
    locked, updated referral; the instance passed in gets the new status and next_due_at too.
    """
    if to not in Status.values:
        raise InvalidTransition(f"{to!r} is not a referral status.")
    with transaction.atomic():
        # Two people moving the same referral at once must not both pass the check.
        locked = referral_lock(referral)
        if not can_transition(locked.status, to):
            raise _refuse(locked, to)
        policy = policy or current_policy()
        now = timezone.now()
        from_status = locked.status
        StatusChange.objects.create(
            referral=locked,
            from_status=from_status,
            to_status=to,
            at=now,
            by=by if getattr(by, "is_authenticated", False) else None,
            by_label=_actor_label(by),
            reason=reason,
            policy_version=policy if policy.pk else None,
        )
        locked.status = to
        locked.save(update_fields=["status"])
        audit.record_write(
            "referral.transition",
            actor=by,
            obj=locked,
            reason=reason,
            details={"from": from_status, "to": to, "policy_version": policy.pk},
        )
        lifecycle_clocks(locked, from_status=from_status, to=to, policy=policy, at=now, by=by)
    referral.status, referral.next_due_at = locked.status, locked.next_due_at
    return locked


def lifecycle_clocks(
    referral: Referral, *, from_status: str, to: str, policy: PolicyVersion, at: datetime, by: Actor
) -> None:
    """The clocks a move starts and stops (inside the move's transaction)."""
    rag_clocks = list(deadlines.RAG_CLOCK_KINDS.values())
    if to in (Status.CLOSED, Status.RETURNED):
        deadlines.deadlines_stop_all(referral, at=at, by=by)
    elif to == Status.ROUTED_TO_KNOWN_CASE:
        # Routed to the allocated worker: that is the decision on this referral.
        deadlines.decision_clocks_meet(referral, at=at, by=by)
    elif to == Status.SCREENING and from_status != Status.RECEIVED:
        # Stepped back up (or re-screened): a new threshold decision is due under the policy, and
        # early help no longer owes the allocation.
        deadlines.deadline_start(referral, Deadline.Kind.DECISION, policy=policy, start=at, by=by)
        deadlines.allocation_meeting_clock_stop(referral, at=at, by=by)
    elif to == Status.DECIDED:
        deadlines.decision_clocks_meet(referral, at=at, by=by)
        if referral.rag:
            deadlines.deadlines_recompute_for_rag(referral, policy=policy, by=by)
        if referral.rag == Rag.GREEN and referral.team and referral.team.kind == Team.Kind.EARLY_HELP:
            deadlines.allocation_meeting_clock_start(referral, policy=policy, at=at, by=by)
    elif to == Status.STRATEGY_DISCUSSION:
        # The decision to hold one: the MASH has dealt with it; the strategy discussion itself is now
        # due (004: within 24 hours of the decision), met when it is recorded.
        for kind in rag_clocks:
            deadlines.deadline_meet(referral, kind, at=at, by=by)
        deadlines.deadline_start(
            referral,
            Deadline.Kind.STRATEGY_DISCUSSION,
            policy=policy,
            start=at,
            subject=deadlines.STRATEGY_MEETING,
            timescale=deadlines.strategy_meeting_timescale(policy),
            by=by,
        )
    elif to == Status.OUTCOME:
        for kind in rag_clocks:
            deadlines.deadline_meet(referral, kind, at=at, by=by)
        deadlines.deadline_meet(
            referral, Deadline.Kind.STRATEGY_DISCUSSION, at=at, subject=deadlines.STRATEGY_MEETING, by=by
        )
    elif to == Status.ALLOCATED:
        deadlines.deadline_meet(referral, Deadline.Kind.ALLOCATION, at=at, by=by)
        deadlines.allocation_meeting_clock_stop(referral, at=at, by=by)
        deadlines.clocks_for_allocation(referral, policy=policy, at=at, by=by)
