"""The MASH discussion, the strategy discussion, the outcome, allocation and challenges."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mash.codes import LawfulBasis
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from mash.templatetags.govuk import govuk_date_of, govuk_datetime
from notifications.letters import letter_render
from notifications.models import Letter
from referrals.states import Rag, Status
from tests.factories import referral_with_people
from tests.support.mash_stage import ATTENDEES, decide, discuss, form_of, gathered, summary_links
from tests.support.pdf import pdf_text, squash
from triage.models import Deadline
from triage.models_decisions import ChildDecision
from triage.multiagency import actions as outcomes
from triage.multiagency import requests as agency_actions
from triage.multiagency import strategy as strategy_decisions
from triage.multiagency.forms import parse_time
from triage.multiagency.models import Challenge, MashDiscussion, Outcome
from triage.policy import calendar_for, current_policy

pytestmark = pytest.mark.django_db


def test_the_discussion_records_attendees_contributions_and_confirms_the_rag(world):
    referral = gathered(world)
    discussion = discuss(world, referral)
    referral.refresh_from_db()
    assert referral.status == Status.MASH_DISCUSSION
    assert discussion.attendees == ATTENDEES and not discussion.rag_changed
    assert [c.contribution for c in discussion.contributions.all()] == ["Will share DASH"]
    assert AuditEvent.objects.filter(action="triage.mash_discussion", object_id=str(discussion.pk)).exists()


def test_a_rag_change_at_the_discussion_needs_a_reason_and_versions_each_child(world):
    referral = gathered(world)
    with pytest.raises(InvalidInput, match="reason"):
        discuss(world, referral, rag_after=Rag.RED)
    discussion = discuss(
        world, referral, rag_after=Rag.RED, rag_change_reason="Police disclosed a weapon", level_of_need=4
    )
    referral.refresh_from_db()
    assert discussion.rag_changed and referral.rag == Rag.RED and referral.rag_changed
    current = ChildDecision.objects.get(referral=referral, is_current=True)
    assert current.rag == Rag.RED and current.version == 2


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"attendees": []}, "attended"),
        ({"attendees": [{"name": "Lena", "agency": ""}]}, "agency"),
        ({"summary": " "}, "Summarise"),
        ({"level_of_need": 7}, "level of need"),
        ({"held_at": timezone.now() + dt.timedelta(days=1)}, "future"),
    ],
)
def test_a_bad_discussion_changes_nothing(world, overrides, message):
    referral = gathered(world)
    with pytest.raises(InvalidInput, match=message):
        discuss(world, referral, **overrides)
    referral.refresh_from_db()
    assert referral.status == Status.INFORMATION_GATHERING


def test_only_a_lead_records_the_discussion(world):
    with pytest.raises(NotPermitted):
        discuss(world, gathered(world), by=world.users["screening"])


def test_an_outcome_to_a_team_waits_for_its_manager_and_queues_the_letter(world):
    referral = gathered(world)
    discuss(world, referral)
    outcome = decide(world, referral)
    referral.refresh_from_db()
    assert referral.status == Status.OUTCOME and referral.team == world.teams["a"]
    assert outcome.primary_need == "N1"
    assert Letter.objects.filter(referral=referral, outcome="s17_assessment").count() == 1


def test_no_further_action_closes_the_referral(world):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral, destination=Outcome.Destination.NFA, primary_need="", team=None)
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.team is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"primary_need": ""},  # S17 needs the statutory code
        {"team": None},
        {"destination": Outcome.Destination.OTHER_AGENCY_LEAD, "team": None},  # no lead agency named
        {"destination": Outcome.Destination.NFA},  # NFA goes to no team
        {"primary_need": "N42"},
        {"rationale": ""},
    ],
)
def test_a_bad_outcome_changes_nothing(world, overrides):
    referral = gathered(world)
    discuss(world, referral)
    with pytest.raises(InvalidInput):
        decide(world, referral, **overrides)
    referral.refresh_from_db()
    assert (
        referral.status == Status.MASH_DISCUSSION and not Outcome.objects.filter(referral=referral).exists()
    )


def test_amber_is_discussed_before_an_outcome(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.AMBER)
    with pytest.raises(Conflict):
        decide(world, referral)


def test_red_strategy_discussion_then_allocation_starts_the_icpc_clock(world):
    referral = gathered(world, rag=Rag.RED)
    held = timezone.now() - dt.timedelta(minutes=30)
    with time_machine.travel(held - dt.timedelta(minutes=30), tick=False):
        strategy_decisions.strategy_discussion_decide(referral, reason="Disclosure", by=world.users["lead"])
    strategy = outcomes.strategy_discussion_record(
        referral,
        held_at=held,
        attendees=ATTENDEES,
        s47_enquiry=True,
        decision_rationale="Disclosure of harm",
        immediate_safety_actions="Child to stay with grandmother",
        by=world.users["lead"],
    )
    referral.refresh_from_db()
    assert referral.status == Status.STRATEGY_DISCUSSION and strategy.s47_enquiry
    with pytest.raises(Conflict):
        outcomes.strategy_discussion_record(
            referral,
            held_at=held,
            attendees=ATTENDEES,
            s47_enquiry=False,
            decision_rationale="again",
            by=world.users["lead"],
        )
    decide(world, referral, destination=Outcome.Destination.STRATEGY_S47)
    allocation = outcomes.referral_allocate(
        referral, worker=world.users["social_worker"], by=world.users["manager_a"]
    )
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED and referral.allocated_worker == world.users["social_worker"]
    assert allocation.team == world.teams["a"]
    policy = current_policy()
    calendar = calendar_for(policy)
    deadlines = {d.kind: d for d in Deadline.objects.filter(referral=referral, met_at__isnull=True)}
    assert deadlines[Deadline.Kind.ICPC].due_at == calendar.add_working_days(held, policy.icpc_working_days)
    assert deadlines[Deadline.Kind.ASSESSMENT].due_at == calendar.add_working_days(
        referral.received_at, policy.assessment_working_days
    )
    visit = deadlines[Deadline.Kind.VISIT]  # started by the lifecycle as the referral entered ALLOCATED
    assert abs(visit.started_at - allocation.allocated_at) < dt.timedelta(seconds=5)
    assert visit.due_at == calendar.add_working_days(visit.started_at, policy.visit_working_days)


def test_strategy_discussion_is_for_red_only(world):
    with pytest.raises(Conflict):
        outcomes.strategy_discussion_record(
            gathered(world),
            held_at=timezone.now(),
            attendees=ATTENDEES,
            s47_enquiry=False,
            decision_rationale="x",
            by=world.users["lead"],
        )


def test_only_the_teams_manager_allocates_and_only_to_the_team(world):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral)
    with pytest.raises(NotPermitted):
        outcomes.referral_allocate(referral, worker=world.users["social_worker"], by=world.users["manager_b"])
    with pytest.raises(InvalidInput):
        outcomes.referral_allocate(referral, worker=world.users["screening"], by=world.users["manager_a"])
    referral.refresh_from_db()
    assert referral.status == Status.OUTCOME and referral.allocated_worker is None


def test_allocation_through_the_team_queue_page(world, login):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral)
    client = login(world.users["manager_a"])
    body = client.get(reverse("multiagency:team_queue")).content.decode()
    assert referral.reference in body and world.referrals["team_b"].reference not in body
    url = reverse("multiagency:allocate", kwargs={"reference": referral.reference})
    assert client.post(url, {"worker": world.users["social_worker"].pk}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED
    assert login(world.users["manager_b"]).get(url).status_code == 404


def test_the_team_queue_keeps_a_constant_query_count(world, login, django_assert_num_queries):
    client = login(world.users["manager_a"])
    client.get(reverse("multiagency:team_queue"))

    def more(count):
        for _ in range(count):
            referral = referral_with_people(
                outcome_recorded=True, policy=current_policy(), team=world.teams["a"], children=2
            )
            Outcome.objects.create(
                referral=referral,
                destination="s17_assessment",
                primary_need="N1",
                rationale="r",
                recommendation="r",
                team=world.teams["a"],
                decided_by=world.users["lead"],
                decided_at=timezone.now(),
            )
            referral_with_people(outcome_recorded=True, policy=current_policy(), team=world.teams["b"])

    more(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("multiagency:team_queue")).status_code == 200
    assert len(small.captured_queries) <= 15
    more(25)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("multiagency:team_queue")).status_code == 200


def test_a_professional_challenges_through_the_public_page_without_enumeration(world, client, settings):
    settings.SERVICE_BASE_URL = "http://testserver.example"
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral)
    url = reverse("multiagency_public:challenge")
    wrong = client.post(
        url, {"reference": referral.reference, "email": "someone@else.org", "name": "X", "reasons": "No"}
    )
    right = client.post(
        url,
        {
            "reference": referral.reference.lower(),
            "email": referral.referrer_email.upper(),
            "name": "Pat Teacher",
            "reasons": "The risk is higher than assessed",
        },
    )
    assert wrong.status_code == right.status_code == 200
    assert wrong.content == right.content  # the page says the same either way
    for submitted in OutboxMessage.objects.filter(kind=outcomes.CHALLENGE_SUBMITTED):
        deliver_once(submitted.pk)  # the worker matches what the page kept
    challenge = Challenge.objects.get(referral=referral)
    assert challenge.team == world.teams["a"] and challenge.status == Challenge.Status.OPEN
    mail = OutboxMessage.objects.get(key=f"challenge:{challenge.pk}:raised")
    assert mail.payload["to"] == world.users["manager_a"].email
    assert str(challenge.public_id) in mail.payload["body"]
    assert referral.children.get().last_name not in mail.payload["body"]
    assert f"http://testserver.example/mash/challenges/{challenge.public_id}/" in mail.payload["body"]


def test_the_manager_sees_and_answers_their_teams_challenges(world, login):
    client = login(world.users["manager_b"])
    assert "Challengereason Ottoline" not in client.get(reverse("multiagency:team_queue")).content.decode()
    url = reverse("multiagency:challenge_respond", kwargs={"public_id": world.challenge.public_id})
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"response": "We have reviewed the decision and will call you"}).status_code == 302
    )
    world.challenge.refresh_from_db()
    assert world.challenge.status == Challenge.Status.RESPONDED
    assert login(world.users["manager_a"]).get(url).status_code == 404


def test_the_summary_pdf_is_for_the_receiving_team_and_audited(world, login):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral)
    url = reverse("multiagency:summary_pdf", kwargs={"reference": referral.reference})
    response = login(world.users["manager_a"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = squash(pdf_text(response.content))
    child = referral.children.get()
    for expected in (
        referral.reference,
        f"{child.first_name} {child.last_name}",
        "Durham Constabulary",
        "Two domestic call-outs",
        "Will share DASH",
        "Needs an assessment",
        "Visit within 5 working days",
        "Assessment Team North",
    ):
        assert squash(expected) in text, expected
    assert AuditEvent.objects.filter(action="triage.summary_report", referral_id=referral.pk).count() == 1
    assert login(world.users["manager_b"]).get(url).status_code == 404
    assert login(world.users["police"]).get(url).status_code == 404


def test_the_discussion_page_shows_each_agencys_answer_side_by_side(world, login):
    referral = gathered(world)
    client = login(world.users["lead"])
    url = reverse("multiagency:discussion", kwargs={"reference": referral.reference})
    body = client.get(url).content.decode()
    assert "Durham Constabulary" in body and "Two domestic call-outs" in body
    police = world.agencies["police"].pk
    response = client.post(
        url,
        {
            "held_at": timezone.localtime(timezone.now() - dt.timedelta(minutes=5)).strftime(
                "%d/%m/%Y %H:%M"
            ),
            "attendees": "Lena Lead, MASH\nPC Pat, Durham Constabulary",
            "summary": "Agreed",
            "level_of_need": "3",
            "rag_after": "amber",
            f"contribution_{police}": "DASH to follow",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral.refresh_from_db()
    assert referral.status == Status.MASH_DISCUSSION


def test_the_challenge_page_is_rate_limited_per_address(client):
    from django.core.cache import cache

    from triage.multiagency.views import CHALLENGE_RATE

    cache.clear()
    url = reverse("multiagency_public:challenge")
    data = {"reference": "MASH-2026-000001", "email": "a@b.org", "name": "X", "reasons": "Guessing"}
    limit = int(CHALLENGE_RATE.split("/")[0])
    statuses = [client.post(url, data).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    assert not Challenge.objects.exists()
    cache.clear()


def test_a_step_up_at_the_discussion_brings_open_partner_requests_forward(world, login):
    referral = gathered(world)  # Amber: 24 clock hours for partners under the preset
    [health] = agency_actions.information_requests_send(
        referral,
        agencies=[world.agencies["health"]],
        question="GP?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
    )
    amber_due = health.current_due_at
    discuss(world, referral, rag_after=Rag.RED, rag_change_reason="Weapon disclosed", level_of_need=4)
    health.refresh_from_db()
    policy = current_policy()
    red_due = calendar_for(policy).add_clock_hours(
        health.requested_at, policy.partner_timescales["red"]["amount"]
    )
    assert health.current_due_at == red_due < amber_due
    body = login(world.users["health"]).get(
        reverse("partners:request_detail", kwargs={"public_id": health.public_id})
    )
    assert govuk_datetime(red_due) in body.content.decode()


# --- the pages as a person sees them ------------------------------------------------------------


def boxes_at(name: str, moment: dt.datetime) -> dict[str, str]:
    """When something happened, typed as a person types it: date boxes and "2:30pm" style time."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return {
        f"{name}_day": str(local.day),
        f"{name}_month": str(local.month),
        f"{name}_year": str(local.year),
        f"{name}_time": f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}",
    }


