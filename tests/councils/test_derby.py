"""Derby City's published rules (seeds 000, the reception service leaflet, and 003, the board
report), each driven through the intake API and the pages as the MASH would, on a frozen clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.authentication import api_token_create
from mash.models import AuditEvent
from mash.roles import Role
from referrals.models import Consultation, Referral
from referrals.states import Rag
from tests.factories import AgencyFactory, TeamFactory, load_preset, referral_with_people
from tests.support.answers import api_body
from triage.models import AgendaItem, Deadline, DutyDay, MaracReferral, Outcome, TriageMeeting

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Monday 23 November 2026; Derby's meetings are Tuesday 24th and Thursday 26th at 10:00.
MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
TUESDAY_MEETING = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
THURSDAY_MEETING = datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def derby(db):
    return load_preset("derby")


@pytest.fixture
def police_key(db):
    police = AgencyFactory(name="Derbyshire Constabulary", slug="derbyshire-police", referral_source="6")
    _token, key = api_token_create(police, name="Domestic abuse notifications", by="test")
    return key


@pytest.fixture
def officer_client(client, make_user, login):
    officer = make_user(Role.SCREENING_OFFICER, username="sol", first_name="Sol", last_name="Officer")
    return login(officer)


def notify(client, key: str, grade: str, when: datetime, idem: str) -> Referral:
    """A police domestic abuse notification through the intake API at ``when``."""
    with time_machine.travel(when, tick=False):
        response = client.post(
            "/api/v1/referrals/",
            api_body(domestic_abuse_risk=grade),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
            HTTP_IDEMPOTENCY_KEY=idem,
        )
    assert response.status_code == 201, response.content
    return Referral.objects.get(reference=response.json()["reference"])


def meetings_url(day: str = "") -> str:
    return f"/triage/domestic-abuse/meetings/{day + '/' if day else ''}"


# --- domestic abuse triage meetings (000, 003) ---------------------------------------------------


def test_derby_domestic_abuse_triage_meets_twice_weekly_with_social_care_police_education_and_health(
    derby, officer_client
):
    """000: "Concerns about domestic abuse are considered by the triage team in twice weekly meetings
    of social workers, police, education and health." (The days are not published: Tuesday and
    Thursday at 10:00 are the preset's default, named in defaults_taken.)"""
    assert any("twice weekly on Tuesday and Thursday" in d for d in derby.defaults_taken)
    with time_machine.travel(MONDAY, tick=False):
        page = officer_client.get(meetings_url()).content.decode()
    assert "Next meeting: 24 November 2026 at 10am" in page
    assert "26 November 2026 at 10am" in page and "1 December 2026 at 10am" in page
    assert "Children&#x27;s social care, Police, Education, Health" in page
    # No meeting on a Wednesday.
    assert officer_client.get(meetings_url("2026-11-25")).status_code == 404


def test_derby_medium_risk_notifications_go_on_the_next_triage_meetings_agenda(
    derby, client, police_key, officer_client
):
    """003 1.3: the police "are now actively involved in weekly triage meetings looking at medium risk
    domestic abuse incidents with children's social care": a medium-risk notification goes on the
    next meeting's agenda when it arrives; high and standard risk do not."""
    monday = notify(client, police_key, "medium", MONDAY, "m-1")
    after_tuesday_meeting = notify(client, police_key, "medium", at(2026, 11, 24, 10, 30), "m-2")
    high = notify(client, police_key, "high", MONDAY, "h-1")
    standard = notify(client, police_key, "standard", MONDAY, "s-1")
    on_agenda = {
        item.referral.reference: item.meeting.starts_at
        for item in AgendaItem.objects.select_related("meeting", "referral")
    }
    assert on_agenda == {monday.reference: TUESDAY_MEETING, after_tuesday_meeting.reference: THURSDAY_MEETING}
    with time_machine.travel(MONDAY, tick=False):
        page = officer_client.get(meetings_url()).content.decode()
    assert monday.reference in page and high.reference not in page and standard.reference not in page
    assert AuditEvent.objects.filter(
        action="triage.triage_meeting_agenda_add", referral_id=monday.pk
    ).exists()


