"""Working-time arithmetic: the clocks every deadline is computed from.

The rules live in Europe/London (working hours are wall-clock times there); arithmetic is done in
UTC so that the two daylight-saving changes neither lose nor invent an hour. Every instant taken or
returned is timezone-aware; a naive one is refused rather than guessed at.

A working day is a weekday that has working hours in the council's policy, is not a bank holiday for
the policy's region (the ``holidays`` package, which also knows the substitute days) and is not one
of the council's own closure days. Each working day has one window ``[opens, closes)``: an instant
exactly at closing time is out of hours, as the phones have gone to the emergency duty team by then.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A council with no working day in ten years has a broken policy; stop rather than loop for ever.
_SEARCH_LIMIT_DAYS = 3660

Window = tuple[datetime, datetime]  # (opens, closes), both in UTC


def parse_hhmm(value: str) -> time:
    """ "08:30" -> time(8, 30). Raises ValueError with the offending text."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (AttributeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a time of day in the form HH:MM") from exc


def parse_closure_day(value: str) -> tuple[int | None, int, int]:
    """ "2026-12-29" -> (2026, 12, 29); "12-24" (every year) -> (None, 12, 24)."""
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            date(*parts)
            return parts[0], parts[1], parts[2]
        if len(parts) == 2:
            date(2024, *parts)  # a leap year, so 02-29 is accepted as a recurring day
            return None, parts[0], parts[1]
    except (AttributeError, ValueError, TypeError):
        pass
    raise ValueError(f"{value!r} is not a closure day: use YYYY-MM-DD, or MM-DD for every year")


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} has no time zone; the calendar only takes timezone-aware instants")
    return instant.astimezone(UTC)


