"""Durham's published rules (seed 001, the Durham MASH questions and answers), each driven through
the service as the people who work it would: the online referral form, the triage pages and the
actions behind them, with the clock frozen.

Dates: Monday 30 November 2026 is a working day (Durham: 8.30am to 5pm Monday to Thursday).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Team
from mash.exceptions import InvalidInput
from mash.roles import Role
from notifications.models import Alert, Letter
from notifications.sweeper import sweep
from referrals.models import Referral
from referrals.states import Rag, Status
from tests.factories import TeamFactory, UserFactory
from tests.factories.triage import load_preset
from tests.support.journey import fill_in, submit
from triage import decisions as d
from triage.actions import policy_version_create, policy_version_fields
from triage.deadlines import ALLOCATION_MEETING, SERIOUS_CONCERNS
from triage.models import ChildDecision, ConsentBasis, CseRiskMatrix, Deadline, PolicyVersion
from triage.multiagency import actions as outcomes
from triage.multiagency.models import Outcome

LONDON = ZoneInfo("Europe/London")
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
SUNDAY_3AM = datetime(2026, 11, 29, 3, 0, tzinfo=LONDON)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def durham(db):
    return load_preset("durham")


@pytest.fixture
def one_point(db, make_user):
    """Durham's early help service (001: "the One Point duty officer")."""
    manager = make_user(Role.TEAM_MANAGER, username="onepoint")
    return TeamFactory(name="One Point Hub", kind=Team.Kind.EARLY_HELP, members=[manager])


def refer(client, when: datetime, **concern) -> Referral:
    """A professional refers one child through the online form at ``when``."""
    with time_machine.travel(when, tick=False):
        fill_in(client, concern=concern)
        response, _ = submit(client)
        assert response.status_code == 302
    return Referral.objects.order_by("-pk").first()


def decision(referral, rag: str, level: int) -> d.ChildDecisionInput:
    return d.ChildDecisionInput(
        child_id=referral.children.get().pk,
        rag=rag,
        level_of_need=level,
        rationale="Bruising on two days; Amy is scared to go home.",
        consent_basis=ConsentBasis.GIVEN,
        primary_need="N1",
    )


def test_durham_letter_within_one_working_day_of_the_referral(client, durham, lead, one_point):
    """001: "The letter will be sent from First Contact within one working day of the referral being
    made." The letter's clock starts at the referral's receipt, not at the decision: a referral made
    Monday at 10am and decided on Tuesday at 9.30am still owes its letter by Tuesday at 10am, and the
    sweeper raises the breach when it has not gone by then."""
    referral = refer(client, MONDAY_10AM)
    with time_machine.travel(at(12, 1, 9, 30), tick=False):  # Tuesday 1 December, 9.30am
        d.referral_decide(referral, decisions=[decision(referral, Rag.GREEN, 2)], by=lead)

    letter = Letter.objects.get(referral=referral)
    assert letter.deadline.started_at == referral.received_at
    assert letter.due_at == at(12, 1, 10, 0)  # one working day after the referral, not after the decision

    with time_machine.travel(at(12, 1, 9, 59), tick=False):
        assert not Alert.objects.filter(deadline=letter.deadline, level=Alert.Level.BREACH).exists()
        sweep()
        assert not Alert.objects.filter(deadline=letter.deadline, level=Alert.Level.BREACH).exists()
    with time_machine.travel(at(12, 1, 10, 1), tick=False):
        sweep()
    assert Alert.objects.filter(deadline=letter.deadline, level=Alert.Level.BREACH).exists()