def test_derby_the_triage_meeting_minutes_an_outcome_per_notification_and_who_attended(
    derby, client, police_key, officer_client
):
    """000: notifications are "considered by the triage team in twice weekly meetings": the meeting
    records who sat for each agency and an outcome for each notification; its screening clock
    (003 4.11: medium "screened ... within 3 days") is met by the meeting; a notification not
    reached goes on the next meeting's agenda."""
    first = notify(client, police_key, "medium", MONDAY, "m-1")
    second = notify(client, police_key, "medium", at(2026, 11, 23, 15, 0), "m-2")
    items = {item.referral_id: item for item in AgendaItem.objects.all()}
    with time_machine.travel(at(2026, 11, 24, 11, 0), tick=False):
        form = officer_client.get(meetings_url("2026-11-24")).content.decode()
        for agency in ("social_care", "police", "education", "health"):
            assert f'for="id_attendee_{agency}"' in form
        response = officer_client.post(
            meetings_url("2026-11-24"),
            {
                "attendee_social_care": "Sam Senior",
                "attendee_police": "DS Patel",
                "attendee_education": "Ellie Edwards",
                "attendee_health": "",
                f"outcome_{items[first.pk].pk}": "information_shared",
                f"minute_{items[first.pk].pk}": "School told; health visitor to follow up.",
                f"outcome_{items[second.pk].pk}": "",
            },
        )
        assert response.status_code == 302, response.content.decode()
        page = officer_client.get(meetings_url("2026-11-24")).content.decode()
    minuted = AgendaItem.objects.get(pk=items[first.pk].pk)
    assert minuted.outcome == "information_shared" and minuted.recorded_by.username == "sol"
    meeting = TriageMeeting.objects.get(starts_at=TUESDAY_MEETING)
    assert [row["agency"] for row in meeting.attendees] == ["social_care", "police", "education"]
    assert "Information shared with the child" in page and "DS Patel (Police)" in page
    screening = Deadline.objects.get(referral=first, kind=Deadline.Kind.DOMESTIC_ABUSE_SCREENING)
    assert screening.met_at == at(2026, 11, 24, 11, 0)
    assert AgendaItem.objects.filter(referral=second, meeting__starts_at=THURSDAY_MEETING).exists()
    assert AuditEvent.objects.filter(action="triage.triage_meeting_minute", referral_id=first.pk).count() == 1


def test_derby_triage_meeting_minutes_wait_for_the_meeting(derby, client, police_key, officer_client):
    """The minutes record what the meeting decided: they cannot be recorded before it starts, and
    the form says why, naming nothing changed."""
    notification = notify(client, police_key, "medium", MONDAY, "m-1")
    item = AgendaItem.objects.get(referral=notification)
    with time_machine.travel(at(2026, 11, 24, 9, 0), tick=False):
        response = officer_client.post(
            meetings_url("2026-11-24"),
            {"attendee_social_care": "Sam Senior", f"outcome_{item.pk}": "no_further_action"},
        )
    assert response.status_code == 200
    assert "The meeting has not started yet" in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == ""


# --- MARAC (000) ---------------------------------------------------------------------------------


def test_derby_high_risk_notifications_are_referred_to_marac(derby, client, police_key, officer_client):
    """000: "A social worker, senior practitioner and manager screen all referrals and support the
    MARAC process": a high-risk notification shows whether it has been referred to MARAC (the
    preset requires it), and the referral is recorded with its date, who and the MARAC reference."""
    high = notify(client, police_key, "high", MONDAY, "h-1")
    with time_machine.travel(at(2026, 11, 23, 16, 0), tick=False):
        before = officer_client.get(f"/triage/{high.reference}/").content.decode()
        assert "Not yet referred" in before and "requires every high-risk notification" in before
        queue = officer_client.get("/triage/domestic-abuse/").content.decode()
        assert "Not yet referred to MARAC" in queue
        refused = officer_client.post(
            f"/triage/{high.reference}/marac/",
            {"referred_on_0": "24", "referred_on_1": "11", "referred_on_2": "2026", "marac_reference": "M-1"},
        )
        assert "cannot be in the future" in refused.content.decode()
        assert not MaracReferral.objects.exists()
        done = officer_client.post(
            f"/triage/{high.reference}/marac/",
            {
                "referred_on_0": "23",
                "referred_on_1": "11",
                "referred_on_2": "2026",
                "marac_reference": "DBY-4411",
            },
        )
        assert done.status_code == 302
        after = officer_client.get(f"/triage/{high.reference}/").content.decode()
        queue = officer_client.get("/triage/domestic-abuse/").content.decode()
    assert "Referred on 23 November 2026 by Sol Officer, MARAC reference DBY-4411" in after
    assert "Referred to MARAC" in queue
    record = MaracReferral.objects.get(referral=high)
    assert (record.referred_by.username, record.marac_reference) == ("sol", "DBY-4411")
    assert AuditEvent.objects.filter(action="triage.marac_referral", referral_id=high.pk).exists()
    # Once referred, the page no longer offers it (and refuses a second one).
    assert "Record the referral to MARAC" not in after
    assert officer_client.get(f"/triage/{high.reference}/marac/").status_code == 403


def test_derby_only_high_risk_notifications_are_for_marac(derby, client, police_key, officer_client):
    """MARAC is the conference for high-risk domestic abuse (000: the triage team "support the MARAC
    process"): a medium-risk notification is not offered it."""
    medium = notify(client, police_key, "medium", MONDAY, "m-1")
    with time_machine.travel(at(2026, 11, 23, 16, 0), tick=False):
        page = officer_client.get(f"/triage/{medium.reference}/").content.decode()
        assert "MARAC" not in page
        assert officer_client.get(f"/triage/{medium.reference}/marac/").status_code == 403


# --- the assessment teams' duty rota (000) -------------------------------------------------------


@pytest.fixture
def assessment_teams(db):
    return [
        TeamFactory(slug=f"assessment-{n}", name=f"Assessment Team {n}", rota_position=n) for n in (1, 2, 3)
    ]


