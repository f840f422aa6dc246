"""Wolverhampton's published rules (seeds/002, the MASH leaflet), each driven through the product's
public actions and pages under the Wolverhampton preset, with a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agencies.models import Agency, Team
from mash import audit
from mash.codes import LawfulBasis
from mash.exceptions import Conflict
from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from notifications.models import Letter
from referrals.actions import referral_submit
from referrals.intake import clean_intake
from referrals.person_index import actions as person_index
from referrals.states import Rag, Status
from tests.factories import AgencyFactory, TeamFactory
from tests.factories.person_index import add_involvement, make_person, make_team
from tests.support import answers
from tests.support.pdf import flat, pdf_text
from triage import decisions as d
from triage.actions import policy_preset_load
from triage.models import ChildDecision, ConsentBasis, Deadline
from triage.multiagency.models import InformationRequest
from triage.multiagency.requests import information_requests_send
from triage.policy import due_at

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning in November, inside the MASH's daytime hours (8.30-5.00pm Mon-Thurs).
TUESDAY_10AM = datetime(2026, 11, 17, 10, 0, tzinfo=LONDON)
Kind = Deadline.Kind


@pytest.fixture
def wolverhampton(db):
    return policy_preset_load("wolverhampton", by=None)


@pytest.fixture
def early_help(make_user):
    manager = make_user(Role.TEAM_MANAGER, username="eli_early_help")
    return TeamFactory(name="Early Intervention Hub", kind=Team.Kind.EARLY_HELP, members=[manager])


def submit(key: str = "web:wolverhampton-1"):
    """A professional's online referral, through the intake as the public form sends it."""
    data = clean_intake(
        {
            "route": {"referrer_type": "professional"},
            "referrer": answers.professional_answers(),
            "concern": answers.concern_answers(),
            "support": answers.support_answers(),
            "voices": answers.voices_answers(),
            "consent": answers.consent_answers(),
            "children": [answers.child_answers()],
            "adults": [answers.adult_answers()],
        }
    )
    return referral_submit(data, by=audit.PUBLIC, channel="online", idempotency_key=key)


def decision(referral, rag, *, level=3, basis=ConsentBasis.GIVEN, reason="", advice=""):
    return [
        d.ChildDecisionInput(
            child_id=child.pk,
            rag=rag,
            level_of_need=level,
            rationale="What the school and the mother told us.",
            consent_basis=basis,
            consent_reason=reason,
            advice_given=advice,
        )
        for child in referral.children.all()
    ]


def open_clock(referral, kind):
    return Deadline.objects.get(referral=referral, kind=kind, subject="", met_at__isnull=True)


# --- the known child check ------------------------------------------------------------------------


def test_wolverhampton_case_closed_within_the_last_28_days_goes_to_the_allocated_worker(
    wolverhampton, officer
):
    """002: "If it is an open case, or a case that has been closed within the last 28 days, the
    allocated worker is considered to be the best person to support the child or young person, so
    the case is referred directly to them." Counted back from the referral's receipt (the reading
    in the preset's defaults_taken)."""
    team = make_team("Social Work Unit 3")
    with time_machine.travel(TUESDAY_10AM, tick=False):
        within = submit("web:within")
        beyond = submit("web:beyond")
    received = TUESDAY_10AM.date()
    for referral, closed_days_before in ((within, 28), (beyond, 29)):
        person = make_person()
        add_involvement(person, team, closed_on=received - timedelta(days=closed_days_before))
        child = referral.children.get()
        # The check is made three days after the referral arrived.
        with time_machine.travel(TUESDAY_10AM + timedelta(days=3), tick=False):
            person_index.match_confirm(referral, child, person, by=officer, reason="Same child")
        referral.refresh_from_db()
    within.refresh_from_db()
    beyond.refresh_from_db()
    assert (within.status, within.team) == (Status.ROUTED_TO_KNOWN_CASE, team)
    assert beyond.status != Status.ROUTED_TO_KNOWN_CASE and beyond.team is None


# --- the RAG timescales ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rag", "kind", "hours"),
    [(Rag.RED, Kind.STRATEGY_DISCUSSION, 4), (Rag.AMBER, Kind.MASH_DISCUSSION, 24)],
)
def test_wolverhampton_red_in_4_hours_to_strategy_discussion_and_amber_in_24_hours_to_mash(
    wolverhampton, lead, rag, kind, hours
):
    """002: "RED ... To be dealt with in 4 hours (or immediate if required) – straight to Strategy
    Discussion." "AMBER ... To be dealt with in 24 hours. – Referred into MASH for information
    gathering and a MASH discussion"."""
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        basis = ConsentBasis.GIVEN
        d.referral_decide(referral, decisions=decision(referral, rag, basis=basis), by=lead)
    assert open_clock(referral, kind).due_at == TUESDAY_10AM + timedelta(hours=hours)


