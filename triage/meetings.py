"""When a council's regular meetings next sit: the domestic abuse triage meetings (000, 003) and
early help's weekly allocation meeting (Durham 001). Both follow the same rule: on one of the
meeting's weekdays, at its time, on a working day of the council's calendar (a bank holiday or
closure day on a meeting day has no meeting: the next one does the work)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from mash.calendar import LONDON, WEEKDAYS, WorkingCalendar, parse_hhmm

from .models import PolicyVersion
from .policy import calendar_for

# Meetings are at most weekly apart; five weeks finds the next one even across a Christmas closure
# that takes out two meeting days.
_LOOK_AHEAD_DAYS = 35


def next_meeting_start(
    days: Collection[str], at: str, calendar: WorkingCalendar, after: datetime
) -> datetime | None:
    """The start of the first meeting strictly after ``after`` on one of ``days`` ("mon".."sun") at
    ``at`` ("HH:MM", London time), skipping days the calendar does not work. None if there is none
    within the look-ahead (a policy whose meeting day is never a working day)."""
    hhmm = parse_hhmm(at)
    first = after.astimezone(LONDON).date()
    for offset in range(_LOOK_AHEAD_DAYS):
        day = first + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in days or not calendar.is_working_day(day):
            continue
        starts = datetime.combine(day, hhmm, tzinfo=LONDON)
        if starts > after:
            return starts
    return None


def next_allocation_meeting(policy: PolicyVersion, after: datetime) -> datetime | None:
    """The start of early help's next weekly allocation meeting after ``after`` under ``policy``'s
    ``early_help_allocation_meeting`` (Durham: Wednesday 10am); None when the policy has none."""
    meeting = policy.early_help_allocation_meeting
    if not meeting:
        return None
    return next_meeting_start((meeting["day"],), meeting["at"], calendar_for(policy), after)