def test_derby_new_s17_and_s47_work_goes_to_the_assessment_team_on_duty_today(
    derby, assessment_teams, make_user, login
):
    """000: "Where the threshold is met for a S17 assessment or a S47 enquiry the child and their
    family are referred to one of our three assessment teams ... There are three teams of social
    workers undertaking a duty system." A manager keeps the rota; the outcome page shows today's
    duty team, and S17 work the lead names no team for goes to it."""
    lead = make_user(Role.MASH_LEAD, username="lee", first_name="Lee", last_name="Lead")
    client = login(lead)
    one, two, three = assessment_teams
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):
        saved = client.post("/mash/duty-rota/", {"day_2026-11-23": two.pk, "day_2026-11-24": three.pk})
        assert saved.status_code == 302
        rota = client.get("/mash/duty-rota/").content.decode()
        referral = referral_with_people(
            decided=True, rag=Rag.GREEN, policy=derby, decided_by=lead, received_at=at(2026, 11, 23, 9, 0)
        )
        page = client.get(f"/mash/{referral.reference}/outcome/").content.decode()
        recorded = client.post(
            f"/mash/{referral.reference}/outcome/",
            {
                "destination": "s17_assessment",
                "primary_need": "N1",
                "team": "",
                "rationale": "Needs an assessment of the family's needs.",
                "recommendation": "Visit within five working days.",
            },
        )
    assert "On duty today, 23 November 2026: <strong>Assessment Team 2</strong>" in rota
    assert "On duty today: <strong>Assessment Team 2</strong>" in page
    assert recorded.status_code == 302, recorded.content.decode()
    assert Outcome.objects.get(referral=referral).team == two
    referral.refresh_from_db()
    assert referral.team == two
    assert dict(DutyDay.objects.values_list("day", "team__slug")) == {
        at(2026, 11, 23, 0, 0).date(): "assessment-2",
        at(2026, 11, 24, 0, 0).date(): "assessment-3",
    }
    assert AuditEvent.objects.filter(action="triage.duty_rota_set", actor=lead).count() == 2


def test_derby_the_duty_rota_is_kept_by_a_manager(derby, assessment_teams, make_user, login, client):
    """000's duty system is the assessment teams' own: a MASH lead or an assessment team's manager
    sets who is on duty; a screening officer can read it and is refused a change (nothing changes)."""
    officer = make_user(Role.SCREENING_OFFICER, username="sol")
    manager = make_user(Role.TEAM_MANAGER, username="tam")
    team = assessment_teams[0]
    team.manager = manager
    team.save()
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):
        officer_client = login(officer, client)
        assert officer_client.get("/mash/duty-rota/").status_code == 200
        assert officer_client.post("/mash/duty-rota/", {"day_2026-11-23": team.pk}).status_code == 403
        assert not DutyDay.objects.exists()
        manager_client = login(manager, client)
        assert manager_client.post("/mash/duty-rota/", {"day_2026-11-23": team.pk}).status_code == 302
    assert DutyDay.objects.get().set_by == manager


# --- the professionals' consultation line (000) --------------------------------------------------


def test_derby_professionals_consultation_line_is_open_10am_to_4pm(derby, client):
    """000: "Professionals Consultation 07812 300329, 10am - 4pm": the form's start page gives the
    line's number and hours and says whether it is open now or when it opens (the days are not
    published: Monday to Friday, as the MASH, is the preset's default)."""
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):
        before = client.get("/refer/").content.decode()
    with time_machine.travel(at(2026, 11, 23, 15, 59), tick=False):
        during = client.get("/refer/").content.decode()
    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):  # Friday at 4pm
        after = client.get("/refer/").content.decode()
    assert "Professionals&#x27; consultation line" in during and "07812 300329" in during
    assert "10am to 4pm, Monday to Friday" in during
    assert "Closed now: opens at 10am today" in before
    assert "Open now, until 4pm" in during
    assert "Closed now: opens at 10am on Monday 30 November" in after


def test_derby_consultation_outside_the_lines_hours_is_recorded_and_marked(derby, make_user, login):
    """000 publishes the consultation line's hours (10am - 4pm); a call taken outside them is still
    recorded as a consultation, and marked as outside the line's hours."""
    officer = login(make_user(Role.SCREENING_OFFICER, username="sol"))
    call = {
        "caller_name": "Dr Amir",
        "caller_organisation": "Royal Derby Hospital",
        "source": "3F",
        "summary": "Asked whether bruising on a toddler needs a referral.",
        "advice_given": "Refer: explained the online form.",
    }
    with time_machine.travel(at(2026, 11, 23, 16, 30), tick=False):
        page = officer.get("/refer/consultation/").content.decode()
        late = officer.post("/refer/consultation/", call).content.decode()
    with time_machine.travel(at(2026, 11, 24, 11, 0), tick=False):
        in_hours = officer.post("/refer/consultation/", call).content.decode()
    assert "Closed now: opens at 10am tomorrow" in page
    assert "Outside the line's hours" in late and "Outside the line's hours" not in in_hours
    assert list(
        Consultation.objects.order_by("received_at").values_list("outside_line_hours", flat=True)
    ) == [
        True,
        False,
    ]
