"""Restricted records: a referral only the people named on it may open.

A MASH lead (or an administrator) restricts a referral, with a reason, when even the MASH's normal
access is too wide: a referral about a member of staff's own family, or a child whose name is known.
From then on every list and page shows it only to the people named on it, the lead who restricted it
first. A name is a django-guardian object permission (``referrals.view_restricted_referral`` on that
referral), granted and revoked one person at a time, each with an audit row.

Naming subtracts, it never adds: a named person still needs their role's or team's normal access
(the selectors in triage, agencies and the person index). Break-glass does not open a restricted
referral (security/break_glass.py asks :func:`refuse_break_glass`). A superuser is not named by being
a superuser.

The selector is cheap at any size: restrictions are few, so "not restricted, or named" is one hashed
``NOT IN`` over the restriction table and one over the user's own permission rows, and the queue's
indexes still order the rest.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm

from mash import audit
from mash.actor import Actor
from mash.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from mash.models import AuditEvent
from mash.roles import Role, is_mash_lead

from .locking import referral_lock
from .models import Referral, ReferralRestriction

PERMISSION = "view_restricted_referral"
PERM = f"referrals.{PERMISSION}"
MIN_REASON_LENGTH = 10
# Who may be named: the roles that open referrals at all. Performance officers and administrators
# work with figures and accounts, not children's records.
NAMEABLE_ROLES = (
    Role.SCREENING_OFFICER,
    Role.MASH_LEAD,
    Role.TEAM_MANAGER,
    Role.SOCIAL_WORKER,
    Role.EMERGENCY_DUTY,
    Role.AGENCY_PARTNER,
)


# --- reads ----------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def named_referral_ids(user: Any) -> QuerySet:
    """Ids of the referrals ``user`` is named on, as a subquery (their own grants only: not their
    groups', and not everything because they are a superuser)."""
    if not _signed_in(user):
        return Referral.objects.none().values("pk")
    return get_objects_for_user(
        user,
        PERM,
        klass=Referral,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    ).values("pk")


def open_to(user: Any, *, via: str = "") -> Q:
    """The condition "not restricted, or ``user`` is named on it", for a Referral queryset or, with
    ``via="referral"``, for a queryset of rows that belong to one (information requests, challenges)."""
    pk = f"{via}__pk" if via else "pk"
    unrestricted = ~Q(**{f"{pk}__in": ReferralRestriction.objects.values("referral_id")})
    if not _signed_in(user):
        return unrestricted
    return unrestricted | Q(**{f"{pk}__in": named_referral_ids(user)})


def without_restricted(queryset: QuerySet, user: Any, *, via: str = "") -> QuerySet:
    """``queryset`` less the restricted referrals (or their rows) that ``user`` is not named on."""
    return queryset.filter(open_to(user, via=via))


def restriction_of(referral: Referral) -> ReferralRestriction | None:
    try:
        return referral.restriction
    except ReferralRestriction.DoesNotExist:
        return None


def is_restricted(referral_id: int) -> bool:
    """Whether the referral is restricted now (a fresh query: no cached answer on an instance)."""
    return ReferralRestriction.objects.filter(referral_id=referral_id).exists()


def may_open(user: Any, referral: Referral) -> bool:
    """Whether the restriction lets ``user`` open ``referral`` (always, if it is not restricted)."""
    if restriction_of(referral) is None:
        return True
    return named_referral_ids(user).filter(pk=referral.pk).exists()


def named_users(referral: Referral) -> QuerySet:
    """The people named on ``referral``, by name."""
    users = get_users_with_perms(
        referral, with_superusers=False, with_group_users=False, only_with_perms_in=[PERMISSION]
    )
    return users.order_by("first_name", "last_name", "username")


def nameable_users(referral: Referral) -> QuerySet:
    """Who a lead may name: active users in a role that opens referrals, not yet named."""
    roles = [role.value for role in NAMEABLE_ROLES]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .exclude(pk__in=named_users(referral).values("pk"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_manage(user: Any) -> bool:
    return _signed_in(user) and (is_mash_lead(user) or user.has_role(Role.ADMINISTRATOR))


def access_restriction(user: Any, reference: str) -> Referral:
    """The referral whose restriction ``user`` manages: a MASH lead or administrator, and once it is
    restricted only one named on it. Anyone else gets ``NotFound`` (we never confirm it exists)."""
    referral = None
    if can_manage(user):
        referral = (
            Referral.objects.select_related("restriction__restricted_by").filter(reference=reference).first()
        )
    if referral is None or not may_open(user, referral):
        raise NotFound("There is no referral with that reference that you can see.")
    return referral


# --- writes ---------------------------------------------------------------------------------


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(f"Give a reason for {what} of at least {MIN_REASON_LENGTH} characters.")
    return reason


def _locked(referral: Referral, by: Actor) -> Referral:
    if not can_manage(by):
        raise NotPermitted("Only a MASH lead or an administrator can restrict a referral.")
    locked = referral_lock(referral)
    if not may_open(by, locked):
        raise NotFound("There is no referral with that reference that you can see.")
    return locked


def _grant(referral: Referral, user: Any, *, reason: str, by: Actor) -> None:
    assign_perm(PERM, user, referral)
    audit.record_write(
        "referral.restricted_access_granted",
        actor=by,
        obj=referral,
        reason=reason,
        details={"user_id": user.pk, "username": user.get_username()},
    )


def referral_restrict(referral: Referral, *, reason: str, by: Actor) -> ReferralRestriction:
    """Restrict ``referral`` to the people named on it, naming ``by`` first.

    Requires a MASH lead or administrator and a reason of at least MIN_REASON_LENGTH characters;
    a referral already restricted is a Conflict. Writes the restriction, ``by``'s name and an audit
    row for each, in one transaction (the referral row locked, so two leads cannot both restrict it).
    """
    reason = _reason(reason, "restricting it")
    with transaction.atomic():
        locked = _locked(referral, by)
        if restriction_of(locked) is not None:
            raise Conflict("This referral is already restricted.")
        restriction = ReferralRestriction.objects.create(referral=locked, reason=reason, restricted_by=by)
        audit.record_write("referral.restricted", actor=by, obj=locked, reason=reason)
        _grant(locked, by, reason="Restricted the referral", by=by)
    return restriction


def referral_unrestrict(referral: Referral, *, reason: str, by: Actor) -> None:
    """Lift the restriction: the referral is open again to everyone with normal access.

    Requires a MASH lead or administrator named on it and a reason. Removes every name (the audit
    row lists them) and the restriction, in one transaction.
    """
    reason = _reason(reason, "lifting the restriction")
    with transaction.atomic():
        locked = _locked(referral, by)
        restriction = restriction_of(locked)
        if restriction is None:
            raise Conflict("This referral is not restricted.")
        removed = list(named_users(locked))
        for user in removed:
            remove_perm(PERM, user, locked)
        restriction.delete()
        audit.record_write(
            "referral.unrestricted",
            actor=by,
            obj=locked,
            reason=reason,
            details={"removed": [user.get_username() for user in removed]},
        )


def restricted_access_grant(referral: Referral, *, user: Any, reason: str, by: Actor) -> None:
    """Name ``user`` on a restricted referral, so they may open it (with their normal access).

    Requires a MASH lead or administrator named on it, a reason, and an active user in a role that
    opens referrals who is not already named. Writes the permission and an audit row together.
    """
    reason = _reason(reason, "naming them")
    with transaction.atomic():
        locked = _locked(referral, by)
        if restriction_of(locked) is None:
            raise Conflict("This referral is not restricted.")
        if not nameable_users(locked).filter(pk=user.pk).exists():
            raise InvalidInput(f"{user.display_name} cannot be named on this referral.")
        _grant(locked, user, reason=reason, by=by)


def restricted_access_revoke(referral: Referral, *, user: Any, by: Actor) -> None:
    """Remove ``user``'s name from a restricted referral: they can no longer open it.

    Requires a MASH lead or administrator named on it; nobody removes themselves (another lead does,
    so the last person who can manage a restriction cannot lock everyone out). Writes an audit row.
    """
    with transaction.atomic():
        locked = _locked(referral, by)
        if restriction_of(locked) is None:
            raise Conflict("This referral is not restricted.")
        if user.pk == by.pk:
            raise InvalidInput("You cannot remove yourself. Ask another person named on it.")
        if not named_users(locked).filter(pk=user.pk).exists():
            raise InvalidInput(f"{user.display_name} is not named on this referral.")
        remove_perm(PERM, user, locked)
        audit.record_write(
            "referral.restricted_access_revoked",
            actor=by,
            obj=locked,
            details={"user_id": user.pk, "username": user.get_username()},
        )


def refuse_break_glass(*, user: Any, reference: str) -> None:
    """Break-glass never opens a restricted referral to someone not named on it: the refusal is
    audited (committed on its own, before the caller's transaction) and said plainly."""
    referral = Referral.objects.filter(reference=reference.strip().upper()).first()
    if referral is None or may_open(user, referral):
        return
    audit.record(
        AuditEvent.Kind.AUTH,
        "break_glass.refused_restricted",
        actor=user,
        obj=referral,
        reason="Restricted record: the user is not named on it",
    )
    raise NotPermitted(
        f"Referral {referral.reference} is a restricted record: only the people named on it can open it, "
        "and break-glass access cannot open it. Ask a MASH lead named on it if you need to see it."
    )