def test_wolverhampton_green_in_72_hours_straight_to_early_intervention(wolverhampton, lead, early_help):
    """002: "GREEN ... To be dealt with in 72 hours – straight to Early Intervention for action.\" """
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        d.referral_decide(referral, decisions=decision(referral, Rag.GREEN, level=2), by=lead)
    referral.refresh_from_db()
    assert (referral.status, referral.team) == (Status.DECIDED, early_help)
    assert open_clock(referral, Kind.EARLY_HELP).due_at == TUESDAY_10AM + timedelta(hours=72)


def test_wolverhampton_daytime_hours_are_8_30_to_5_monday_to_thursday_and_4_30_friday(wolverhampton):
    """002: "Daytime 8.30-5.00pm (Mon-Thurs) and 4.30pm (Fri)": an Amber referral on Friday at
    4.45pm waits for Monday 8.30am before its 24 hours start."""
    friday_late = datetime(2026, 11, 20, 16, 45, tzinfo=LONDON)
    with time_machine.travel(friday_late, tick=False):
        referral = submit()
    assert referral.out_of_hours
    monday_opening = datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)
    assert wolverhampton.working_hours["fri"] == ["08:30", "16:30"]
    assert wolverhampton.working_hours["thu"] == ["08:30", "17:00"]
    amber = due_at(wolverhampton, wolverhampton.rag_timescales["amber"], friday_late)
    assert amber == monday_opening + timedelta(hours=24)


# --- information requests -------------------------------------------------------------------------


def _partner(make_user, slug="police"):
    agency = AgencyFactory(slug=f"wolverhampton-{slug}", kind=Agency.Kind.POLICE)
    user = make_user(Role.AGENCY_PARTNER, username=f"wolves_{slug}")
    agency.members.add(user)
    return agency, user


def test_wolverhampton_information_request_includes_the_referral_information_and_the_rag_rating(
    wolverhampton, lead, make_user, login
):
    """002: "For reds and ambers the Social Work Unit Manager will decide what agency information is
    required and then trigger an information request ... This will include the referral
    information and the RAG rating that has been applied." The partner's page and the API show
    those, each shared item is recorded with its lawful basis, and nothing more is shown."""
    police, constable = _partner(make_user)
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        d.referral_decide(referral, decisions=decision(referral, Rag.AMBER), by=lead)
        referral.refresh_from_db()
        (request,) = information_requests_send(
            referral,
            agencies=[police],
            question="Any call-outs to the family address?",
            lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
            by=lead,
        )
        client = login(constable)
        page = client.get(reverse("partners:request_detail", kwargs={"public_id": request.public_id}))
        api = client.get(reverse("partners-api:request_detail", kwargs={"public_id": request.public_id}))
    body = page.content.decode()
    assert page.status_code == 200 and api.status_code == 200
    for text in (referral.concerns, referral.risks, referral.why_now, "Amber"):
        assert text in body
    assert referral.reference not in body and referral.referrer_name not in body
    assert referral.support_needed not in body  # what the referral asks for is not shared
    shared = {item["item"]: item for item in api.json()["shared"]}
    assert set(shared) == {"rag", "referral_information"}
    assert shared["rag"]["parts"] == [{"label": "RAG rating", "text": "Amber"}]
    assert {part["text"] for part in shared["referral_information"]["parts"]} == {
        referral.concerns,
        referral.risks,
        referral.why_now,
    }
    assert {item["lawful_basis"] for item in shared.values()} == {LawfulBasis.PUBLIC_TASK_SAFEGUARDING}
    assert referral.referrer_name not in api.content.decode()
    send = AuditEvent.objects.get(action="information_request.send", object_id=str(request.pk))
    assert send.details["shared"] == [
        {"item": "rag", "lawful_basis": "public_task_safeguarding"},
        {"item": "referral_information", "lawful_basis": "public_task_safeguarding"},
    ]


