"""The roles, each a Django group, and every check of a user's role: a user's role decides what the
selectors show them and which actions they may take, so the checks are written once, here, for all
layers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import QuerySet

if TYPE_CHECKING:
    from mash.models import User


class Role(models.TextChoices):
    SCREENING_OFFICER = "screening_officer", "Screening officer"
    MASH_LEAD = "mash_lead", "MASH lead"
    AGENCY_PARTNER = "agency_partner", "Agency partner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SOCIAL_WORKER = "social_worker", "Social worker"
    EMERGENCY_DUTY = "emergency_duty", "Emergency duty team"
    PERFORMANCE_OFFICER = "performance_officer", "Performance officer"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that work inside the council's MASH and may see referrals in the triage queue.
MASH_STAFF_ROLES = frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD})
# The council's own teams after the MASH: they see the queues their team's work comes through.
TEAM_ROLES = (Role.TEAM_MANAGER, Role.SOCIAL_WORKER, Role.EMERGENCY_DUTY)


def _signed_in(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# Superuser status is not a role. It lets an administrator run the Django admin (accounts, teams,
# agencies, keys, the policy), never read a child's record: least privilege, as the council's
# information governance requires. A superuser who also works in the MASH is given the role.
def is_mash_staff(user: User) -> bool:
    return _signed_in(user) and user.has_role(*MASH_STAFF_ROLES)


def is_mash_lead(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.MASH_LEAD)


def is_edt(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.EMERGENCY_DUTY)


def is_team_staff(user: User) -> bool:
    return _signed_in(user) and user.has_role(*TEAM_ROLES)


def is_partner(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.AGENCY_PARTNER)


def is_team_manager(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.TEAM_MANAGER)


def mash_staff_users() -> QuerySet:
    """Who a MASH lead can reassign a referral to."""
    roles = [role.value for role in MASH_STAFF_ROLES]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .order_by("username")
    )


def ensure_role_groups() -> None:
    """Create one group per role (idempotent); used by migrations' data step and demo data."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
