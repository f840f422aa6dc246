"""Reading the council's policy: the current version, its calendar, the shapes of its settings, due times.

Timescales are JSON of one shape everywhere (RAG, partner responses, domestic abuse, the decision):

    {"amount": 4, "unit": "clock_hours"}                     round the clock from receipt (Red)
    {"amount": 24, "unit": "clock_hours", "starts": "next_working_moment"}
                                                              clock hours, but out-of-hours arrivals
                                                              wait for the next working moment
    {"amount": 7, "unit": "working_hours"}                   only working time counts
    {"amount": 1, "unit": "working_days"}                    same time on the next working day
    {"amount": 0, "unit": "same_working_day"}                closing time of the day the clock starts

Working units always start at the next working moment (time out of hours does not count).
Writes (new versions, presets) are in ``triage.actions``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from mash.calendar import WEEKDAYS, WorkingCalendar, parse_closure_day, parse_hhmm

from .models import PolicyVersion
from .states import Rag

UNITS = ("clock_hours", "working_hours", "working_days", "same_working_day")
STARTS = ("received", "next_working_moment")
CONSENT_RULES = ("not_required_if_risk", "consent_or_reason", "consent_required", "none")
DOMESTIC_ABUSE_LEVELS = ("high", "medium", "standard")
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
        if timescale.get("starts", "received") == "next_working_moment":
            start = calendar.next_working_moment(start)
        return calendar.add_clock_hours(start, amount)
    if unit == "working_hours":
        return calendar.add_working_hours(calendar.next_working_moment(start), amount)
    if unit == "working_days":
        return calendar.add_working_days(start, amount)
    return calendar.end_of_working_day(start)


def rag_timescale(policy: PolicyVersion, rag: str) -> dict | None:
    return (policy.rag_timescales or {}).get(rag)


# Validation -------------------------------------------------------------------------------------


def validate_timescale(value: Any, label: str = "timescale") -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(f'{label}: expected {{"amount": number, "unit": ...}}, got {value!r}')
    unknown = set(value) - {"amount", "unit", "starts"}
    if unknown:
        raise ValidationError(f"{label}: unknown keys {sorted(unknown)}; allowed are amount, unit, starts")
    unit = value.get("unit")
    if unit not in UNITS:
        raise ValidationError(f"{label}: unit must be one of {', '.join(UNITS)}, not {unit!r}")
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        raise ValidationError(f"{label}: amount must be a number of 0 or more, not {amount!r}")
    if unit == "working_days" and amount != int(amount):
        raise ValidationError(f"{label}: working days must be a whole number, not {amount!r}")
    if "starts" in value and (unit != "clock_hours" or value["starts"] not in STARTS):
        raise ValidationError(
            f"{label}: 'starts' applies to clock_hours only and must be one of {', '.join(STARTS)}"
        )


def validate_timescales(
    value: Any, keys: tuple[str, ...], label: str, *, required: tuple[str, ...] = ()
) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{label}: expected an object keyed by {', '.join(keys)}")
    unknown = set(value) - set(keys)
    if unknown:
        raise ValidationError(f"{label}: unknown keys {sorted(unknown)}; allowed are {', '.join(keys)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise ValidationError(f"{label}: missing {', '.join(missing)}")
    for key, timescale in value.items():
        validate_timescale(timescale, f"{label}.{key}")


def validate_working_hours(value: Any) -> None:
    if not isinstance(value, Mapping) or set(value) != set(WEEKDAYS):
        raise ValidationError(f"working hours: give every day {', '.join(WEEKDAYS)} (null when closed)")
    for day, span in value.items():
        if span is None:
            continue
        if not isinstance(span, list | tuple) or len(span) != 2:
            raise ValidationError(f'working hours.{day}: expected ["HH:MM", "HH:MM"] or null, got {span!r}')
        try:
            opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
        except ValueError as exc:
            raise ValidationError(f"working hours.{day}: {exc}") from exc
        if closes <= opens:
            raise ValidationError(
                f"working hours.{day}: closing time {span[1]} is not after opening time {span[0]}"
            )
    if all(span is None for span in value.values()):
        raise ValidationError("working hours: at least one day must have working hours")


def validate_closure_days(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("closure days: expected a list of dates (YYYY-MM-DD, or MM-DD for every year)")
    for day in value:
        try:
            parse_closure_day(day)
        except ValueError as exc:
            raise ValidationError(f"closure days: {exc}") from exc


def validate_consent_rules(value: Any) -> None:
    rags = tuple(Rag.values)
    if not isinstance(value, Mapping) or set(value) - set(rags):
        raise ValidationError(f"consent rules: expected an object keyed by {', '.join(rags)}")
    for rag, rule in value.items():
        if rule not in CONSENT_RULES:
            raise ValidationError(
                f"consent rules.{rag}: must be one of {', '.join(CONSENT_RULES)}, not {rule!r}"
            )


def validate_policy(policy: PolicyVersion) -> None:
    """Every structured setting of a policy, all problems reported at once by field."""
    rags = tuple(Rag.values)
    checks = {
        "working_hours": lambda: validate_working_hours(policy.working_hours),
        "closure_days": lambda: validate_closure_days(policy.closure_days),
        "rag_timescales": lambda: validate_timescales(
            policy.rag_timescales, rags, "RAG timescales", required=("red", "amber", "green")
        ),
        "partner_timescales": lambda: validate_timescales(
            policy.partner_timescales, rags, "partner timescales"
        ),
        "domestic_abuse_timescales": lambda: validate_timescales(
            policy.domestic_abuse_timescales,
            DOMESTIC_ABUSE_LEVELS,
            "domestic abuse timescales",
            required=DOMESTIC_ABUSE_LEVELS,
        ),
        "decision_deadline": lambda: validate_timescale(policy.decision_deadline, "decision deadline"),
        "consent_rules": lambda: validate_consent_rules(policy.consent_rules),
        "bank_holiday_subdiv": lambda: _validate_subdiv(policy.bank_holiday_subdiv),
    }
    errors: dict[str, list[str]] = {}
    for field, check in checks.items():
        try:
            check()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)


def _validate_subdiv(value: str) -> None:
    import holidays  # only when a policy is checked: the calendar module loads it for its own use

    if value not in holidays.country_holidays("GB").subdivisions:
        raise ValidationError(f"bank holiday region must be one of ENG, NIR, SCT, WLS, not {value!r}")
