"""Reading the council's policy: the current version, its calendar, due times (the shapes of its
settings, and their checks, are in ``triage.policy_shapes``).

Timescales are JSON of one shape everywhere (RAG, partner responses, domestic abuse, the decision):

    {"amount": 4, "unit": "clock_hours"}                     round the clock from receipt (Red)
    {"amount": 24, "unit": "clock_hours", "starts": "next_working_moment"}
                                                              clock hours, but out-of-hours arrivals
                                                              wait for the next working moment
    {"amount": 7, "unit": "working_hours"}                   only working time counts
    {"amount": 1, "unit": "working_days"}                    same time on the next working day
    {"amount": 0, "unit": "same_working_day"}                closing time of the day the clock starts

Working units always start at the next working moment (time out of hours does not count). A clock-hour
timescale that starts at the next working moment may also end in working time: where the policy's
``clock_hours_due_out_of_hours`` is ``next_working_moment`` a due time that falls out of hours moves to
the next working moment; round-the-clock timescales (Red) are never moved.
Writes (new versions, presets) are in ``triage.actions``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from mash.calendar import WEEKDAYS, WorkingCalendar, parse_hhmm
from mash.templatetags.govuk import govuk_time_of
from referrals.selectors import ServiceStatus
from security.break_glass import BreakGlassLimits

from .models import PolicyVersion
from .policy_shapes import validate_timescale

# The preset a fresh installation starts from until an administrator loads or edits one.
DEFAULT_PRESET: str = getattr(settings, "MASH_POLICY_PRESET", "durham")
NO_POLICY = (
    "No policy version is in force: run `manage.py migrate` (which loads the default preset) "
    "or `manage.py load_policy_preset <council>`."
)

_calendars: dict[tuple, WorkingCalendar] = {}


def current_policy() -> PolicyVersion:
    """The policy version in force. Only reads: ``migrate`` loads the default preset into a fresh
    database (``triage.apps``), so that no clock is ever computed without a recorded version."""
    try:
        return PolicyVersion.objects.get(is_current=True)
    except PolicyVersion.DoesNotExist:
        raise ImproperlyConfigured(NO_POLICY) from None


def policy_for(referral) -> PolicyVersion:
    """The policy a referral's clocks run under: the version it was received under, else the current one."""
    return referral.policy_version or current_policy()


def _calendar(policy: PolicyVersion, hours: Mapping[str, Any], name: str) -> WorkingCalendar:
    key = (
        policy.pk,
        name,
        json.dumps(hours, sort_keys=True),
        policy.bank_holiday_subdiv,
        tuple(policy.closure_days or ()),
    )
    if key not in _calendars:
        _calendars[key] = WorkingCalendar(
            hours, subdiv=policy.bank_holiday_subdiv, closure_days=policy.closure_days or ()
        )
    return _calendars[key]


def calendar_for(policy: PolicyVersion) -> WorkingCalendar:
    """The policy's working calendar, built once per version.

    Versions are never edited, so the id would do as the key; the calendar settings are part of
    it too so that an unsaved policy, or a reused id in a rolled-back test database, never gets
    another version's calendar.
    """
    return _calendar(policy, policy.working_hours, "")


def service_calendar(policy: PolicyVersion, service: str) -> WorkingCalendar:
    """The calendar of one of the policy's services with its own hours (``service_hours``): its
    hours, with the council's bank holidays and closure days."""
    return _calendar(policy, policy.service_hours[service]["hours"], service)


def due_at(policy: PolicyVersion, timescale: Mapping[str, Any], start: datetime) -> datetime:
    """When a clock of ``timescale`` started at ``start`` runs out under ``policy``."""
    validate_timescale(timescale)
    calendar = calendar_for(policy)
    amount, unit = timescale["amount"], timescale["unit"]
    if unit == "clock_hours":
        if timescale.get("starts", "received") != "next_working_moment":
            return calendar.add_clock_hours(start, amount)  # round the clock (Red): never moved
        due = calendar.add_clock_hours(calendar.next_working_moment(start), amount)
        if policy.clock_hours_due_out_of_hours == "next_working_moment" and calendar.is_out_of_hours(due):
            # A clock that waits for working hours to start also ends in them (Cambridgeshire 004).
            return calendar.next_working_moment(due)
        return due
    if unit == "working_hours":
        return calendar.add_working_hours(calendar.next_working_moment(start), amount)
    if unit == "working_days":
        return calendar.add_working_days(start, amount)
    if unit == "calendar_months":
        return calendar.add_calendar_months(start, int(amount))
    return calendar.end_of_working_day(start)


def rag_timescale(policy: PolicyVersion, rag: str) -> dict | None:
    return (policy.rag_timescales or {}).get(rag)


# Validation -------------------------------------------------------------------------------------


def out_of_hours_at(instant: datetime) -> tuple[bool, PolicyVersion]:
    """(whether ``instant`` is outside the policy's working hours, the policy version in force), for
    intake (supplied as ``referrals.selectors.out_of_hours_at`` in triage's ready())."""
    policy = current_policy()
    return calendar_for(policy).is_out_of_hours(instant), policy


def break_glass_limits() -> BreakGlassLimits:
    """The policy in force's limits on emergency access (supplied as
    ``security.break_glass.break_glass_limits`` in triage's ready())."""
    policy = current_policy()
    return BreakGlassLimits(
        hours=policy.break_glass_hours,
        max_live_grants=policy.break_glass_max_live_grants,
        requests_per_hour=policy.break_glass_requests_per_hour,
    )


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def hours_text(hours: Mapping[str, Any]) -> str:
    """'10am to 4pm, Monday to Friday' (runs of days with the same hours, joined by '; ')."""
    runs: list[tuple[int, int, tuple]] = []
    for index, day in enumerate(WEEKDAYS):
        span = hours.get(day)
        if not span:
            continue
        if runs and runs[-1][1] == index - 1 and runs[-1][2] == tuple(span):
            runs[-1] = (runs[-1][0], index, runs[-1][2])
        else:
            runs.append((index, index, tuple(span)))
    parts = []
    for first, last, (opens, closes) in runs:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"
        parts.append(f"{_time(opens)} to {_time(closes)}, {days}")
    return "; ".join(parts)


def _time(hhmm: str) -> str:
    return govuk_time_of(datetime.combine(datetime.min, parse_hhmm(hhmm)))


def services_at(instant: datetime) -> list[ServiceStatus]:
    """The current policy's services with their own hours, each open or closed at ``instant``
    (supplied as ``referrals.selectors.services_at`` in triage's ready())."""
    policy = current_policy()
    statuses = []
    for key, service in (policy.service_hours or {}).items():
        calendar = service_calendar(policy, key)
        is_open = not calendar.is_out_of_hours(instant)
        window = calendar.window(timezone.localdate(instant)) if is_open else None
        statuses.append(
            ServiceStatus(
                key=key,
                name=service["name"],
                phone=service.get("phone", ""),
                hours_text=hours_text(service["hours"]),
                is_open=is_open,
                closes_at=window[1] if window else None,
                opens_at=None if is_open else calendar.next_working_moment(instant),
            )
        )
    return statuses
