"""Every dashboard figure against the hand-built data set (tests/reports/world.py) with known answers."""

from __future__ import annotations

import pytest

from reports import figures
from reports.selectors import Scope, dashboard_scope

from .world import END, START

pytestmark = pytest.mark.django_db


def _filters(world=None, **kw) -> figures.Filters:
    return figures.Filters(
        start=kw.pop("start", START), end=kw.pop("end", END), scope=kw.pop("scope", Scope(None)), **kw
    )


def _rows(figure) -> dict:
    return {row[0]: row[1:] if len(row) > 2 else row[1] for row in figure.rows}


def test_summary_counts_out_of_hours_and_consent(world):
    rows = _rows(figures.summary(_filters()))
    assert rows["Referrals received"] == [6, None]
    assert rows["Received out of hours"] == [2, 33.3]
    assert rows["Consent given"] == [4, 66.7]
    assert rows["Consent refused"] == [1, 16.7]
    assert rows["Consent not sought (reason recorded)"] == [1, 16.7]


def test_by_source_in_census_order(world):
    figure = figures.by_source(_filters())
    assert [(row[0][:3], row[1]) for row in figure.rows] == [("1A:", 1), ("2A:", 1), ("6: ", 3), ("9: ", 1)]


def test_by_rag(world):
    assert _rows(figures.by_rag(_filters())) == {
        "Red": 1, "Amber": 2, "Green": 1, "Blue": 1, "Not yet rated": 1,
    }  # fmt: skip


def test_by_day_fills_every_day_of_the_period(world):
    rows = _rows(figures.by_day(_filters()))
    assert len(rows) == 31
    assert {day: n for day, n in rows.items() if n} == {
        "2026-10-05": 2, "2026-10-12": 1, "2026-10-20": 1, "2026-10-28": 1, "2026-10-30": 1,
    }  # fmt: skip


def test_by_hour_uses_local_time(world):
    rows = _rows(figures.by_hour(_filters()))
    # 09:00 UTC in BST is 10:00; R5 at 10:00 UTC after the clocks went back is 10:00 too.
    assert {hour: n for hour, n in rows.items() if n} == {
        "09:00": 1,
        "10:00": 2,
        "14:00": 1,
        "21:00": 1,
        "23:00": 1,
    }


def test_queue_now_by_age_and_overdue(world):
    figure = figures.queue_now(_filters())
    assert _rows(figure) == {"Under 1 day": 0, "1 to 3 days": 2, "3 to 7 days": 1, "7 days or more": 0}
    assert figure.note == "2 of 3 waiting referrals are past a deadline."


def test_timeliness_counts_settled_clocks_only(world):
    rows = _rows(figures.timeliness(_filters()))
    assert rows["Threshold decision"] == [5, 3, 60.0]
    assert rows["Partner response"] == [2, 1, 50.0]
    assert rows["Outcome letter"] == [2, 1, 50.0]


def test_timeliness_trend_by_week_due(world):
    figure = figures.timeliness_trend(_filters())
    assert figure.columns == ["Week starting", "Threshold decision", "Partner response", "Outcome letter"]
    assert figure.rows == [
        ["2026-10-05", 50.0, 50.0, 0.0],
        ["2026-10-12", 100.0, None, 100.0],
        ["2026-10-19", 0.0, None, None],
        ["2026-10-26", 100.0, None, None],
    ]


def test_partner_responses_per_agency(world):
    assert _rows(figures.partner_responses(_filters())) == {
        "Derbyshire Police": [2, 2, 50.0, 13.0],
        "Hilltop School": [1, 0, 0.0, None],
    }


def test_partner_filter_means_the_agency_asked(world):
    police = world.agencies["police"]
    assert _rows(figures.partner_responses(_filters(agency=police))) == {
        "Derbyshire Police": [2, 2, 50.0, 13.0]
    }
    # ...while the referral figures count what that agency referred (R1, R4, R5).
    assert _rows(figures.summary(_filters(agency=police)))["Referrals received"] == [3, None]


def test_rag_changes_after_information_gathering(world):
    assert _rows(figures.rag_changes(_filters())) == {"Amber to Red": 1, "Green, unchanged": 1}


def test_outcomes(world):
    assert _rows(figures.outcomes(_filters())) == {
        "Strategy discussion / section 47 enquiry": 1,
        "Section 17 child and family assessment": 1,
        "Early help": 1,
        "Another agency as lead professional": 0,
        "Advice and signposting": 0,
        "No further action": 1,
    }