class WorkingCalendar:
    """A council's working time: hours per weekday, its bank holidays and its closure days.

    ``working_hours`` maps "mon".."sun" to ``["08:30", "17:00"]`` or ``None`` (closed all day).
    ``closure_days`` holds ISO dates, or "MM-DD" for a day the council closes every year.
    """

    def __init__(
        self,
        working_hours: Mapping[str, Sequence[str] | None],
        *,
        subdiv: str = "ENG",
        closure_days: Iterable[str] = (),
        tz: ZoneInfo = LONDON,
    ) -> None:
        self.tz = tz
        self._hours: dict[int, tuple[time, time] | None] = {}
        for index, key in enumerate(WEEKDAYS):
            span = working_hours.get(key)
            if span:
                opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
                if closes <= opens:
                    raise ValueError(f"{key}: closing time {span[1]} is not after opening time {span[0]}")
                self._hours[index] = (opens, closes)
            else:
                self._hours[index] = None
        # Never a hand-written list: the package knows every year's dates and substitute days.
        self._bank_holidays = holidays.country_holidays("GB", subdiv=subdiv)
        closures = [parse_closure_day(day) for day in closure_days]
        self._closed_dates = {date(y, m, d) for y, m, d in closures if y is not None}
        self._closed_every_year = {(m, d) for y, m, d in closures if y is None}
        self._window_cache: dict[date, Window | None] = {}

    # Days ---------------------------------------------------------------------------------------

    def bank_holiday_name(self, day: date) -> str | None:
        return self._bank_holidays.get(day)

    def is_closure_day(self, day: date) -> bool:
        return day in self._closed_dates or (day.month, day.day) in self._closed_every_year

    def is_working_day(self, day: date) -> bool:
        return self.window(day) is not None

    def window(self, day: date) -> Window | None:
        """The working window of a local date in UTC, or None when the council is closed that day."""
        if day not in self._window_cache:
            self._window_cache[day] = self._compute_window(day)
        return self._window_cache[day]

    def _compute_window(self, day: date) -> Window | None:
        span = self._hours[day.weekday()]
        if span is None or day in self._bank_holidays or self.is_closure_day(day):
            return None
        opens = datetime.combine(day, span[0], tzinfo=self.tz).astimezone(UTC)
        closes = datetime.combine(day, span[1], tzinfo=self.tz).astimezone(UTC)
        return opens, closes

    def _windows_from(self, day: date) -> Iterator[Window]:
        for offset in range(_SEARCH_LIMIT_DAYS):
            window = self.window(day + timedelta(days=offset))
            if window is not None:
                yield window
        raise ValueError(f"no working day within {_SEARCH_LIMIT_DAYS} days of {day}: check the working hours")

    def _local_date(self, instant_utc: datetime) -> date:
        return instant_utc.astimezone(self.tz).date()

    def _local(self, instant_utc: datetime) -> datetime:
        return instant_utc.astimezone(self.tz)

    # Instants -----------------------------------------------------------------------------------

    def is_out_of_hours(self, instant: datetime) -> bool:
        at = _aware(instant)
        window = self.window(self._local_date(at))
        return window is None or not (window[0] <= at < window[1])

    def next_working_moment(self, instant: datetime) -> datetime:
        """The instant itself when in hours, else the next opening time."""
        at = _aware(instant)
        for opens, closes in self._windows_from(self._local_date(at)):
            if at < closes:
                return self._local(max(at, opens))
        raise AssertionError("unreachable")  # pragma: no cover - _windows_from raises first

    def add_clock_hours(self, instant: datetime, hours: float) -> datetime:
        """Round-the-clock time: 4 hours from 23:50 is 03:50, even across a clock change."""
        return self._local(_aware(instant) + timedelta(hours=hours))

    def add_working_hours(self, instant: datetime, hours: float) -> datetime:
        """The instant when ``hours`` of working time will have passed since ``instant``.

        Time out of hours does not count. When the working time runs out exactly at closing time,
        the answer is that closing time (not the next morning's opening, which is the same amount
        of working time but later on the clock).
        """
        if hours < 0:
            raise ValueError("working hours to add must not be negative")
        at = _aware(instant)
        remaining = timedelta(hours=hours)
        if not remaining:
            return self._local(at)
        for opens, closes in self._windows_from(self._local_date(at)):
            start = max(at, opens)
            if start >= closes:
                continue
            available = closes - start
            if remaining <= available:
                return self._local(start + remaining)
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def add_working_days(self, instant: datetime, days: int) -> datetime:
        """The same time of day on the ``days``-th working day after the clock starts.

        The clock starts at the next working moment (so a Saturday referral starts on Monday
        morning). A clock that starts at opening time has the whole of that day, so one working
        day from Monday 08:30 is Monday's closing time. A time of day that the target day does not
        reach (a shorter Friday) is brought within that day's hours.
        """
        if days < 0:
            raise ValueError("working days to add must not be negative")
        start = _aware(self.next_working_moment(instant))
        if days == 0:
            return self._local(start)
        windows = self._windows_from(self._local_date(start))
        first_opens, first_closes = next(windows)
        at_opening = start == first_opens
        # Counting the clock's first day as day one when it starts at opening time.
        opens, closes = (first_opens, first_closes)
        for _ in range(days - 1 if at_opening else days):
            opens, closes = next(windows)
        if at_opening:
            return self._local(closes)
        wall = self._local(start).time()
        target = datetime.combine(self._local(opens).date(), wall, tzinfo=self.tz).astimezone(UTC)
        return self._local(min(max(target, opens), closes))

    def end_of_working_day(self, instant: datetime) -> datetime:
        """Closing time of the working day on which the clock starts ("the same working day")."""
        start = _aware(self.next_working_moment(instant))
        return self._local(self.window(self._local_date(start))[1])

    def add_calendar_months(self, instant: datetime, months: int) -> datetime:
        """Closing time of the last working day on or before the date ``months`` months after
        ``instant``'s date ("within three months": a date that falls on a weekend or a bank holiday
        pulls the deadline back, never on). A day the month lacks is its last day (31 May + 3
        months is 31 August; 30 November + 3 months is 28 or 29 February)."""
        if months < 0:
            raise ValueError("months to add must not be negative")
        start = self._local_date(_aware(instant))
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = date(year, month, min(start.day, monthrange(year, month)[1]))
        for offset in range(_SEARCH_LIMIT_DAYS):
            window = self.window(day - timedelta(days=offset))
            if window is not None:
                return self._local(window[1])
        raise ValueError(
            f"no working day within {_SEARCH_LIMIT_DAYS} days before {day}: check the working hours"
        )

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` is earlier."""
        a, b = _aware(start), _aware(end)
        if b < a:
            return -self.working_time_between(end, start)
        total = timedelta(0)
        day, last = self._local_date(a), self._local_date(b)
        while day <= last:
            window = self.window(day)
            if window is not None:
                overlap = min(b, window[1]) - max(a, window[0])
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total
