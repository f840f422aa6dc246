"""The service's one way of writing dates and times, the GOV.UK style: "3 December 2026" and
"3 December 2026 at 1:11pm" (midday and midnight said as words), always in UK time."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def govuk_time_of(moment: datetime) -> str:
    moment = _local(moment)
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    # GOV.UK style: "2pm" on the hour, "2:30pm" otherwise.
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def govuk_date_of(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {value:%B %Y}"


@register.filter
def govuk_date(value: date | datetime | None) -> str:
    """'3 December 2026'; empty for no date."""
    return govuk_date_of(value) if value else ""


@register.filter
def govuk_datetime(value: datetime | None) -> str:
    """'3 December 2026 at 1:11pm'; empty for no moment."""
    if not value:
        return ""
    return f"{govuk_date_of(value)} at {govuk_time_of(value)}"


@register.filter
def govuk_time(value: datetime | None) -> str:
    """'1:11pm'; empty for no moment."""
    return govuk_time_of(value) if value else ""


@register.simple_tag
def error_links(*forms) -> list[tuple[str, str]]:
    """Every error of every form on the page, in page order, as (control id, message)."""
    links: list[tuple[str, str]] = []
    for item in forms:
        if hasattr(item, "error_links"):
            links.extend(item.error_links())
        elif isinstance(item, list | tuple):  # a list of forms, or of (person, form) pairs
            links.extend(error_links(*item))
    return links