def test_durham_serious_concerns_decided_within_four_hours_of_receipt(
    client, login, durham, officer, lead, make_user
):
    """001: "The MASH will make some decisions in no more than four hours where there are serious
    concerns for the safety of a child. All other decisions will be made within one working day
    following receipt of the referral." A referral that says at intake that a child is at risk of
    significant harm gets a four-hour decision clock from receipt, before anyone has rated it; the
    triage queue and the emergency duty team's queue show it; the threshold decision meets it."""
    serious = refer(client, MONDAY_10AM, significant_harm="yes")
    ordinary = refer(client, MONDAY_10AM, significant_harm="no")

    clock = Deadline.objects.get(referral=serious, kind=Deadline.Kind.DECISION, subject=SERIOUS_CONCERNS)
    assert (clock.started_at, clock.due_at) == (serious.received_at, at(11, 30, 14, 0))
    assert not Deadline.objects.filter(referral=ordinary, subject=SERIOUS_CONCERNS).exists()
    ordinary_clock = Deadline.objects.get(referral=ordinary, kind=Deadline.Kind.DECISION)
    assert ordinary_clock.due_at == at(12, 1, 10, 0)  # one working day following receipt

    with time_machine.travel(at(11, 30, 11, 0), tick=False):
        queue = login(officer).get(reverse("triage:queue")).content.decode()
    row = queue.split(serious.reference, 2)[2].split("</tr>", 1)[0]
    assert "Serious concerns: threshold decision due 30 November 2026 at 2pm" in _text(row)
    assert "3 hours left" in _text(row)
    # One clock in the row, the nearest: the serious-concerns clock, named, its time left after it
    # (not an unnamed "3 hours left" before it).
    assert _text(row).count("left") == 1
    assert _text(row).index("Serious concerns") < _text(row).index("3 hours left")
    assert "Serious concerns" not in _text(queue.split(ordinary.reference, 2)[2].split("</tr>", 1)[0])

    with time_machine.travel(at(11, 30, 13, 0), tick=False):
        d.referral_decide(serious, decisions=[decision(serious, Rag.AMBER, 3)], by=lead)
    clock.refresh_from_db()
    assert clock.met_at == at(11, 30, 13, 0) and clock.met_at <= clock.due_at

    # Out of hours the emergency duty team sees the same clock: Sunday 3am, due Sunday 7am.
    TeamFactory(name="Emergency Duty Team", kind=Team.Kind.EMERGENCY_DUTY, email="edt@durham.example")
    edt_user = make_user(Role.EMERGENCY_DUTY, username="edt")
    night = refer(client, SUNDAY_3AM, significant_harm="yes")
    with time_machine.travel(at(11, 29, 3, 30), tick=False):
        edt = login(edt_user).get(reverse("triage:edt")).content.decode()
    assert night.reference in edt
    assert "Serious concerns: threshold decision due 29 November 2026 at 7am" in _text(edt)
    # The clock the emergency duty team must beat comes before how long the referral has waited.
    edt_row = _text(edt.split(night.reference, 2)[2].split("</tr>", 1)[0])
    assert edt_row.index("Serious concerns") < edt_row.index("Received")


def test_durham_level_3_child_rated_green_does_not_go_to_early_help(client, login, durham, lead, one_point):
    """001: "If the child has level 2 needs, the information will be shared with the One Point duty
    officer ... If the child is deemed to have level 3 or level 4 needs then the information will go
    to the MASH for further information sharing and risk assessment." Routing follows the level of
    need as well as the RAG: a level 3 child rated Green is refused with a message naming the level
    of need (nothing is written), a level 2 child rated Green goes to One Point, and a level 3 child
    rated Amber stays with the MASH. The decision page says which level goes where."""
    green_level_3 = refer(client, MONDAY_10AM)
    with time_machine.travel(at(11, 30, 11, 0), tick=False):
        with pytest.raises(InvalidInput, match="Amy Smith: level of need 3 goes to the MASH"):
            d.referral_decide(green_level_3, decisions=[decision(green_level_3, Rag.GREEN, 3)], by=lead)
        assert not ChildDecision.objects.filter(referral=green_level_3).exists()

        page = login(lead).get(reverse("triage:decide", args=[green_level_3.reference])).content.decode()
        routes = "level 2 goes to early help: rate Green; levels 3 and 4 go to the MASH: rate Red or Amber"
        assert routes in page
        assert "level 1 follows the RAG rating" in page
        child = green_level_3.children.get()
        posted = login(lead).post(
            reverse("triage:decide", args=[green_level_3.reference]),
            {
                f"child-{child.pk}-rag": "green",
                f"child-{child.pk}-level_of_need": "3",
                f"child-{child.pk}-rationale": "Bruising.",
                f"child-{child.pk}-consent_basis": "given",
            },
        )
        assert posted.status_code == 200
        assert "Amy Smith: level of need 3 goes to the MASH" in posted.content.decode()
        green_level_3.refresh_from_db()
        assert (green_level_3.status, green_level_3.team) == (Status.RECEIVED, None)

        d.referral_decide(green_level_3, decisions=[decision(green_level_3, Rag.AMBER, 3)], by=lead)
        green_level_3.refresh_from_db()
        assert (green_level_3.status, green_level_3.team) == (Status.DECIDED, None)  # with the MASH

        level_2 = refer(client, MONDAY_10AM)
        d.referral_decide(level_2, decisions=[decision(level_2, Rag.GREEN, 2)], by=lead)
        level_2.refresh_from_db()
        assert (level_2.status, level_2.team) == (Status.DECIDED, one_point)

        red_level_2 = refer(client, MONDAY_10AM)
        with pytest.raises(InvalidInput, match="level of need 2 goes to early help"):
            d.referral_decide(red_level_2, decisions=[decision(red_level_2, Rag.RED, 2)], by=lead)