def test_the_outcome_form_starts_unchosen_and_puts_each_message_on_its_field(world, login):
    referral = gathered(world)
    discuss(world, referral)
    client = login(world.users["lead"])
    url = reverse("multiagency:outcome", kwargs={"reference": referral.reference})
    body = client.get(url).content.decode()
    form = form_of(body)
    assert form.count('type="radio"') == len(Outcome.Destination.choices)
    assert "checked" not in form.split("</form>")[0]  # no destination chosen
    assert re.findall(r'<option value="([^"]*)" selected', form) == ["", "", ""]  # nor need, team, agency
    assert "---------" not in body and "This field is required" not in body
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert summary_links(empty.content.decode()) == [
        ("id_destination_1", "Choose where the referral goes next"),
        ("id_rationale", "Enter the decision and its rationale"),
        ("id_recommendation", "Enter the recommendations for the receiving team"),
    ]
    no_team = client.post(
        url, {"destination": "s17_assessment", "rationale": "Needs it", "recommendation": "Visit"}
    )
    assert summary_links(no_team.content.decode()) == [
        ("id_primary_need", "Choose the primary need code: the referral goes on as a child in need episode"),
        ("id_team", "Choose the team the referral goes to"),
    ]
    assert re.search(r'value="s17_assessment"\s+checked', no_team.content.decode())  # kept as chosen
    assert not Outcome.objects.filter(referral=referral).exists()


