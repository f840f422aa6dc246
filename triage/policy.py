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

from mash.calendar import WorkingCalendar

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


def calendar_for(policy: PolicyVersion) -> WorkingCalendar:
    """The policy's working calendar, built once per version.

    Versions are never edited, so the id would do as the key; the calendar settings are part of
    it too so that an unsaved policy, or a reused id in a rolled-back test database, never gets
    another version's calendar.
    """
    key = (
        policy.pk,
        json.dumps(policy.working_hours, sort_keys=True),
        policy.bank_holiday_subdiv,
        tuple(policy.closure_days or ()),
    )
    if key not in _calendars:
        _calendars[key] = WorkingCalendar(
            policy.working_hours, subdiv=policy.bank_holiday_subdiv, closure_days=policy.closure_days or ()
        )
    return _calendars[key]


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
    return calendar.end_of_working_day(start)


def rag_timescale(policy: PolicyVersion, rag: str) -> dict | None:
    return (policy.rag_timescales or {}).get(rag)


# Validation -------------------------------------------------------------------------------------


def out_of_hours_at(instant: datetime) -> tuple[bool, PolicyVersion]:
    """(whether ``instant`` is outside the policy's working hours, the policy version in force), for
    intake (supplied as ``referrals.selectors.out_of_hours_at`` in triage's ready())."""
    policy = current_policy()
    return calendar_for(policy).is_out_of_hours(instant), policy