def test_rereferrals_within_twelve_months(world):
    # R1 (P1 referred in March, R0) and R5 (P1 again, after R1).
    assert _rows(figures.rereferrals(_filters())) == {
        "Referrals received": [6, None],
        "Re-referrals within 12 months": [2, 33.3],
    }


def test_team_filter(world):
    rows = _rows(figures.summary(_filters(team=world.teams["A"])))
    assert rows["Referrals received"] == [2, None]


def test_team_manager_scope_is_their_teams(world):
    scope = dashboard_scope(world.users["manager_a"])
    assert scope.team_ids == frozenset({world.teams["A"].pk})
    assert _rows(figures.by_rag(_filters(scope=scope))) == {
        "Red": 1, "Amber": 1, "Green": 0, "Blue": 0, "Not yet rated": 0,
    }  # fmt: skip
    # A team outside the scope cannot widen it: the scope and the filter both apply.
    outside = _filters(scope=scope, team=world.teams["B"])
    assert _rows(figures.summary(outside))["Referrals received"] == [0, None]


def test_an_empty_period_gives_zeros_not_errors(world):
    from datetime import date

    f = _filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    for figure in figures.all_figures(f):
        assert figure.rows is not None
    assert _rows(figures.summary(f))["Referrals received"] == [0, None]
    assert _rows(figures.timeliness(f))["Threshold decision"] == [0, 0, None]


def test_each_satellite_counts_by_its_own_time(world):
    """A letter due in November counts in November, though its referral came in October."""
    from datetime import date

    from tests.reports.world import _clock, at
    from triage.models import Deadline

    r4 = world.referrals["R4"]
    _clock(r4, Deadline.Kind.LETTER, at("2026-11-01", "09:00"), at("2026-10-31"), "letter:1")
    assert _rows(figures.timeliness(_filters()))["Outcome letter"] == [2, 1, 50.0]
    november = _filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert _rows(figures.timeliness(november))["Outcome letter"] == [1, 1, 100.0]
    assert _rows(figures.summary(november))["Referrals received"] == [1, None]  # R7


def _recount_timeliness(team_ids) -> dict:
    """The timeliness figure counted straight from the referrals' own team, joining as before."""
    from django.utils import timezone

    from triage.models import Deadline

    f = _filters()
    rows = {}
    for kind in figures.TIMELINESS_KINDS:
        clocks = [
            clock
            for clock in Deadline.objects.filter(kind=kind, referral__team_id__in=team_ids)
            if f.since <= clock.due_at < f.until
            and (clock.met_at is not None or clock.due_at < timezone.now())
        ]
        met = sum(1 for clock in clocks if clock.met_at is not None and clock.met_at <= clock.due_at)
        rows[Deadline.Kind(kind).label] = [len(clocks), met, figures._pct(met, len(clocks))]
    return rows


def test_one_teams_timeliness_equals_a_recount_from_the_referrals_team(world):
    for team in world.teams.values():
        rows = _rows(figures.timeliness(_filters(team=team)))
        assert rows == _recount_timeliness([team.pk])
    scope = dashboard_scope(world.users["manager_a"])
    assert _rows(figures.timeliness(_filters(scope=scope))) == _recount_timeliness(scope.team_ids)
    assert _rows(figures.timeliness(_filters(team=world.teams["A"])))["Threshold decision"][0] > 0


def test_a_referral_moved_to_another_team_takes_its_clocks_figures_with_it(world):
    from triage.actions import referral_assign

    team_a, team_b = world.teams["A"], world.teams["B"]
    before_a = _rows(figures.timeliness(_filters(team=team_a)))
    moved = world.referrals["R1"]
    referral_assign(moved, team=team_b, by=world.users["lead"], reason="Moved")
    after_a = _rows(figures.timeliness(_filters(team=team_a)))
    assert after_a != before_a
    assert after_a == _recount_timeliness([team_a.pk])
    assert _rows(figures.timeliness(_filters(team=team_b))) == _recount_timeliness([team_b.pk])
    assert set(moved.deadlines.values_list("team_id", flat=True)) == {team_b.pk}


def test_the_dashboard_takes_the_same_queries_for_one_team_as_for_the_service(
    world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as service:
        figures.all_figures(_filters())
    with django_assert_num_queries(len(service.captured_queries)):
        figures.all_figures(_filters(team=world.teams["A"]))
