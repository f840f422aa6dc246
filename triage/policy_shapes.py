"""The shapes of the council's policy settings and their checks: timescales, working hours, closure
days and consent rules, each problem reported by field. Reads no rows, so the model's ``clean`` can
use it without importing the module that reads the policy (triage.policy).

Timescales are JSON of one shape everywhere (see ``triage.policy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from mash.calendar import WEEKDAYS, parse_closure_day, parse_hhmm
from referrals.states import Rag

if TYPE_CHECKING:
    from .models import PolicyVersion

UNITS = ("clock_hours", "working_hours", "working_days", "same_working_day", "calendar_months")
STARTS = ("received", "next_working_moment")
CONSENT_RULES = ("not_required_if_risk", "consent_or_reason", "consent_required", "none")
DOMESTIC_ABUSE_LEVELS = ("high", "medium", "standard")
LEVELS_OF_NEED = ("1", "2", "3", "4")
# Where a level of need sends a child: early help (Green), or the MASH route (Red or Amber).
LEVEL_ROUTES = ("early_help", "mash")
LEVEL_ROUTE_RAGS: dict[str, tuple[str, ...]] = {"early_help": (Rag.GREEN,), "mash": (Rag.RED, Rag.AMBER)}
# What an information request may share with an agency beyond the people and the question.
PARTNER_SHARE_ITEMS = {"rag": "RAG rating", "referral_information": "Referral information"}


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
    if unit in ("working_days", "calendar_months") and amount != int(amount):
        raise ValidationError(f"{label}: {unit.replace('_', ' ')} must be a whole number, not {amount!r}")
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


def validate_working_hours(value: Any, label: str = "working hours") -> None:
    if not isinstance(value, Mapping) or set(value) != set(WEEKDAYS):
        raise ValidationError(f"{label}: give every day {', '.join(WEEKDAYS)} (null when closed)")
    for day, span in value.items():
        if span is None:
            continue
        if not isinstance(span, list | tuple) or len(span) != 2:
            raise ValidationError(f'{label}.{day}: expected ["HH:MM", "HH:MM"] or null, got {span!r}')
        try:
            opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
        except ValueError as exc:
            raise ValidationError(f"{label}.{day}: {exc}") from exc
        if closes <= opens:
            raise ValidationError(
                f"{label}.{day}: closing time {span[1]} is not after opening time {span[0]}"
            )
    if all(span is None for span in value.values()):
        raise ValidationError(f"{label}: at least one day must have working hours")


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


def validate_level_routes(value: Any) -> None:
    if not isinstance(value, Mapping) or set(value) - set(LEVELS_OF_NEED):
        raise ValidationError(
            'levels of need: expected an object keyed by level "1" to "4", '
            'e.g. {"2": "early_help", "3": "mash"}'
        )
    for level, route in value.items():
        if route not in LEVEL_ROUTES:
            raise ValidationError(
                f"levels of need.{level}: must be one of {', '.join(LEVEL_ROUTES)}, not {route!r}"
            )


def validate_optional_timescale(value: Any, label: str) -> None:
    """A timescale, or {} for none."""
    if value == {} or value is None:
        return
    validate_timescale(value, label)


def validate_service_hours(value: Any) -> None:
    """``{"consultation_line": {"name": str, "phone": str, "hours": <working hours>}, ...}``."""
    if not isinstance(value, Mapping):
        raise ValidationError("service hours: expected an object keyed by service")
    for key, service in value.items():
        label = f"service hours.{key}"
        if not isinstance(service, Mapping) or set(service) - {"name", "phone", "hours"}:
            raise ValidationError(f"{label}: expected name, phone and hours")
        if not str(service.get("name") or "").strip():
            raise ValidationError(f"{label}: give the service a name")
        validate_working_hours(service.get("hours"), f"{label}.hours")


# Who sits at a domestic abuse triage meeting: the council's social care and the partner agencies.
MEETING_AGENCIES = ("social_care", "police", "education", "health", "probation", "domestic_abuse")


def validate_domestic_abuse_meetings(value: Any) -> None:
    """``{}`` (no meetings) or ``{"days": [...], "at": "HH:MM", "agencies": [...],
    "agenda_grades": [...]}``."""
    label = "domestic abuse meetings"
    if value in ({}, None):
        return
    if not isinstance(value, Mapping) or set(value) != {"days", "at", "agencies", "agenda_grades"}:
        raise ValidationError(f"{label}: expected days, at, agencies and agenda_grades (or {{}} for none)")
    days = value["days"]
    if not isinstance(days, list) or not days or set(days) - set(WEEKDAYS) or len(set(days)) != len(days):
        raise ValidationError(f"{label}.days: a list of different days from {', '.join(WEEKDAYS)}")
    try:
        parse_hhmm(value["at"])
    except ValueError as exc:
        raise ValidationError(f"{label}.at: {exc}") from exc
    agencies = value["agencies"]
    if not isinstance(agencies, list) or not agencies or set(agencies) - set(MEETING_AGENCIES):
        raise ValidationError(f"{label}.agencies: a list from {', '.join(MEETING_AGENCIES)}")
    grades = value["agenda_grades"]
    if not isinstance(grades, list) or set(grades) - set(DOMESTIC_ABUSE_LEVELS):
        raise ValidationError(f"{label}.agenda_grades: a list from {', '.join(DOMESTIC_ABUSE_LEVELS)}")


def validate_allocation_meeting(value: Any) -> None:
    """``{}`` (no meeting) or ``{"day": "wed", "at": "HH:MM"}``: one weekday, weekly."""
    label = "early help allocation meeting"
    if value in ({}, None):
        return
    if not isinstance(value, Mapping) or set(value) != {"day", "at"}:
        raise ValidationError(f"{label}: expected day and at (or {{}} for none)")
    if value["day"] not in WEEKDAYS:
        raise ValidationError(f"{label}.day: one of {', '.join(WEEKDAYS)}")
    try:
        parse_hhmm(value["at"])
    except ValueError as exc:
        raise ValidationError(f"{label}.at: {exc}") from exc


def validate_partner_shares(value: Any) -> None:
    items = ", ".join(PARTNER_SHARE_ITEMS)
    if not isinstance(value, list) or len(set(map(str, value))) != len(value):
        raise ValidationError(f"partner shares: expected a list of different items from {items}")
    unknown = [item for item in value if item not in PARTNER_SHARE_ITEMS]
    if unknown:
        raise ValidationError(f"partner shares: {unknown!r} not shareable; choose from {items}")


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
        "serious_concerns_decision": lambda: validate_optional_timescale(
            policy.serious_concerns_decision, "serious concerns decision"
        ),
        "level_of_need_routes": lambda: validate_level_routes(policy.level_of_need_routes),
        "letter_clock_starts": lambda: _validate_field_choice(policy, "letter_clock_starts"),
        "cse_risk_matrix": lambda: _validate_field_choice(policy, "cse_risk_matrix", "CSE risk matrix"),
        "bank_holiday_subdiv": lambda: _validate_subdiv(policy.bank_holiday_subdiv),
        "break_glass_hours": lambda: _at_least_one(policy.break_glass_hours, "break-glass hours"),
        "break_glass_requests_per_hour": lambda: _at_least_one(
            policy.break_glass_requests_per_hour, "break-glass requests an hour"
        ),
        "cp_first_review_months": lambda: _validate_months(policy.cp_first_review_months, "first review"),
        "cp_review_interval_months": lambda: _validate_months(
            policy.cp_review_interval_months, "review interval"
        ),
        "service_hours": lambda: validate_service_hours(policy.service_hours),
        "duty_rota_allocation": lambda: _validate_field_choice(policy, "duty_rota_allocation"),
        "domestic_abuse_meetings": lambda: validate_domestic_abuse_meetings(policy.domestic_abuse_meetings),
        "early_help_allocation_meeting": lambda: validate_allocation_meeting(
            policy.early_help_allocation_meeting
        ),
        "partner_shares": lambda: validate_partner_shares(policy.partner_shares),
        "recall_window_counts_to": lambda: _validate_field_choice(policy, "recall_window_counts_to"),
        "clock_hours_due_out_of_hours": lambda: _validate_field_choice(
            policy, "clock_hours_due_out_of_hours"
        ),
        "risk_rule_reason": lambda: _validate_field_choice(policy, "risk_rule_reason"),
    }
    errors: dict[str, list[str]] = {}
    for field, check in checks.items():
        try:
            check()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)


def _at_least_one(value: Any, label: str) -> None:
    # 0 would make break-glass unusable in the emergency it exists for; no live grants (0) is
    # allowed, as a council's choice to switch it off.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{label}: must be a whole number of 1 or more, not {value!r}")


def _validate_months(value: Any, label: str) -> None:
    """A child protection review timescale: a whole number of months, at least one (Working Together
    allows no plan to go unreviewed for longer than six)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
        raise ValidationError(
            f"child protection {label}: a whole number of months from 1 to 6, not {value!r}"
        )


def _validate_subdiv(value: str) -> None:
    import holidays  # only when a policy is checked: the calendar module loads it for its own use

    if value not in holidays.country_holidays("GB").subdivisions:
        raise ValidationError(f"bank holiday region must be one of ENG, NIR, SCT, WLS, not {value!r}")


def _validate_field_choice(policy: PolicyVersion, name: str, label: str = "") -> None:
    """A setting that is one of its model field's choices (the model is the one list of them)."""
    field = policy._meta.get_field(name)
    allowed = [value for value, _ in field.choices]
    value = getattr(policy, name)
    if value not in allowed:
        shown = ", ".join(repr(choice) for choice in allowed)
        raise ValidationError(f"{label or name.replace('_', ' ')}: must be one of {shown}, not {value!r}")
