"""The roles of ARCHITECTURE.md, each a Django group. A user's role decides what selectors show them."""

from django.db import models


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


def ensure_role_groups() -> None:
    """Create one group per role (idempotent); used by migrations' data step and demo data."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
