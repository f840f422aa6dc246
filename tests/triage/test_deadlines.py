"""Stored due times: started on entry, met when done, recomputed when the RAG changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mash.exceptions import InvalidInput
from mash.models import AuditEvent
from referrals.states import Rag, Status
from tests.factories import ReferralFactory, load_preset
from triage.actions import policy_version_create, policy_version_fields
from triage.deadlines import (
    deadline_meet,
    deadline_start,
    deadlines_recompute_for_rag,
    referral_clocks_start,
    subject_label,
)
from triage.models import Deadline

LONDON = ZoneInfo("Europe/London")
Kind = Deadline.Kind


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _rag(referral, rag: str) -> None:
    referral.rag = rag
    referral.save(update_fields=["rag"])


def _open(referral) -> dict[tuple[str, str], datetime]:
    rows = referral.deadlines.filter(met_at__isnull=True).values_list("kind", "subject", "due_at")
    return {(kind, subject): due for kind, subject, due in rows}


@pytest.fixture
def durham(db):
    return load_preset("durham")


@pytest.fixture
def wolverhampton(db):
    return load_preset("wolverhampton")


# Starting on receipt ------------------------------------------------------------------------------------


def test_the_decision_clock_starts_on_receipt_in_hours(durham):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 11, 0))
    (decision,) = referral_clocks_start(referral, policy=durham)
    assert (decision.kind, decision.started_at, decision.due_at) == (
        Kind.DECISION,
        at(2026, 11, 24, 11, 0),
        at(2026, 11, 25, 11, 0),
    )
    assert decision.warn_at == decision.due_at - timedelta(minutes=durham.warning_lead_minutes)
    assert decision.policy_version == durham
    referral.refresh_from_db()
    assert referral.next_due_at == decision.due_at


def test_out_of_hours_the_decision_clock_waits_for_the_next_working_moment(durham):
    # Saturday of the August bank holiday weekend: the clock starts Tuesday 08:30 and has that day.
    referral = ReferralFactory(received_at=at(2026, 8, 29, 10, 0), domestic_abuse_risk="high")
    decision, domestic = referral_clocks_start(referral, policy=durham)
    assert decision.started_at == at(2026, 8, 29, 10, 0)  # the real receipt is kept
    assert decision.due_at == at(2026, 9, 1, 17, 0)
    assert (domestic.kind, domestic.due_at) == (Kind.DOMESTIC_ABUSE_SCREENING, at(2026, 9, 1, 17, 0))


def test_a_running_clock_is_not_restarted_and_a_missing_timescale_is_refused(durham):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 11, 0))
    first = deadline_start(referral, Kind.DECISION, policy=durham, start=at(2026, 11, 24, 11, 0))
    again = deadline_start(referral, Kind.DECISION, policy=durham, start=at(2026, 11, 24, 15, 0))
    assert again == first and again.due_at == at(2026, 11, 25, 11, 0)
    with pytest.raises(InvalidInput, match="no timescale"):
        deadline_start(referral, Kind.ALLOCATION, policy=durham)
    with pytest.raises(InvalidInput, match="no timescale"):  # no RAG, so no partner timescale
        deadline_start(referral, Kind.PARTNER_RESPONSE, policy=durham, subject="informationrequest:1")
    assert referral.deadlines.count() == 1


@time_machine.travel(at(2026, 11, 24, 12, 0), tick=False)
def test_meeting_a_clock_stops_it_and_moves_next_due_to_the_next_nearest(durham):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 11, 0), domestic_abuse_risk="standard")
    referral_clocks_start(referral, policy=durham)
    referral.refresh_from_db()
    assert referral.next_due_at == at(2026, 11, 25, 11, 0)  # the decision, before the 7-day screening
    met = deadline_meet(referral, Kind.DECISION, by="tests")
    assert met.met_at == at(2026, 11, 24, 12, 0)
    referral.refresh_from_db()
    assert referral.next_due_at == at(2026, 12, 3, 11, 0)
    assert deadline_meet(referral, Kind.DECISION) is None  # nothing open: nothing done
    rows = AuditEvent.objects.filter(referral_id=referral.pk).order_by("id")
    actions = list(rows.values_list("action", flat=True))
    assert actions == ["deadline.start", "deadline.start", "deadline.meet"]


# Recomputing for the RAG ----------------------------------------------------------------------------------


def test_a_friday_amber_stepped_up_to_red_comes_forward(wolverhampton):
    referral = ReferralFactory(received_at=at(2026, 11, 27, 15, 0), rag=Rag.AMBER)
    referral_clocks_start(referral, policy=wolverhampton)
    deadlines_recompute_for_rag(referral, policy=wolverhampton)
    assert _open(referral) == {
        # One working day (the statutory default), but no later than Amber's 24 hours (002) allow.
        (Kind.DECISION, ""): at(2026, 11, 28, 15, 0),
        (Kind.MASH_DISCUSSION, ""): at(2026, 11, 28, 15, 0),
    }
    deadline_start(
        referral, Kind.PARTNER_RESPONSE, policy=wolverhampton, start=at(2026, 11, 27, 16, 0), subject="ir:1"
    )
    _rag(referral, Rag.RED)
    changed = deadlines_recompute_for_rag(referral, policy=wolverhampton, by="tests")
    assert len(changed) == 3
    assert _open(referral) == {
        (Kind.DECISION, ""): at(2026, 11, 27, 19, 0),  # Red: 4 hours from receipt, round the clock
        (Kind.STRATEGY_DISCUSSION, ""): at(2026, 11, 27, 19, 0),
        (Kind.PARTNER_RESPONSE, "ir:1"): at(2026, 11, 27, 20, 0),  # 4 hours from the request
    }
    referral.refresh_from_db()
    assert referral.next_due_at == at(2026, 11, 27, 19, 0)
    event = AuditEvent.objects.filter(action="deadline.recompute_for_rag").latest("id")
    assert (event.details["rag"], event.details["previous_rag"]) == (Rag.RED, Rag.AMBER)


def test_a_step_up_never_extends_a_deadline(db):
    # A council whose Amber clock is longer than its Green one (odd, but allowed): stepping Green up
    # to Amber must keep Green's earlier time.
    base = load_preset("durham")
    settings = policy_version_fields(base)
    settings["rag_timescales"] = {
        "red": {"amount": 4, "unit": "clock_hours"},
        "amber": {"amount": 3, "unit": "working_days"},
        "green": {"amount": 4, "unit": "working_hours"},
    }
    policy = policy_version_create(council="durham", settings=settings, by="tests", note="odd")
    referral = ReferralFactory(received_at=at(2026, 11, 24, 9, 0), rag=Rag.GREEN)
    deadlines_recompute_for_rag(referral, policy=policy)
    assert _open(referral) == {(Kind.EARLY_HELP, ""): at(2026, 11, 24, 13, 0)}
    _rag(referral, Rag.AMBER)
    deadlines_recompute_for_rag(referral, policy=policy)
    assert _open(referral) == {(Kind.MASH_DISCUSSION, ""): at(2026, 11, 24, 13, 0)}


def test_a_step_down_gives_the_new_ragged_time_and_clears_a_breach_that_no_longer_is(wolverhampton):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 9, 0), rag=Rag.RED)
    deadlines_recompute_for_rag(referral, policy=wolverhampton)
    clock = referral.deadlines.get()
    assert (clock.kind, clock.due_at) == (Kind.STRATEGY_DISCUSSION, at(2026, 11, 24, 13, 0))
    Deadline.objects.filter(pk=clock.pk).update(breached_at=at(2026, 11, 24, 13, 0))
    _rag(referral, Rag.AMBER)
    deadlines_recompute_for_rag(referral, policy=wolverhampton)
    clock.refresh_from_db()
    assert (clock.kind, clock.due_at, clock.breached_at) == (
        Kind.MASH_DISCUSSION,
        at(2026, 11, 25, 9, 0),
        None,
    )


def test_blue_stops_the_rag_clock_and_a_finished_clock_is_not_restarted(durham):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 9, 0), rag=Rag.AMBER)
    deadlines_recompute_for_rag(referral, policy=durham)
    _rag(referral, Rag.BLUE)
    deadlines_recompute_for_rag(referral, policy=durham)
    assert _open(referral) == {}
    _rag(referral, Rag.GREEN)
    assert deadlines_recompute_for_rag(referral, policy=durham) == []
    assert _open(referral) == {}


def test_an_unchanged_rag_changes_nothing(durham):
    referral = ReferralFactory(received_at=at(2026, 11, 24, 9, 0), rag=Rag.AMBER)
    deadlines_recompute_for_rag(referral, policy=durham)
    before = AuditEvent.objects.count()
    assert deadlines_recompute_for_rag(referral, policy=durham) == []
    assert AuditEvent.objects.count() == before


@time_machine.travel(at(2026, 12, 24, 10, 0), tick=False)
def test_through_the_lifecycle_the_decision_records_its_clock_over_christmas(durham):
    from triage.actions import referral_transition

    referral = ReferralFactory(received_at=at(2026, 12, 24, 9, 30))
    referral_clocks_start(referral, policy=durham)
    assert _open(referral) == {(Kind.DECISION, ""): at(2026, 12, 29, 9, 30)}  # 25 and 28 December skipped
    referral_transition(referral, to=Status.SCREENING, by="tests")
    _rag(referral, Rag.RED)
    deadlines_recompute_for_rag(referral, policy=durham)  # a provisional Red before the decision
    assert _open(referral)[(Kind.DECISION, "")] == at(2026, 12, 24, 13, 30)
    referral_transition(referral, to=Status.DECIDED, by="tests")
    assert referral.deadlines.get(kind=Kind.DECISION).met_at == at(2026, 12, 24, 10, 0)
    assert referral.next_due_at == at(2026, 12, 24, 13, 30)  # the Red strategy clock


def test_closing_a_referral_stops_its_clocks_but_not_the_letter_still_owed(durham):
    from triage.deadlines import deadlines_stop_all

    referral = ReferralFactory(received_at=at(2026, 11, 24, 11, 0))
    referral_clocks_start(referral, policy=durham)
    deadline_start(referral, Kind.LETTER, policy=durham, start=at(2026, 11, 24, 12, 0), subject="letter:1")
    deadlines_stop_all(referral, at=at(2026, 11, 24, 12, 5))
    assert list(_open(referral)) == [(Kind.LETTER, "letter:1")]


@pytest.mark.parametrize(
    ("subject", "label"),
    [
        ("", ""),
        ("serious_concerns", "serious concerns: significant harm indicated at intake"),
        ("strategy_meeting", "holding it, from the decision to hold one"),
        ("allocation_meeting", "to the weekly allocation meeting"),
        ("informationrequest:12", "information request to a partner agency"),
        ("cpplan:3", "child protection plan"),
    ],
)
def test_every_clock_subject_has_a_label_for_a_person(subject, label):
    """The clocks table names a clock by its kind and, where it adds something, its subject in
    words: never a raw key such as "(strategy_meeting)"."""
    assert subject_label(subject) == label