def test_the_discussion_is_recorded_from_date_boxes_and_a_time_with_nothing_chosen_for_the_lead(world, login):
    referral = gathered(world)
    police = world.agencies["police"].pk
    client = login(world.users["lead"])
    url = reverse("multiagency:discussion", kwargs={"reference": referral.reference})
    body = client.get(url).content.decode()
    form = form_of(body)
    assert "checked" not in form.split("</form>")[0]  # neither level of need nor RAG chosen for the lead
    assert "At the threshold decision: Amber." in form
    for box in ("held_at_day", "held_at_month", "held_at_year", "held_at_time"):
        assert f'name="{box}"' in form
    held = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    fields = {
        "attendees": "Lena Lead, MASH\nPC Pat, Durham Constabulary",
        "summary": "Agreed",
        "level_of_need": "3",
        f"contribution_{police}": "DASH to follow",
    }
    no_time = client.post(
        url, {**fields, **boxes_at("held_at", held), "held_at_time": "", "rag_after": "red"}
    )
    assert summary_links(no_time.content.decode()) == [
        ("id_held_at_day", "When the discussion took place must include a time"),
        ("id_rag_change_reason", "Enter why the RAG rating changed"),
    ]
    assert MashDiscussion.objects.filter(referral=referral).count() == 0
    done = client.post(url, {**fields, **boxes_at("held_at", held), "rag_after": "amber"})
    assert done.status_code == 302, done.content.decode()[:1500]
    discussion = MashDiscussion.objects.get(referral=referral)
    assert discussion.held_at == held and discussion.level_of_need == 3


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("14:30", dt.time(14, 30)),
        ("2:30pm", dt.time(14, 30)),
        ("2.30 PM", dt.time(14, 30)),
        ("9am", dt.time(9)),
        ("12am", dt.time(0)),
        ("12:15pm", dt.time(12, 15)),
        ("midday", dt.time(12)),
        ("midnight", dt.time(0)),
        ("14", None),
        ("13pm", None),
        ("24:00", None),
        ("9:75", None),
        ("soon", None),
    ],
)
def test_a_time_is_read_as_people_write_it(typed, expected):
    assert parse_time(typed) == expected


