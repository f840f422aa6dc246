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

UNITS = ("clock_hours", "working_hours", "working_days", "same_working_day")
STARTS = ("received", "next_working_moment")
CONSENT_RULES = ("not_required_if_risk", "consent_or_reason", "consent_required", "none")
DOMESTIC_ABUSE_LEVELS = ("high", "medium", "standard")
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
        "bank_holiday_subdiv": lambda: _validate_subdiv(policy.bank_holiday_subdiv),
        "partner_shares": lambda: validate_partner_shares(policy.partner_shares),
        "recall_window_counts_to": lambda: _validate_choice(policy, "recall_window_counts_to"),
        "clock_hours_due_out_of_hours": lambda: _validate_choice(policy, "clock_hours_due_out_of_hours"),
        "risk_rule_reason": lambda: _validate_choice(policy, "risk_rule_reason"),
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


def _validate_choice(policy: PolicyVersion, name: str) -> None:
    field = policy._meta.get_field(name)
    allowed = [value for value, _ in field.choices]
    value = getattr(policy, name)
    if value not in allowed:
        label = field.name.replace("_", " ")
        raise ValidationError(f"{label}: must be one of {', '.join(allowed)}, not {value!r}")
