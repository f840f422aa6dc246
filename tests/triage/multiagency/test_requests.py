"""Information requests: due times from the policy, chasing, declining, answering."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mash.codes import LawfulBasis
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from mash.outbox.models import OutboxMessage
from referrals.states import Rag, Status
from tests.factories import referral_with_people
from triage.models import Deadline, StatusChange
from triage.multiagency import partner_links
from triage.multiagency import requests as actions
from triage.multiagency.models import InformationRequest
from triage.policy import current_policy, due_at

pytestmark = pytest.mark.django_db

# A Monday in term time, 10:00 London (GMT in November).
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def send(world, referral, *agency_keys, now=MONDAY_10):
    return actions.information_requests_send(
        referral,
        agencies=[world.agencies[k] for k in agency_keys],
        question="Is the family known?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
        now=now,
    )


def test_red_request_is_due_four_clock_hours_later_with_a_partner_deadline(world, settings):
    settings.SERVICE_BASE_URL = "http://testserver.example"
    policy = current_policy()
    referral = referral_with_people(decided=True, policy=policy, rag=Rag.RED)
    [request] = send(world, referral, "police")
    assert request.due_at == MONDAY_10 + dt.timedelta(hours=4)
    deadline = Deadline.objects.get(referral=referral, kind=Deadline.Kind.PARTNER_RESPONSE)
    assert deadline.subject == f"informationrequest:{request.pk}"
    assert deadline.due_at == request.due_at and deadline.met_at is None
    referral.refresh_from_db()
    assert referral.status == Status.INFORMATION_GATHERING
    assert StatusChange.objects.filter(referral=referral, to_status=Status.INFORMATION_GATHERING).count() == 1
    assert (
        AuditEvent.objects.filter(action="information_request.send", object_id=str(request.pk)).count() == 1
    )
    # The agency is e-mailed a link to the portal, never the child's details.
    # (with a one-time link to answer without an account, written when it is sent).
    mail = OutboxMessage.objects.get(key=f"inforequest:{request.pk}:sent")
    _, _, body = partner_links.email_text(mail.payload)
    assert str(request.public_id) in body
    assert referral.children.first().last_name not in body
    # Opened from a mail client: the link is the portal's full address, the time in GOV.UK style.
    assert f"http://testserver.example/partners/requests/{request.public_id}/" in body
    assert "http://testserver.example/partner-access/" in body
    assert "at 2pm" in body


def test_amber_request_follows_the_policys_partner_timescale(world):
    policy = current_policy()
    referral = referral_with_people(decided=True, policy=policy, rag=Rag.AMBER)
    friday_evening = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)
    requests = send(world, referral, "police", "health", now=friday_evening)
    expected = due_at(policy, policy.partner_timescales["amber"], friday_evening)
    assert [r.due_at for r in requests] == [expected, expected]
    assert expected > friday_evening


@pytest.mark.parametrize("rag", [Rag.GREEN, Rag.BLUE])
def test_green_and_blue_referrals_are_not_sent_to_agencies(world, rag):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=rag)
    with pytest.raises(Conflict):
        send(world, referral, "police")
    assert not InformationRequest.objects.filter(referral=referral).exists()


def test_only_a_lead_requests_and_bad_input_changes_nothing(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    with pytest.raises(NotPermitted):
        actions.information_requests_send(
            referral,
            agencies=[world.agencies["police"]],
            question="Q",
            lawful_basis="consent",
            by=world.users["screening"],
        )
    with pytest.raises(InvalidInput):
        actions.information_requests_send(
            referral,
            agencies=[world.agencies["police"]],
            question="Q",
            lawful_basis="because",
            by=world.users["lead"],
        )
    with pytest.raises(InvalidInput):
        actions.information_requests_send(
            referral, agencies=[], question="Q", lawful_basis="consent", by=world.users["lead"]
        )
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert not InformationRequest.objects.filter(referral=referral).exists()


def test_a_second_open_request_to_the_same_agency_is_refused_atomically(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    send(world, referral, "police")
    with pytest.raises(Conflict, match="Durham Constabulary"):
        send(world, referral, "health", "police")
    # All or nothing: health was not asked either.
    assert list(referral.information_requests.values_list("agency__slug", flat=True)) == ["police"]


def test_chasing_counts_and_emails_each_time_and_keeps_the_due_time(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = send(world, referral, "police")
    due = request.due_at
    actions.information_request_chase(request, by=world.users["screening"])
    request = actions.information_request_chase(request, by=world.users["lead"])
    assert request.status == InformationRequest.Status.CHASED and request.chase_count == 2
    assert request.due_at == due
    assert OutboxMessage.objects.filter(key__startswith=f"inforequest:{request.pk}:chase:").count() == 2
    with pytest.raises(NotPermitted):
        actions.information_request_chase(request, by=world.users["police"])


def test_declining_needs_a_reason_meets_the_deadline_and_cannot_repeat(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = send(world, referral, "police")
    with pytest.raises(InvalidInput):
        actions.information_request_decline(request, reason="  ", by=world.users["police"])
    with pytest.raises(NotPermitted):
        actions.information_request_decline(request, reason="Not ours", by=world.users["health"])
    request = actions.information_request_decline(
        request, reason="No lawful basis for this data", by=world.users["police"]
    )
    assert request.status == InformationRequest.Status.DECLINED
    assert Deadline.objects.get(subject=request.deadline_subject).met_at is not None
    with pytest.raises(Conflict):
        actions.information_request_chase(request, by=world.users["lead"])


def test_answering_records_the_structured_answer_and_meets_the_deadline(world):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = send(world, referral, "police")
    answered = actions.information_request_answer(
        request,
        known="known",
        summary="Two call-outs in 2026",
        risk_indicators=["domestic_abuse", "domestic_abuse"],
        date_checked=timezone.localdate(),
        free_text="Officer in case: PC 123",
        by=world.users["police"],
    )
    assert answered.status == InformationRequest.Status.ANSWERED
    assert answered.risk_indicators == ["domestic_abuse"]
    assert answered.answered_by == world.users["police"]
    assert Deadline.objects.get(subject=request.deadline_subject).met_at == answered.answered_at
    with pytest.raises(Conflict):
        actions.information_request_answer(
            request,
            known="not_known",
            summary="",
            risk_indicators=[],
            date_checked=timezone.localdate(),
            by=world.users["police"],
        )


@pytest.mark.parametrize(
    "known,summary,indicators,checked",
    [
        ("maybe", "x", [], 0),
        ("known", "", [], 0),
        ("not_known", "", ["astrology"], 0),
        ("not_known", "", [], 1),
    ],
)
def test_a_bad_answer_changes_nothing(world, known, summary, indicators, checked):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = send(world, referral, "police")
    with pytest.raises(InvalidInput):
        actions.information_request_answer(
            request,
            known=known,
            summary=summary,
            risk_indicators=indicators,
            date_checked=timezone.localdate() + dt.timedelta(days=checked),
            by=world.users["police"],
        )
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.REQUESTED and request.answered_at is None