def test_wolverhampton_information_requests_are_for_reds_and_ambers(
    wolverhampton, lead, make_user, early_help
):
    """002: "For reds and ambers the Social Work Unit Manager will decide what agency information is
    required"; Green goes straight to early intervention."""
    police, _ = _partner(make_user)
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        d.referral_decide(referral, decisions=decision(referral, Rag.GREEN, level=2), by=lead)
        referral.refresh_from_db()
        with pytest.raises(Conflict, match="Red and Amber"):
            information_requests_send(
                referral,
                agencies=[police],
                question="Anything known?",
                lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
                by=lead,
            )
    assert not InformationRequest.objects.exists()


def test_wolverhampton_rag_may_change_as_new_information_comes_to_light(wolverhampton, lead):
    """002: "The Social Work Unit Manager may change the RAG rating as new information comes to
    light": Amber to Red brings the deadline forward to Red's 4 hours, and the old rating is kept."""
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        d.referral_decide(referral, decisions=decision(referral, Rag.AMBER), by=lead)
    with time_machine.travel(TUESDAY_10AM + timedelta(hours=1), tick=False):
        (red,) = decision(
            referral, Rag.RED, level=4, basis=ConsentBasis.RISK, reason="Telling the father puts Amy at risk"
        )
        d.referral_change_rag(referral, decision=red, reason="Police report a weapon at home", by=lead)
    referral.refresh_from_db()
    assert (referral.rag, referral.rag_changed) == (Rag.RED, True)
    assert open_clock(referral, Kind.STRATEGY_DISCUSSION).due_at == TUESDAY_10AM + timedelta(hours=4)
    assert list(ChildDecision.objects.order_by("version").values_list("rag", "is_current")) == [
        (Rag.AMBER, False),
        (Rag.RED, True),
    ]


# --- stepped back up from early intervention ------------------------------------------------------


def _green_then_stepped_up(lead, early_help):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit()
        d.referral_decide(referral, decisions=decision(referral, Rag.GREEN, level=2), by=lead)
    worker = early_help.members.get()
    with time_machine.travel(TUESDAY_10AM + timedelta(days=1), tick=False):
        d.referral_step_up(referral, reason="Amy disclosed that her stepfather hits her", by=worker)
    referral.refresh_from_db()
    return referral


def test_wolverhampton_stepped_back_up_from_early_intervention_to_reassess_the_threshold(
    wolverhampton, lead, early_help
):
    """002: "where referrals have gone direct to Early intervention, if more information is received
    that indicates the risk may be higher, this will be stepped back up to the MASH to reassess the
    threshold." The lead makes a new threshold decision: a new version per child (the Green one
    kept), the early help and decision clocks stop, Red's 4 hours run from the step-up, and the
    referral leaves screening with the new rating."""
    referral = _green_then_stepped_up(lead, early_help)
    stepped_up = TUESDAY_10AM + timedelta(days=1)
    assert referral.status == Status.SCREENING
    early_help_clock = open_clock(referral, Kind.EARLY_HELP)
    decision_clock = open_clock(referral, Kind.DECISION)
    with time_machine.travel(stepped_up + timedelta(hours=1), tick=False):
        d.referral_decide(
            referral,
            decisions=decision(
                referral,
                Rag.RED,
                level=4,
                basis=ConsentBasis.RISK,
                reason="Asking would alert the stepfather",
            ),
            by=lead,
        )
    referral.refresh_from_db()
    assert (referral.status, referral.rag, referral.team) == (Status.DECIDED, Rag.RED, None)
    rows = list(ChildDecision.objects.order_by("version").values_list("version", "rag", "is_current"))
    assert rows == [(1, Rag.GREEN, False), (2, Rag.RED, True)]
    early_help_clock.refresh_from_db()
    decision_clock.refresh_from_db()
    assert early_help_clock.met_at == decision_clock.met_at == stepped_up + timedelta(hours=1)
    assert open_clock(referral, Kind.STRATEGY_DISCUSSION).due_at == stepped_up + timedelta(hours=4)
    assert not Deadline.objects.filter(referral=referral, kind=Kind.EARLY_HELP, met_at__isnull=True).exists()


def test_wolverhampton_a_stepped_up_referral_is_decided_again_not_re_rated(wolverhampton, lead, early_help):
    """002: stepped back up "to reassess the threshold": the threshold is decided again for every
    child, so a rating change on its own is refused with the way forward."""
    referral = _green_then_stepped_up(lead, early_help)
    (red,) = decision(referral, Rag.RED, level=4, basis=ConsentBasis.RISK, reason="Risk")
    with pytest.raises(Conflict, match="make a new threshold decision"):
        d.referral_change_rag(referral, decision=red, reason="Stepped up", by=lead)
    assert len(ChildDecision.objects.filter(referral=referral)) == 1


