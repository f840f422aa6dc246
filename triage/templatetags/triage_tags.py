"""Small presentation helpers for the triage pages: a child's age, the time left on a clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from triage.deadlines import subject_label

register = template.Library()


def age_text(date_of_birth: date | None, expected: date | None = None, today: date | None = None) -> str:
    """ "7 years", "10 months", "unborn", or "age not known"."""
    today = today or timezone.localdate()
    if date_of_birth is None:
        return "unborn" if expected else "age not known"
    months = (
        (today.year - date_of_birth.year) * 12
        + today.month
        - date_of_birth.month
        - (today.day < date_of_birth.day)
    )
    if months < 24:
        return f"{max(months, 0)} month{'s' if months != 1 else ''}"
    years = months // 12
    return f"{years} years"


@register.filter
def child_age(child) -> str:
    return age_text(child.date_of_birth, child.expected_date_of_birth)


def time_left_text(due: datetime | None, now: datetime | None = None) -> str:
    """The clock in words. Overdue is said in text ("Overdue by ..."), never by colour alone."""
    if due is None:
        return "No clock running"
    now = now or timezone.now()
    if due <= now:
        return f"Overdue by {timeuntil(now, due, depth=2)}"
    return f"{timeuntil(due, now, depth=2)} left"


@register.filter
def time_left(due: datetime | None) -> str:
    return time_left_text(due)


@register.filter
def is_overdue(due: datetime | None) -> bool:
    return due is not None and due <= timezone.now()


@register.filter
def for_referral(mapping: dict, referral) -> object:
    """``rereferrals|for_referral:referral`` -> the entry for that referral, or None."""
    return (mapping or {}).get(referral.pk)


def since_text(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words ("3 hours, 20 minutes"): how long a referral has waited. Under a minute
    is "less than a minute" (Django's timesince would say "0 minutes")."""
    if moment is None:
        return "an unknown time"
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "less than a minute"
    return timesince(moment, now, depth=2)


@register.filter
def since(moment: datetime | None) -> str:
    return since_text(moment)


@register.filter
def for_child(mapping: dict, child) -> object:
    """``current|for_child:child`` -> that child's entry (e.g. their current decision), or None."""
    return (mapping or {}).get(child.pk)


UNIT_WORDS = {
    "clock_hours": ("hour", "hours"),
    "working_hours": ("working hour", "working hours"),
    "working_days": ("working day", "working days"),
}


@register.filter
def timescale_text(timescale: dict | None) -> str:
    """A policy timescale in words: "7 working days", "4 hours", "the same working day"."""
    if not timescale:
        return "not set"
    unit, amount = timescale.get("unit", ""), timescale.get("amount", 0)
    if unit == "same_working_day":
        return "the same working day"
    one, many = UNIT_WORDS.get(unit, (unit.replace("_", " "),) * 2)
    return f"{amount:g} {one if amount == 1 else many}"


@register.filter
def deadline_label(deadline) -> str:
    """A clock's name for a person: its kind, and what its subject adds where it adds something."""
    label = deadline.get_kind_display()
    extra = subject_label(deadline.subject)
    return f"{label} ({extra})" if extra else label