def test_durham_cse_concern_expects_the_risk_matrix(client, login, durham, officer, lead):
    """001: "Professionals are expected to have completed the risk matrix for children and young
    people where there is concern about child sexual exploitation." A referral whose concern is CSE
    shows the matrix as missing; a screening officer records it (risk level, who completed it, when,
    what it found) and the referral shows it. 001 says "expected", not that the MASH waits for it, so
    the threshold decision is not held for it (a council whose policy says "required" is:
    tests/triage/test_cse_matrix.py)."""
    referral = refer(client, MONDAY_10AM, cse_concern="yes")
    assert referral.cse_concern is True
    with time_machine.travel(at(11, 30, 11, 0), tick=False):
        page = login(officer).get(reverse("triage:referral", args=[referral.reference])).content.decode()
        assert "CSE risk matrix missing" in page and "Record the CSE risk matrix" in page

        url = reverse("triage:cse_matrix", args=[referral.reference])
        blank = login(officer).post(url, {})
        assert blank.status_code == 200 and "Choose the risk level the matrix gives" in blank.content.decode()
        assert not CseRiskMatrix.objects.exists()

        done = login(officer).post(
            url,
            {
                "risk_level": "high",
                "completed_by": "Jane Teacher, designated safeguarding lead",
                "completed_on_day": "27",
                "completed_on_month": "11",
                "completed_on_year": "2026",
                "summary": "Older boyfriend; gifts; missing overnight twice.",
            },
        )
        assert done.status_code == 302
        page = login(officer).get(reverse("triage:referral", args=[referral.reference])).content.decode()
    assert "CSE risk matrix missing" not in page and "Record the CSE risk matrix" not in page
    assert "High risk" in page and "Jane Teacher, designated safeguarding lead" in page
    matrix = CseRiskMatrix.objects.get(referral=referral)
    assert (matrix.risk_level, matrix.recorded_by) == ("high", officer)

    # Expected, not required: a CSE referral without its matrix can still be decided.
    other = refer(client, MONDAY_10AM, cse_concern="yes")
    with time_machine.travel(at(11, 30, 11, 0), tick=False):
        d.referral_decide(other, decisions=[decision(other, Rag.AMBER, 3)], by=lead)
    other.refresh_from_db()
    assert other.status == Status.DECIDED


# --- One Point's weekly allocation meeting ----------------------------------------------------------

MEETING = Deadline.Kind.ALLOCATION


def _green_to_one_point(client, lead, when: datetime) -> Referral:
    """A level 2 child, rated Green by the MASH at ``when``: to One Point (001)."""
    referral = refer(client, when.replace(hour=9))
    with time_machine.travel(when, tick=False):
        d.referral_decide(referral, decisions=[decision(referral, Rag.GREEN, 2)], by=lead)
    referral.refresh_from_db()
    return referral


def _allocation_clock(referral) -> Deadline:
    return Deadline.objects.get(referral=referral, kind=MEETING, subject=ALLOCATION_MEETING)


def test_durham_one_point_allocation_due_at_the_next_wednesday_10am_meeting(
    client, login, durham, lead, one_point
):
    """001: "If the child has level 2 needs, the information will be shared with the One Point duty
    officer and will be considered for allocation to a lead professional at the relevant weekly
    allocation meeting." 001 gives no day or time; the preset reads Wednesday 10am. A Green referral
    decided on Monday is due at Wednesday's meeting; one decided on Wednesday after 10am, at the next
    week's. The early help queue names the meeting beside the nearer clock."""
    monday = _green_to_one_point(client, lead, MONDAY_10AM)
    clock = _allocation_clock(monday)
    assert (monday.status, monday.team) == (Status.DECIDED, one_point)
    assert (clock.started_at, clock.due_at, clock.met_at) == (MONDAY_10AM, at(12, 2, 10, 0), None)
    late_wednesday = _green_to_one_point(client, lead, at(12, 2, 10, 30))
    assert _allocation_clock(late_wednesday).due_at == at(12, 9, 10, 0)

    with time_machine.travel(at(11, 30, 11, 0), tick=False):
        queue = login(lead).get(reverse("triage:early_help")).content.decode()
    row = _text(queue.split(monday.reference, 2)[2].split("</tr>", 1)[0])
    assert "Allocation due at the weekly allocation meeting, 2 December 2026 at 10am" in row
    assert "1 day, 23 hours left" in row
    # The nearer clock (Green's one working day from the 9am receipt) is the row's first line.
    assert row.startswith("22 hours left Allocation due at the weekly allocation meeting")


