"""Who may see which aggregates and exports. Every report view asks here first.

Dashboards hold counts only. MASH leads and performance officers see the whole service; a team
manager sees the figures of the teams they manage (the team filter is forced to those teams).
The statutory exports are child-level (pseudonymous ids, no names) and go to performance officers
and MASH leads only. Everyone else, agency partners included, gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from agencies.models import Agency, Team
from mash.exceptions import NotPermitted
from mash.roles import Role

WHOLE_SERVICE_ROLES = (Role.MASH_LEAD, Role.PERFORMANCE_OFFICER)
EXPORT_ROLES = (Role.MASH_LEAD, Role.PERFORMANCE_OFFICER)


@dataclass(frozen=True)
class Scope:
    """The teams whose figures a user may see: None for all of them."""

    team_ids: frozenset[int] | None

    @property
    def whole_service(self) -> bool:
        return self.team_ids is None


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_dashboard(user) -> bool:
    return _active(user) and user.has_role(*WHOLE_SERVICE_ROLES, Role.TEAM_MANAGER)


def can_export_statutory(user) -> bool:
    return _active(user) and user.has_role(*EXPORT_ROLES)


def dashboard_scope(user) -> Scope:
    """The user's scope, or NotPermitted when they may see no dashboard at all."""
    if not can_view_dashboard(user):
        raise NotPermitted("The performance dashboard is for managers and performance officers.")
    if user.has_role(*WHOLE_SERVICE_ROLES):
        return Scope(team_ids=None)
    return Scope(team_ids=frozenset(Team.objects.filter(manager=user).values_list("pk", flat=True)))


def require_statutory_export(user) -> None:
    if not can_export_statutory(user):
        raise NotPermitted("Statutory returns are for performance officers and MASH leads.")


def teams_in_scope(scope: Scope) -> QuerySet[Team]:
    teams = Team.objects.filter(is_active=True).order_by("name")
    return teams if scope.whole_service else teams.filter(pk__in=scope.team_ids)


def agencies_for_filter() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")
