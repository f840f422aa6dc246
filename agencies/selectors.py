"""Reads of agencies and teams: which are active, which an information request goes to by default."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Agency, Team


def default_agencies_for(rag: str, policy: Any) -> QuerySet[Agency]:
    """The policy's default set for a RAG; entries name an agency kind or an agency's slug."""
    wanted = list((policy.default_agencies or {}).get(rag, []))
    return Agency.objects.filter(Q(kind__in=wanted) | Q(slug__in=wanted), is_active=True)


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True)


def active_teams() -> QuerySet[Team]:
    return Team.objects.filter(is_active=True)


def teams_managed_by(user: Any) -> QuerySet[Team]:
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.filter(manager=user, is_active=True)