def test_durham_one_point_meeting_on_a_bank_holiday_wednesday_falls_to_the_next_week(
    client, durham, lead, one_point
):
    """001's weekly allocation meeting does not sit on a bank holiday: a Green referral decided on
    Christmas Eve 2029 (a Monday) misses Boxing Day (Wednesday 26 December) and is due at the
    meeting of Wednesday 2 January 2030."""
    referral = _green_to_one_point(client, lead, datetime(2029, 12, 24, 11, 0, tzinfo=LONDON))
    assert _allocation_clock(referral).due_at == datetime(2030, 1, 2, 10, 0, tzinfo=LONDON)


def test_durham_one_point_allocation_clock_met_when_the_referral_is_allocated(
    client, durham, lead, one_point
):
    """001: "considered for allocation to a lead professional": the clock is met when One Point's
    manager allocates the referral to a worker, after the MASH records early help as its outcome."""
    manager = one_point.members.get()
    one_point.manager = manager
    one_point.save(update_fields=["manager"])
    worker = UserFactory(username="lead_professional")
    one_point.members.add(worker)
    referral = _green_to_one_point(client, lead, MONDAY_10AM)
    with time_machine.travel(at(11, 30, 12, 0), tick=False):
        outcomes.outcome_record(
            referral,
            destination=Outcome.Destination.EARLY_HELP,
            rationale="Level 2 needs.",
            recommendation="A lead professional from One Point.",
            team=one_point,
            by=lead,
        )
        assert _allocation_clock(referral).met_at is None
    allocated = at(12, 2, 10, 20)  # at the meeting
    with time_machine.travel(allocated, tick=False):
        outcomes.referral_allocate(referral, worker=worker, by=manager)
    referral.refresh_from_db()
    clock = _allocation_clock(referral)
    assert referral.status == Status.ALLOCATED and clock.met_at == allocated


def test_durham_one_point_allocation_clock_stops_on_step_up(client, durham, lead, one_point):
    """A referral stepped back up from One Point to the MASH is no longer One Point's to allocate:
    its clock stops at the step-up, and a new Green decision starts a new one for the next meeting."""
    referral = _green_to_one_point(client, lead, MONDAY_10AM)
    stepped = at(12, 1, 9, 0)
    with time_machine.travel(stepped, tick=False):
        d.referral_step_up(referral, reason="Father has moved back in", by=one_point.members.get())
    assert _allocation_clock(referral).met_at == stepped
    assert not Deadline.objects.filter(referral=referral, kind=MEETING, met_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"day": "someday", "at": "10:00"}, "early help allocation meeting.day: one of mon, tue"),
        ({"day": "wed", "at": "25:00"}, "early help allocation meeting.at: '25:00' is not a time"),
        ({"days": ["wed"], "at": "10:00"}, "early help allocation meeting: expected day and at"),
    ],
)
def test_durham_bad_allocation_meeting_setting_is_refused(durham, value, message):
    """The meeting must be a weekday and a time of day; anything else is refused naming the field,
    and the current version stays as it was."""
    settings = policy_version_fields(durham) | {"early_help_allocation_meeting": value}
    with pytest.raises(ValidationError) as refused:
        policy_version_create(council="durham", settings=settings, by="tests", note="bad")
    assert any(message in text for text in refused.value.message_dict["early_help_allocation_meeting"])
    assert PolicyVersion.objects.get(is_current=True) == durham


def test_durham_preset_reads_the_allocation_meeting_as_wednesday_10am(durham):
    assert durham.early_help_allocation_meeting == {"day": "wed", "at": "10:00"}
    assert any("One Point allocation meeting: 001" in line for line in durham.defaults_taken)


def _text(html: str) -> str:
    """The page's words without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
