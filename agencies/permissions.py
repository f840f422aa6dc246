"""Who may do what with agencies' information requests. Predicates only; querysets are in selectors."""

from __future__ import annotations

from typing import Any

from mash.roles import Role
from triage.selectors import is_mash_lead, is_mash_staff  # one definition of MASH staff for all of triage

__all__ = ["is_mash_lead", "is_mash_staff", "is_partner", "is_team_manager"]


def is_partner(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.AGENCY_PARTNER)


def is_team_manager(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.TEAM_MANAGER)
