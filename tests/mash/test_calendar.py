"""The working-time calendar, worked by hand against each council's hours (triage.presets).

Dates used: Summer bank holiday Mon 31 Aug 2026; Christmas 2026 (Fri 25, Boxing Day's substitute
Mon 28); Christmas 2027 (substitutes Mon 27 and Tue 28); Easter 2027 (Good Friday 26 March, Easter
Monday 29 March, with the clocks going forward on Sunday 28 March); clocks go back Sun 25 Oct 2026
and Sun 31 Oct 2027; forward Sun 29 Mar 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.calendar import WorkingCalendar
from triage.presets import preset

LONDON = ZoneInfo("Europe/London")
COUNCILS = ("derby", "durham", "wolverhampton", "cambridgeshire")


def cal(council: str, **overrides) -> WorkingCalendar:
    settings_ = {**preset(council), **overrides}
    return WorkingCalendar(
        settings_["working_hours"],
        subdiv=settings_["bank_holiday_subdiv"],
        closure_days=settings_["closure_days"],
    )


def at(*args) -> datetime:
    """A wall-clock time in London."""
    return datetime(*args, tzinfo=LONDON)


CALENDARS = {council: cal(council) for council in COUNCILS}


# Days ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # an ordinary Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 8, 31), False),  # Summer bank holiday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
        (date(2026, 12, 29), True),
        (date(2027, 12, 27), False),  # Christmas Day on a Saturday: substitute Monday
        (date(2027, 12, 28), False),  # Boxing Day on a Sunday: substitute Tuesday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2028, 1, 3), False),  # New Year's Day on a Saturday: substitute Monday
    ],
)
def test_working_days_follow_the_bank_holidays_of_england(day, working):
    for calendar in CALENDARS.values():
        assert calendar.is_working_day(day) is working


def test_scotland_has_its_own_bank_holidays():
    scotland = cal("durham", bank_holiday_subdiv="SCT")
    assert scotland.is_working_day(date(2026, 8, 31))  # not a holiday in Scotland
    assert not scotland.is_working_day(date(2026, 8, 3))  # Scotland's summer holiday


def test_council_closure_days_once_and_every_year():
    closing = cal("durham", closure_days=["2026-12-29", "12-31"])
    assert not closing.is_working_day(date(2026, 12, 29))
    assert closing.is_working_day(date(2027, 12, 29))  # only that year
    assert not closing.is_working_day(date(2026, 12, 31))
    assert not closing.is_working_day(date(2027, 12, 31))  # every year


# Out of hours -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "out_of_hours"),
    [
        # Derby 09:00-17:00; Durham, Wolverhampton 08:30-17:00 (Fri 16:30); Cambs 08:45-17:20 (Fri 16:20)
        (
            at(2026, 11, 23, 8, 40),
            (True, False, False, True),
        ),
        (
            at(2026, 11, 23, 17, 0),
            (True, True, True, False),
        ),
        (
            at(2026, 11, 23, 17, 20),
            (True, True, True, True),
        ),
        (
            at(2026, 11, 27, 16, 25),
            (False, False, False, True),
        ),
        (
            at(2026, 11, 27, 16, 30),
            (False, True, True, True),
        ),
        (at(2026, 11, 28, 12, 0), (True,) * 4),  # Saturday
        (at(2026, 8, 31, 12, 0), (True,) * 4),  # bank holiday Monday
        (at(2026, 8, 31, 11, 0).astimezone(UTC), (True,) * 4),  # any time zone in
        (at(2026, 10, 26, 9, 0), (False,) * 4),  # the Monday after the clocks go back
    ],
)
def test_out_of_hours_for_each_council(instant, out_of_hours):
    # in the order derby, durham, wolverhampton, cambridgeshire
    assert tuple(CALENDARS[council].is_out_of_hours(instant) for council in COUNCILS) == out_of_hours


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        CALENDARS["durham"].is_out_of_hours(datetime(2026, 11, 23, 10, 0))


def test_next_working_moment_after_a_bank_holiday_weekend():
    saturday = at(2026, 8, 29, 10, 0)
    assert CALENDARS["durham"].next_working_moment(saturday) == at(2026, 9, 1, 8, 30)
    assert CALENDARS["derby"].next_working_moment(saturday) == at(2026, 9, 1, 9, 0)
    assert CALENDARS["cambridgeshire"].next_working_moment(saturday) == at(2026, 9, 1, 8, 45)
    in_hours = at(2026, 9, 1, 11, 0)
    assert CALENDARS["durham"].next_working_moment(in_hours) == in_hours


# Adding working time ----------------------------------------------------------------------------------


def test_working_hours_run_over_a_short_friday_and_the_clocks_going_back():
    durham, cambs = CALENDARS["durham"], CALENDARS["cambridgeshire"]
    friday = at(2026, 10, 23, 16, 0)  # BST; the clocks go back on Sunday
    assert durham.add_working_hours(friday, 2) == at(2026, 10, 26, 10, 0)  # 30 min Friday, 90 Monday (GMT)
    assert durham.add_working_hours(friday, 2).utcoffset() == timedelta(0)
    assert cambs.add_working_hours(friday, 2) == at(2026, 10, 26, 10, 25)  # 20 min Friday, 100 Monday
    # Running out exactly at closing time gives closing time, not the next opening.
    assert durham.add_working_hours(at(2026, 10, 23, 16, 0), 0.5) == at(2026, 10, 23, 16, 30)


def test_working_hours_across_the_clocks_going_forward():
    durham = CALENDARS["durham"]
    friday = at(2026, 3, 27, 16, 0)  # GMT; the clocks go forward on Sunday
    assert durham.add_working_hours(friday, 1) == at(2026, 3, 30, 9, 0)  # BST
    assert durham.working_time_between(at(2026, 3, 27, 8, 30), at(2026, 3, 30, 17, 0)) == timedelta(
        hours=16.5
    )


def test_working_days_from_a_friday_afternoon():
    assert CALENDARS["durham"].add_working_days(at(2026, 11, 27, 15, 0), 1) == at(2026, 11, 30, 15, 0)
    # Received after Durham's Friday close: the clock starts Monday 08:30 and has all of Monday.
    assert CALENDARS["durham"].add_working_days(at(2026, 11, 27, 16, 45), 1) == at(2026, 11, 30, 17, 0)
    # Derby is still open at 16:45 on a Friday.
    assert CALENDARS["derby"].add_working_days(at(2026, 11, 27, 16, 45), 1) == at(2026, 11, 30, 16, 45)
    # Thursday 16:45 + 1 working day: Friday closes at 16:30, so the due time is brought to 16:30.
    assert CALENDARS["durham"].add_working_days(at(2026, 11, 26, 16, 45), 1) == at(2026, 11, 27, 16, 30)


def test_working_days_over_christmas_2026_and_2027():
    durham = CALENDARS["durham"]
    assert durham.add_working_days(at(2026, 12, 24, 14, 0), 1) == at(2026, 12, 29, 14, 0)
    assert durham.add_working_days(at(2027, 12, 23, 14, 0), 1) == at(2027, 12, 24, 14, 0)
    assert durham.add_working_days(at(2027, 12, 24, 12, 0), 1) == at(2027, 12, 29, 12, 0)
    # With the council closed between Christmas and New Year as well:
    closed = cal("durham", closure_days=["12-29", "12-30", "12-31"])
    assert closed.add_working_days(at(2027, 12, 24, 12, 0), 1) == at(2028, 1, 4, 12, 0)


def test_working_days_over_easter_2027_and_the_clocks_going_forward():
    durham = CALENDARS["durham"]
    thursday = at(2027, 3, 25, 15, 0)  # GMT, before Good Friday
    due = durham.add_working_days(thursday, 1)
    assert due == at(2027, 3, 30, 15, 0)  # Tuesday, in BST
    assert due.astimezone(UTC).hour == 14
    # One working day is one Monday-to-Thursday's worth of working time, clocks or no clocks.
    assert durham.working_time_between(thursday, due) == timedelta(hours=8.5)


def test_fifteen_working_days_match_the_census_convention():
    # statutory-facts.md: the event day is day 0, a 15-working-day target is the 15th working day after.
    strategy = at(2026, 12, 14, 11, 0)
    target = CALENDARS["derby"].add_working_days(strategy, 15)
    # 15-18, 21-24 and 29-31 December (11), skipping 25 and 28 December; then 4-7 January (after the 1st).
    assert target == at(2027, 1, 7, 11, 0)


def test_same_working_day_after_a_weekend():
    derby = CALENDARS["derby"]
    assert derby.end_of_working_day(at(2026, 8, 29, 10, 0)) == at(2026, 9, 1, 17, 0)
    assert derby.end_of_working_day(at(2026, 9, 2, 10, 0)) == at(2026, 9, 2, 17, 0)


# Clock hours (Red runs round the clock) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(2026, 11, 25, 23, 50), at(2026, 11, 26, 3, 50)),
        # The night the clocks go back: 23:50 BST + 4 h is 02:50 GMT (the hour 01:00-02:00 happens twice).
        (at(2026, 10, 24, 23, 50), datetime(2026, 10, 25, 2, 50, tzinfo=UTC)),
        # The night they go forward: 23:50 GMT + 4 h is 04:50 BST.
        (at(2027, 3, 27, 23, 50), at(2027, 3, 28, 4, 50)),
    ],
)
def test_red_at_ten_to_midnight_runs_round_the_clock(start, due):
    for calendar in CALENDARS.values():
        result = calendar.add_clock_hours(start, 4)
        assert result == due
        # Real elapsed time, whatever the wall clock says (compared in UTC: Python subtracts two
        # datetimes in the same zone by wall clock, which is exactly the mistake to avoid).
        assert result.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=4)


# Counting -------------------------------------------------------------------------------------------


def test_working_time_between_over_a_bank_holiday_weekend_and_backwards():
    durham = CALENDARS["durham"]
    friday, tuesday = at(2026, 8, 28, 15, 0), at(2026, 9, 1, 10, 0)
    assert durham.working_time_between(friday, tuesday) == timedelta(hours=3)  # 1.5 Friday + 1.5 Tuesday
    assert durham.working_time_between(tuesday, friday) == -timedelta(hours=3)


def test_a_policy_without_any_working_day_is_refused():
    with pytest.raises(ValueError, match="not after opening"):
        WorkingCalendar({"mon": ["17:00", "09:00"]})
    empty = WorkingCalendar({})
    with pytest.raises(ValueError, match="no working day"):
        empty.next_working_moment(at(2026, 1, 1, 9, 0))


# Properties ---------------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))


@settings(max_examples=300, deadline=None)
@given(
    council=st.sampled_from(COUNCILS), start=instants, minutes=st.integers(min_value=0, max_value=60 * 200)
)
def test_adding_then_counting_working_time_round_trips(council, start, minutes):
    calendar = CALENDARS[council]
    hours = minutes / 60
    end = calendar.add_working_hours(start, hours)
    assert calendar.working_time_between(start, end) == timedelta(minutes=minutes)
    assert end >= start
    if minutes:
        # The end is the earliest such instant: one minute less of working time ends earlier.
        assert calendar.add_working_hours(start, (minutes - 1) / 60) < end


@settings(max_examples=200, deadline=None)
@given(council=st.sampled_from(COUNCILS), start=instants, days=st.integers(min_value=1, max_value=50))
def test_working_days_land_in_hours_and_count_whole_days(council, start, days):
    calendar = CALENDARS[council]
    due = calendar.add_working_days(start, days)
    opened = calendar.next_working_moment(start)
    assert due > opened
    # The due time lies on a working day, within (or at the close of) its hours.
    assert calendar.is_working_day(due.date())
    assert not calendar.is_out_of_hours(due) or due == calendar.window(due.date())[1]
    # Between the start and the due time lie days-1 full working days and parts of at most two more.
    worked = calendar.working_time_between(start, due)
    longest_day = timedelta(hours=8, minutes=35)
    assert worked <= days * longest_day


@settings(max_examples=200, deadline=None)
@given(council=st.sampled_from(COUNCILS), a=instants, b=instants, c=instants)
def test_counting_adds_up(council, a, b, c):
    calendar = CALENDARS[council]
    a, b, c = sorted((a, b, c))
    assert calendar.working_time_between(a, b) + calendar.working_time_between(b, c) == (
        calendar.working_time_between(a, c)
    )
    moment = calendar.next_working_moment(a)
    assert not calendar.is_out_of_hours(moment)
    assert calendar.working_time_between(a, moment) == timedelta(0)
