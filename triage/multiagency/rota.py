"""The assessment teams' duty rota (Derby 000: "There are three teams of social workers undertaking
a duty system"): which team is on duty on which day, kept by a manager, and the team that new S17 and
S47 work goes to when the policy says so (``PolicyVersion.duty_rota_allocation``).

Reads and the one write are together here because the rota is small: the write is
``duty_rota_set`` (an audit row per day changed); everything else only reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidInput, NotPermitted
from mash.roles import is_mash_lead, is_mash_staff, is_team_manager
from triage.models import PolicyVersion

from .models import DutyDay, Outcome

# How far ahead the rota page shows and lets a manager plan.
ROTA_DAYS = 14
# The outcomes that are new S17 or S47 work for an assessment team.
DUTY_DESTINATIONS = frozenset({Outcome.Destination.STRATEGY_S47, Outcome.Destination.S17_ASSESSMENT})


def assessment_teams() -> QuerySet[Team]:
    return Team.objects.filter(kind=Team.Kind.ASSESSMENT, is_active=True).order_by("rota_position", "name")


def can_keep_rota(user) -> bool:
    """A MASH lead, or the manager of an assessment team."""
    if is_mash_lead(user):
        return True
    return is_team_manager(user) and assessment_teams().filter(manager=user).exists()


def require_rota_reader(user) -> None:
    if not (is_mash_staff(user) or is_team_manager(user)):
        raise NotPermitted("The duty rota is for MASH staff and the teams' managers.")


def duty_team_on(day: date) -> Team | None:
    row = DutyDay.objects.filter(day=day, team__is_active=True).select_related("team").first()
    return row.team if row else None


def duty_team_today(now: datetime | None = None) -> Team | None:
    return duty_team_on(timezone.localdate(now or timezone.now()))


def suggested_team(policy: PolicyVersion, destination: str, now: datetime | None = None) -> Team | None:
    """The team new work of ``destination`` goes to when the lead names none: today's duty team,
    where the policy allocates by the rota and the work is S17 or S47."""
    if policy.duty_rota_allocation != "suggest" or destination not in DUTY_DESTINATIONS:
        return None
    return duty_team_today(now)


@dataclass(frozen=True)
class RotaDay:
    day: date
    team: Team | None
    set_by: str = ""


def rota(user, *, start: date, days: int = ROTA_DAYS) -> list[RotaDay]:
    """Each day from ``start`` for ``days`` days, with its team on duty (None: nobody set)."""
    require_rota_reader(user)
    rows = {
        row.day: row
        for row in DutyDay.objects.filter(
            day__gte=start, day__lt=start + timedelta(days=days)
        ).select_related("team", "set_by")
    }
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        row = rows.get(day)
        result.append(RotaDay(day, row.team if row else None, row.set_by.display_name if row else ""))
    return result


def duty_rota_set(days: Mapping[date, Team | None], *, by: Actor, now: datetime | None = None) -> int:
    """Set which team is on duty on each of ``days`` (None clears a day).

    Requires: a MASH lead or an assessment team's manager; days from today up to ``ROTA_DAYS`` ahead;
    active assessment teams. Causes: each changed day's row (who set it and when) and an audit row
    per change with the team before and after. Returns how many days changed.
    """
    if not can_keep_rota(by):
        raise NotPermitted("Only a MASH lead or an assessment team's manager can keep the duty rota.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    allowed = set(assessment_teams().values_list("pk", flat=True))
    for day, team in days.items():
        if not today <= day < today + timedelta(days=ROTA_DAYS):
            raise InvalidInput(f"day: {day:%d %B %Y} is not in the next {ROTA_DAYS} days.")
        if team is not None and team.pk not in allowed:
            raise InvalidInput(f"team: {team} is not an assessment team on the rota.")
    changed = 0
    with transaction.atomic():
        # Two managers saving at once: the rows of these days are taken in turn.
        current = {row.day: row for row in DutyDay.objects.select_for_update().filter(day__in=list(days))}
        for day, team in sorted(days.items()):
            before = current.get(day)
            if (before.team_id if before else None) == (team.pk if team else None):
                continue
            _write_day(day, team, before, by=by, now=now)
            changed += 1
    return changed


def _write_day(day: date, team: Team | None, before: DutyDay | None, *, by: Actor, now: datetime) -> None:
    previous = before.team.slug if before else ""
    if team is None:
        before.delete()
    elif before is None:
        DutyDay.objects.create(day=day, team=team, set_by=by, set_at=now)
    else:
        before.team, before.set_by, before.set_at = team, by, now
        before.save(update_fields=["team", "set_by", "set_at"])
    audit.record_write(
        "triage.duty_rota_set",
        actor=by,
        reason=f"Duty rota for {day:%d %B %Y}",
        details={"day": day.isoformat(), "team": team.slug if team else "", "before": previous},
    )