def test_wolverhampton_the_decision_page_decides_a_stepped_up_referral_again(
    wolverhampton, lead, early_help, login
):
    """002: "stepped back up to the MASH to reassess the threshold", on the decision page: it names
    the step-up and the earlier decision, and the posted decision moves the referral on."""
    referral = _green_then_stepped_up(lead, early_help)
    child = referral.children.get()
    at = TUESDAY_10AM + timedelta(days=1, hours=2)
    with time_machine.travel(at, tick=False):
        client = login(lead)
        url = reverse("triage:decide", kwargs={"reference": referral.reference})
        page = client.get(reverse("triage:referral", kwargs={"reference": referral.reference}))
        assert url in page.content.decode()
        form = client.get(url)
        body = form.content.decode()
        assert "New threshold decision" in body and "Amy disclosed that her stepfather hits her" in body
        assert "Earlier decision" in body and "Green" in body
        prefix = f"child-{child.pk}"
        response = client.post(
            url,
            {
                f"{prefix}-rag": "amber",
                f"{prefix}-level_of_need": "3",
                f"{prefix}-rationale": "The disclosure needs a multi-agency look.",
                f"{prefix}-consent_basis": "given",
                f"{prefix}-consent_reason": "",
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.DECIDED, Rag.AMBER)
    assert open_clock(referral, Kind.MASH_DISCUSSION).due_at == TUESDAY_10AM + timedelta(days=1, hours=24)


def _letters(referral):
    return list(Letter.objects.filter(referral=referral).order_by("sequence"))


def _send(letter):
    assert deliver_once(OutboxMessage.objects.get(key=letter.outbox_key).pk) == "done"


def test_wolverhampton_a_stepped_up_referral_decided_again_the_same_way_sends_no_second_letter(
    wolverhampton, lead, early_help
):
    """002's step-up "to reassess the threshold" may end where it began: Green, to Early
    Intervention again. The referrer already has that letter; a second, identical one is not sent,
    and the audit log says why."""
    referral = _green_then_stepped_up(lead, early_help)
    (first,) = _letters(referral)
    with time_machine.travel(TUESDAY_10AM + timedelta(minutes=5), tick=False):
        _send(first)
    with time_machine.travel(TUESDAY_10AM + timedelta(days=1, hours=2), tick=False):
        d.referral_decide(referral, decisions=decision(referral, Rag.GREEN, level=2), by=lead)
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.DECIDED, Rag.GREEN)
    assert _letters(referral) == [first]
    assert OutboxMessage.objects.filter(kind="outcome_letter").count() == 1
    event = AuditEvent.objects.get(action="letter_not_needed")
    assert event.object_id == str(first.pk) and "unchanged" in event.reason
    assert "17 November 2026" in event.reason


def test_wolverhampton_a_stepped_up_referral_with_a_changed_outcome_sends_a_replacing_letter(
    wolverhampton, lead, early_help
):
    """002: stepped back up and the threshold reassessed to Blue (advice and signposting): the
    referrer gets a new letter, and it says which letter it replaces."""
    referral = _green_then_stepped_up(lead, early_help)
    (first,) = _letters(referral)
    with time_machine.travel(TUESDAY_10AM + timedelta(minutes=5), tick=False):
        _send(first)
    with time_machine.travel(TUESDAY_10AM + timedelta(days=1, hours=2), tick=False):
        blue = decision(referral, Rag.BLUE, level=1, advice="Signposted to the school nurse.")
        d.referral_decide(referral, decisions=blue, by=lead)
        second = _letters(referral)[1]
        assert (second.sequence, second.outcome) == (2, "advice_signposting")
        _send(second)
    email = mail.outbox[-1]
    assert "This letter replaces our letter of 17 November 2026" in email.body
    text = flat(pdf_text(email.attachments[0][1]))
    assert "This letter replaces our letter of 17 November 2026." in text
    first_text = flat(pdf_text(mail.outbox[0].attachments[0][1]))
    assert "replaces" not in first_text


def test_wolverhampton_preset_records_its_readings(wolverhampton):
    """002 is silent or ambiguous on these; the preset says which reading it took."""
    assert wolverhampton.partner_shares == ["rag", "referral_information"]
    assert wolverhampton.recall_window_counts_to == "receipt"
    assert wolverhampton.clock_hours_due_out_of_hours == "as_falls"
    taken = " ".join(wolverhampton.defaults_taken)
    assert "recall window: 002" in taken and "kept as they fall" in taken and "Red without consent" in taken
