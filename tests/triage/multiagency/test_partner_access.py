"""Partner sign-in without a council account: the one-time link, the e-mailed code, the session for
one request, and who may send a new link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mash.codes import LawfulBasis
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from mash.outbox.models import OutboxMessage
from referrals.restricted import referral_restrict
from referrals.states import Rag
from tests.factories import referral_with_people
from triage.multiagency import partner_access as access_actions
from triage.multiagency import requests as actions
from triage.multiagency.models import InformationRequest, PartnerAccess
from triage.multiagency.partner_links import code_for, link_token
from triage.policy import current_policy

pytestmark = pytest.mark.django_db

IP = "192.0.2.10"


def send(world, agency="health", **referral_fields):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED, **referral_fields)
    [request] = actions.information_requests_send(
        referral,
        agencies=[world.agencies[agency]],
        question="Is the child registered with your practice?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
    )
    return request


def link_of(request) -> PartnerAccess:
    return request.partner_accesses.get(revoked_at=None)


def signed_in(access, now=None) -> PartnerAccess:
    assert access_actions.partner_code_request(access, email=access.email, ip_address=IP, now=now)
    access.refresh_from_db()
    return access_actions.partner_code_verify(
        access, code=code_for(access, access.codes_sent), ip_address=IP, now=now
    )


def answer(access, now=None):
    return access_actions.partner_access_answer(
        access,
        known=InformationRequest.Known.KNOWN,
        summary="Registered with us; two missed appointments.",
        risk_indicators=[InformationRequest.RiskIndicator.NON_ATTENDANCE],
        date_checked=timezone.localdate(),
        ip_address=IP,
        now=now,
    )


def actions_of(access) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="agencies.PartnerAccess", object_id=str(access.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_sending_a_request_makes_a_link_for_the_agencys_address_whose_token_is_not_stored(world):
    request = send(world)
    access = link_of(request)
    assert access.email == world.agencies["health"].email
    assert access.reason == PartnerAccess.Reason.SENT
    assert access.expires_at - access.created_at == dt.timedelta(hours=72)
    token = link_token(access)
    assert token not in access.token_hash and token not in access.seed
    message = OutboxMessage.objects.get(key=f"inforequest:{request.pk}:sent")
    assert message.payload == {"access": access.pk, "what": "link"}
    assert actions_of(access) == ["partner_access.link_issue"]


def test_the_right_code_signs_in_once_and_the_answer_spends_the_link(world):
    access = link_of(send(world))
    access = signed_in(access)
    assert access.signed_in_at is not None
    request = answer(access)
    assert request.status == InformationRequest.Status.ANSWERED and request.answered_by is None
    access.refresh_from_db()
    assert access.spent_at is not None
    assert access_actions.closed_reason(access) == (
        "This link has already been used to answer the request. It cannot be used again."
    )
    with pytest.raises(Conflict, match="already been used"):
        access_actions.partner_link_open(access, ip_address=IP)
    with pytest.raises(Conflict, match="already been used"):
        access_actions.partner_code_request(access, email=access.email, ip_address=IP)
    assert actions_of(access) == [
        "partner_access.link_issue",
        "partner_access.code_send",
        "partner_access.sign_in",
        "partner_access.spend",
        "partner_access.link_closed",
        "partner_access.link_closed",
    ]
    answered = AuditEvent.objects.get(action="information_request.answer", object_id=str(request.pk))
    assert answered.actor is None and answered.actor_label == f"partner-link:{access.email}"
    # The code was used up by signing in: typing it again does nothing.
    assert AuditEvent.objects.filter(action="partner_access.sign_in", ip_address=IP).count() == 1


def test_another_address_gets_no_code_and_changes_nothing(world):
    access = link_of(send(world))
    sent = OutboxMessage.objects.count()
    assert (
        access_actions.partner_code_request(access, email="someone@else.example.org", ip_address=IP) is False
    )
    access.refresh_from_db()
    assert access.codes_sent == 0 and access.code_sent_at is None
    assert OutboxMessage.objects.count() == sent
    refused = AuditEvent.objects.get(action="partner_access.code_wrong_address")
    assert refused.details == {"given": "someone@else.example.org"} and refused.ip_address == IP
    # The address is compared without regard to case or spaces around it.
    assert access_actions.partner_code_request(access, email=f"  {access.email.upper()} ", ip_address=IP)


def test_a_code_expires_after_ten_minutes(world):
    access = link_of(send(world))
    now = timezone.now()
    access_actions.partner_code_request(access, email=access.email, ip_address=IP, now=now)
    access.refresh_from_db()
    code = code_for(access, 1)
    with pytest.raises(InvalidInput, match="expired"):
        access_actions.partner_code_verify(
            access, code=code, ip_address=IP, now=now + dt.timedelta(minutes=10)
        )
    access = access_actions.partner_code_verify(
        access, code=code, ip_address=IP, now=now + dt.timedelta(minutes=9, seconds=59)
    )
    assert access.signed_in_at is not None


def test_five_wrong_codes_lock_the_code_and_a_new_code_replaces_it(world):
    access = link_of(send(world))
    access_actions.partner_code_request(access, email=access.email, ip_address=IP)
    access.refresh_from_db()
    right = code_for(access, 1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"try {left} more"):
            access_actions.partner_code_verify(access, code=wrong, ip_address=IP)
    with pytest.raises(InvalidInput, match="no tries left"):
        access_actions.partner_code_verify(access, code=wrong, ip_address=IP)
    with pytest.raises(InvalidInput, match="too many times"):
        access_actions.partner_code_verify(access, code=right, ip_address=IP)
    assert AuditEvent.objects.filter(action="partner_access.code_wrong").count() == 5
    # A new code voids the old one and starts its own tries.
    access_actions.partner_code_request(access, email=access.email, ip_address=IP)
    access.refresh_from_db()
    with pytest.raises(InvalidInput, match="not right"):
        access_actions.partner_code_verify(access, code=right, ip_address=IP)
    access_actions.partner_code_verify(access, code=code_for(access, 2), ip_address=IP)


def test_a_link_sends_at_most_five_codes(world):
    access = link_of(send(world))
    for _ in range(5):
        assert access_actions.partner_code_request(access, email=access.email, ip_address=IP)
    with pytest.raises(Conflict, match="No more codes"):
        access_actions.partner_code_request(access, email=access.email, ip_address=IP)
    access.refresh_from_db()
    assert access.codes_sent == 5
    assert AuditEvent.objects.filter(action="partner_access.code_limit").count() == 1


def test_a_link_expires_after_72_hours(world):
    access = link_of(send(world))
    later = access.created_at + dt.timedelta(hours=72)
    with pytest.raises(Conflict, match="expired"):
        access_actions.partner_code_request(access, email=access.email, ip_address=IP, now=later)
    assert access_actions.closed_reason(access, later - dt.timedelta(seconds=1)) == ""


def test_a_chase_sends_a_new_link_and_the_old_one_stops(world):
    request = send(world)
    first = link_of(request)
    actions.information_request_chase(request, by=world.users["screening"])
    second = link_of(request)
    assert second.pk != first.pk and second.reason == PartnerAccess.Reason.CHASED
    message = OutboxMessage.objects.get(key=f"inforequest:{request.pk}:chase:1")
    assert message.payload == {"access": second.pk, "what": "link"}
    first.refresh_from_db()
    with pytest.raises(Conflict, match="newer link"):
        access_actions.partner_code_request(first, email=first.email, ip_address=IP)


def test_only_mash_staff_resend_a_link(world):
    request = send(world)
    first = link_of(request)
    for user in (world.users["health"], world.users["manager_a"]):
        with pytest.raises(NotPermitted):
            access_actions.partner_link_resend(request, by=user)
    assert link_of(request) == first
    resent = access_actions.partner_link_resend(request, by=world.users["screening"])
    assert resent.reason == PartnerAccess.Reason.RESENT and resent.created_by == world.users["screening"]
    assert OutboxMessage.objects.filter(key=f"partneraccess:{resent.pk}:link").exists()
    first.refresh_from_db()
    assert first.revoked_at is not None
    audit = AuditEvent.objects.get(action="partner_access.link_issue", object_id=str(resent.pk))
    assert audit.actor == world.users["screening"] and audit.details["reason"] == "resent"


def test_an_answered_request_gets_no_new_link(world):
    request = send(world)
    answer(signed_in(link_of(request)))
    with pytest.raises(Conflict, match="already been answered"):
        access_actions.partner_link_resend(request, by=world.users["lead"])


def test_a_restricted_referral_gets_no_link_and_an_earlier_link_stops(world):
    request = send(world)
    access = link_of(request)
    referral_restrict(request.referral, reason="A member of staff's own family", by=world.users["lead"])
    assert access_actions.closed_reason(access) == "This link no longer works. Contact the MASH."
    with pytest.raises(InvalidInput, match="restricted"):
        access_actions.partner_link_resend(request, by=world.users["lead"])


def test_the_session_opens_only_the_link_it_signed_in_with(world):
    mine, other = link_of(send(world)), link_of(send(world, agency="education"))
    session = {}

    class Session(dict):
        def cycle_key(self):
            pass

    session = Session()
    access_actions.session_sign_in(session, signed_in(mine))
    assert access_actions.signed_in_access(session, link_token(mine)) == mine
    with pytest.raises(NotPermitted):
        access_actions.signed_in_access(session, link_token(other))
    later = timezone.now() + dt.timedelta(minutes=60)
    with pytest.raises(NotPermitted):
        access_actions.signed_in_access(session, link_token(mine), now=later)