def test_the_allocation_page_shows_who_and_why_without_the_pdf(world, login):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral, rationale="Repeated call-outs and bruising seen at school")
    body = (
        login(world.users["manager_a"])
        .get(reverse("multiagency:allocate", kwargs={"reference": referral.reference}))
        .content.decode()
    )
    child = referral.children.get()
    for shown in (
        child.full_name,
        referral.concerns,
        "Amber",
        "Repeated call-outs and bruising seen at school",
    ):
        assert html.escape(shown) in body, shown
    assert 'govuk-tag govuk-tag--orange">Amber' in body
    assert re.findall(r'<option value="([^"]*)" selected', form_of(body)) == [""]  # "Choose a social worker"


@override_settings(SERVICE_BASE_URL="https://mash.example.gov.uk/")
def test_the_outcome_letter_gives_the_challenge_pages_full_address(world):
    referral = gathered(world)
    discuss(world, referral)
    decide(world, referral)
    letter = Letter.objects.get(referral=referral)
    text = squash(pdf_text(letter_render(letter).pdf))
    assert squash("https://mash.example.gov.uk/refer/challenge/") in text
    assert squash(f"with reference {referral.reference}") in text
    assert squash(govuk_date_of(letter.decided_at)) in text


def test_the_challenge_page_names_each_missing_answer(client):
    response = client.post(reverse("multiagency_public:challenge"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == [
        ("id_reference", "Enter the referral reference from the outcome letter"),
        ("id_email", "Enter an email address in the correct format, like name@example.com"),
        ("id_name", "Enter your name"),
        ("id_reasons", "Enter why you disagree with the outcome"),
    ]
    assert not Challenge.objects.exists()


def test_the_challenge_response_page_shows_the_outcome_and_names_a_missing_response(world, login):
    client = login(world.users["manager_b"])
    url = reverse("multiagency:challenge_respond", kwargs={"public_id": world.challenge.public_id})
    response = client.post(url, {"response": " "})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == [
        ("id_response", "Enter your response to the challenge")
    ]
    assert govuk_datetime(world.challenge.raised_at) in response.content.decode()
    world.challenge.refresh_from_db()
    assert world.challenge.status == Challenge.Status.OPEN


def _ticked_agency_ids(page: str) -> set[int]:
    inputs = re.findall(r'<input[^>]*name="agencies"[^>]*>', page, flags=re.S)
    return {int(re.search(r'value="(\d+)"', tag).group(1)) for tag in inputs if "checked" in tag}


def test_an_agency_already_asked_is_not_ticked_again_by_default(world, client, login):
    referral = gathered(world, rag=Rag.RED)  # Red's defaults include the police, already asked
    login(world.users["lead"])
    page = client.get(reverse("multiagency:requests", args=[referral.reference])).content.decode()
    ticked = _ticked_agency_ids(page)
    assert world.agencies["police"].pk not in ticked
    defaults = set(current_policy().default_agencies["red"])
    assert world.agencies["police"].kind in defaults
    others = {a.pk for kind, a in world.agencies.items() if a.kind in defaults and kind != "police"}
    assert others and others <= ticked
