# ruff: noqa: E501  (tables of expected rows read best one row per line)
"""The census validity rules of facts section 1 ("Rules to enforce at entry"): each rule broken once
by an episode that is otherwise valid, and a clean episode that breaks none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from reports.cin_rules import check_child, check_episode, working_days_between
from reports.statutory import Assessment, Child, CpPlan, Episode, Section47

REFERRAL = date(2026, 10, 5)  # a Monday
AS_AT = date(2026, 10, 30)


def clean(**changes) -> Episode:
    fields = {
        "referral_date": REFERRAL,
        "source": "6",
        "primary_need": "N1",
        "nfa": False,
        "assessments": [
            Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 20), factors=["3B", "16A"])
        ],
        "section47s": [
            Section47(start=date(2026, 10, 6), icpc_target=date(2026, 10, 27), icpc_date=date(2026, 10, 26))
        ],
    }
    return Episode(**{**fields, **changes})


def rules(episode: Episode) -> list[str]:
    return sorted(v.rule for v in check_episode(episode, as_at=AS_AT))


def test_a_clean_episode_breaks_no_rule():
    assert rules(clean()) == []


@pytest.mark.parametrize(
    ("episode", "expected"),
    [
        (clean(assessments=[Assessment(start=date(2026, 10, 1), authorised=date(2026, 10, 9), factors=["21"])]),
         ["1103"]),
        (clean(section47s=[Section47(start=date(2026, 10, 2), icpc_date=date(2026, 10, 8))]), ["2889"]),
        (clean(section47s=[Section47(start=date(2026, 10, 1), icpc_date=date(2026, 10, 2))]), ["1104", "2889"]),
        (clean(closure_date=date(2026, 10, 2), closure_reason="RC7"), ["8630"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 9), authorised=date(2026, 10, 8), factors=["21"])]),
         ["8608"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6), factors=["1A"])]), ["8614"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 7))]), ["8897Q"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 7), factors=["1A", "1A"])]),
         ["8898"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 7), factors=["21", "1A"])]),
         ["8869"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 7), factors=["99Z"])]),
         ["AssessmentFactors"]),
        (clean(assessments=[Assessment(start=date(2026, 10, 6)), Assessment(start=date(2026, 10, 8))]), ["8863Q", "8896"]),
        (clean(assessments=[
            Assessment(start=date(2026, 10, 6), authorised=date(2026, 10, 20), factors=["1A"]),
            Assessment(start=date(2026, 10, 12), authorised=date(2026, 10, 22), factors=["1A"]),
        ]), ["8863Q"]),
        (clean(section47s=[Section47(start=date(2026, 10, 9), icpc_date=date(2026, 10, 8))]), ["8615"]),
        (clean(section47s=[Section47(start=date(2026, 10, 6), icpc_date=date(2026, 10, 24))]), ["8875"]),
        (clean(section47s=[Section47(start=date(2026, 10, 6), icpc_target=date(2026, 10, 25),
                                     icpc_date=date(2026, 10, 23))]), ["8870Q"]),
        (clean(section47s=[Section47(start=date(2026, 10, 6))]), ["8675Q"]),
        (clean(section47s=[Section47(start=date(2026, 10, 26)), Section47(start=date(2026, 10, 28))]), ["8839", "8890"]),
        (clean(closure_date=date(2026, 10, 29)), ["8805"]),
        (clean(closure_reason="RC7"), ["8810"]),
        (clean(closure_reason="RC10", closure_date=date(2026, 10, 29)), ["8640"]),
        (clean(nfa=True), ["8831"]),
        (clean(nfa=True, assessments=[], section47s=[], cp_plans=[CpPlan(start=date(2026, 10, 26), initial_category="NEG")]), ["8832"]),
        (clean(primary_need=""), ["8610"]),
        (clean(primary_need="N11"), ["8650"]),
        (clean(source="11"), ["8866"]),
        (clean(assessments=[], section47s=[], closure_date=date(2026, 10, 29), closure_reason="RC8"), ["8825Q"]),
        (clean(closure_date=date(2026, 10, 29), closure_reason="RC9"), ["2990"]),
    ],
)  # fmt: skip
def test_each_rule(episode, expected):
    assert rules(episode) == expected


def test_an_assessment_open_beyond_45_working_days_is_queried():
    episode = clean(
        referral_date=date(2026, 6, 1), assessments=[Assessment(start=date(2026, 6, 1))], section47s=[]
    )
    assert rules(episode) == ["8670Q"]
    assert working_days_between(date(2026, 6, 1), AS_AT) > 45


def test_without_a_reference_date_the_councils_day_is_used():
    # 23:30 UTC on Monday 6 July is 00:30 on Tuesday in London: the assessment's 46th working day.
    episode = clean(
        referral_date=date(2026, 4, 30), assessments=[Assessment(start=date(2026, 4, 30))], section47s=[]
    )
    with time_machine.travel(datetime(2026, 7, 6, 23, 30, tzinfo=UTC), tick=False):
        assert sorted(v.rule for v in check_episode(episode)) == ["8670Q"]
    assert working_days_between(date(2026, 4, 30), date(2026, 7, 6)) == 45


def test_working_days_skip_bank_holidays():
    # 23 December 2026 to 5 January 2027: Christmas, Boxing Day (substitute Monday 28th) and New Year.
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 5)) == 6


def test_a_nfa_referral_needs_no_primary_need():
    assert rules(Episode(referral_date=REFERRAL, source="1A", nfa=True)) == []


def test_one_open_episode_at_a_time_unless_nfa():
    two_open = Child(
        "C1",
        "M",
        "WBRI",
        birth_date=date(2024, 1, 1),
        episodes=[clean(section47s=[]), clean(section47s=[], assessments=[])],
    )
    assert [v.rule for v in check_child(two_open, as_at=AS_AT)] == ["8815"]
    nfa = Episode(referral_date=date(2026, 10, 7), source="1A", nfa=True)
    # An NFA referral beside an open episode is not a second open one (8815), but the open episode must
    # be the child's latest referral (8816): the Department's rule counts the NFA one too.
    later = Child("C2", "M", "WBRI", birth_date=date(2024, 1, 1), episodes=[clean(), nfa])
    assert [v.rule for v in check_child(later, as_at=AS_AT)] == ["8816"]
    earlier_nfa = Episode(referral_date=date(2026, 10, 1), source="1A", nfa=True)
    earlier = Child("C2", "M", "WBRI", birth_date=date(2024, 1, 1), episodes=[earlier_nfa, clean()])
    assert check_child(earlier, as_at=AS_AT) == []


def test_episodes_may_not_overlap():
    first = clean(closure_date=date(2026, 10, 29), closure_reason="RC7")
    second = clean(referral_date=date(2026, 10, 20), assessments=[], section47s=[])
    violations = check_child(
        Child("C3", "F", "WBRI", birth_date=date(2024, 1, 1), episodes=[first, second]), as_at=AS_AT
    )
    assert [(v.rule, v.child) for v in violations] == [("8820", "C3")]


@pytest.mark.django_db
def test_check_referral_on_entry(world):
    """Other code can check one referral as the workflow now records it, e.g. after an outcome."""
    from reports.cin_rules import check_referral
    from triage.models import Outcome

    # The child (born 2012) is of school age with no UPN and no reason recorded: a query only.
    assert [v.rule for v in check_referral(world.referrals["R2"].pk, as_at=AS_AT)] == ["8770Q"]
    assert check_referral(world.referrals["R4"].pk, as_at=AS_AT) == []  # NFA: not a CIN referral
    Outcome.objects.filter(referral=world.referrals["R2"]).update(primary_need="")
    world.children["c2"].decisions.update(primary_need="")
    assert [v.rule for v in check_referral(world.referrals["R2"].pk, as_at=AS_AT)] == ["8610", "8770Q"]
