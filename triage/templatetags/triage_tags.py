"""Small presentation helpers for the triage pages: a child's age, the time left on a clock."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

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
