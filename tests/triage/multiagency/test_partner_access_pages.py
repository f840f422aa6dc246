"""The one-time link's pages as a partner uses them, e-mail over a real SMTP conversation, and the
MASH's "send a new link" button."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from mash.codes import LawfulBasis
from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from referrals.states import Rag
from tests.factories import referral_with_people
from tests.support.servers import SmtpServer
from triage.multiagency import requests as actions
from triage.multiagency.models import InformationRequest, PartnerAccess
from triage.multiagency.partner_links import code_for, link_token
from triage.policy import current_policy

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/partner-access/[0-9a-f]{64}/)")
CODE = re.compile(r"Your code is (\d{6})")


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    """django-ratelimit counts in the cache, which outlives each test's database transaction."""
    settings.SERVICE_BASE_URL = "http://testserver"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


def send(world, agency="health"):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = actions.information_requests_send(
        referral,
        agencies=[world.agencies[agency]],
        question="Is the child registered with your practice?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
    )
    return request


def deliver_all() -> None:
    """What the worker does: each waiting outbox row handed to the mail server once."""
    for message in OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).order_by("id"):
        assert deliver_once(message.pk) == "done", message.last_error


def answer_data(**overrides) -> dict:
    data = {
        "known": "known",
        "summary": "Registered with us since 2019; two missed appointments this year.",
        "risk_indicators": ["non_attendance"],
        "date_checked_0": "1",
        "date_checked_1": "12",
        "date_checked_2": "2026",
        "free_text": "",
    }
    return {**data, **overrides}


def sign_in(client: Client, access: PartnerAccess) -> str:
    token = link_token(access)
    client.post(reverse("partner_access:start", kwargs={"token": token}), {"email": access.email})
    access.refresh_from_db()
    response = client.post(
        reverse("partner_access:code", kwargs={"token": token}), {"code": code_for(access, access.codes_sent)}
    )
    assert response.status_code == 302 and response["Location"].endswith("/request/")
    return token


def test_the_whole_way_from_the_emails_over_smtp(world, smtp):
    request = send(world)
    deliver_all()
    [link_mail] = smtp.received
    agency_address = world.agencies["health"].email
    assert link_mail.to == [agency_address] and link_mail.subject == "New MASH information request"
    path = LINK.search(link_mail.body).group(1)
    child = request.referral.children.get()
    assert child.last_name not in link_mail.body

    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and b"Email me a code" in page.content
    assert child.last_name.encode() not in page.content
    page = client.post(path, {"email": agency_address}, follow=True)
    assert b"Check your email" in page.content
    deliver_all()
    code_mail = smtp.received[-1]
    assert code_mail.to == [agency_address] and code_mail.subject == "Your MASH sign-in code"
    code = CODE.search(code_mail.body).group(1)

    page = client.post(f"{path}code/", {"code": code}, follow=True)
    assert page.status_code == 200 and child.last_name.encode() in page.content
    assert b"Is the child registered with your practice?" in page.content
    page = client.post(f"{path}request/", answer_data(), follow=True)
    assert page.status_code == 200 and b"Answer sent" in page.content
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.ANSWERED

    # The link is spent: opening it again says so, and shows nothing of the child.
    again = client.get(path)
    assert again.status_code == 410 and b"already been used" in again.content
    again = Client().get(f"{path}request/")
    assert again.status_code in (302, 410) and child.last_name.encode() not in again.content
    actions_seen = list(
        AuditEvent.objects.filter(ip_address="127.0.0.1").order_by("id").values_list("action", "actor_label")
    )
    label = f"partner-link:{agency_address}"
    # (The answer's own row, information_request.answer, is written by the action as the portal's is.)
    assert actions_seen == [
        ("partner_access.link_open", label),
        ("partner_access.code_send", label),
        ("partner_access.sign_in", label),
        ("partner_access.request_view", label),  # the page after the code
        ("partner_access.request_view", label),  # the page the answer was posted from
        ("partner_access.spend", label),
        ("partner_access.link_closed", label),
    ]


def test_another_address_gets_the_same_page_and_no_email(world, smtp):
    access = send(world).partner_accesses.get()
    token = link_token(access)
    deliver_all()
    sent = len(smtp.received)
    page = Client().post(
        reverse("partner_access:start", kwargs={"token": token}),
        {"email": "reception@other.example"},
        follow=True,
    )
    assert (
        b"If <strong>reception@other.example</strong> is the address the request was sent to" in page.content
    )
    deliver_all()
    assert len(smtp.received) == sent
    access.refresh_from_db()
    assert access.codes_sent == 0


def test_a_bad_address_or_code_is_named_and_changes_nothing(world):
    access = send(world).partner_accesses.get()
    token = link_token(access)
    client = Client()
    page = client.post(reverse("partner_access:start", kwargs={"token": token}), {"email": "not an address"})
    assert page.status_code == 400 and b"Enter an email address in the correct format" in page.content
    page = client.post(reverse("partner_access:code", kwargs={"token": token}), {"code": "12ab"})
    assert page.status_code == 400 and b"Enter the code as 6 digits" in page.content
    page = client.post(reverse("partner_access:code", kwargs={"token": token}), {"code": "123456"})
    assert page.status_code == 400 and b"Ask for a code first" in page.content
    access.refresh_from_db()
    assert access.codes_sent == 0 and access.signed_in_at is None


def test_a_wrong_code_says_how_many_tries_are_left(world):
    access = send(world).partner_accesses.get()
    token = link_token(access)
    client = Client()
    client.post(reverse("partner_access:start", kwargs={"token": token}), {"email": access.email})
    access.refresh_from_db()
    wrong = f"{(int(code_for(access, 1)) + 1) % 1_000_000:06d}"
    page = client.post(reverse("partner_access:code", kwargs={"token": token}), {"code": wrong})
    assert page.status_code == 400 and b"You can try 4 more times" in page.content
    assert client.get(reverse("partner_access:request", kwargs={"token": token})).status_code == 302


def test_the_session_of_one_link_opens_no_other_request(world):
    mine = send(world).partner_accesses.get()
    other_request = send(world, agency="education")
    other = other_request.partner_accesses.get()
    client = Client()
    sign_in(client, mine)
    other_page = client.get(reverse("partner_access:request", kwargs={"token": link_token(other)}))
    assert other_page.status_code == 302
    assert other_page["Location"] == reverse("partner_access:start", kwargs={"token": link_token(other)})
    # Nor may it use the partner portal, or any staff page.
    assert (
        client.get(
            reverse("partners:request_detail", kwargs={"public_id": other_request.public_id})
        ).status_code
        == 302
    )
    staff_page = client.get(
        reverse("multiagency:requests", kwargs={"reference": other_request.referral.reference})
    )
    assert staff_page.status_code == 302 and staff_page["Location"].startswith(reverse("login"))


def test_a_link_that_is_no_link_is_not_recognised(world):
    page = Client().get(reverse("partner_access:start", kwargs={"token": "0" * 64}))
    assert page.status_code == 404 and b"This link is not recognised" in page.content
    assert AuditEvent.objects.filter(action="partner_access.unknown_link").count() == 1


def test_sign_in_attempts_are_rate_limited_per_address(world, settings):
    settings.PARTNER_SIGN_IN_RATE = "3/h"
    access = send(world).partner_accesses.get()
    url = reverse("partner_access:code", kwargs={"token": link_token(access)})
    client = Client()
    for _ in range(3):
        assert client.post(url, {"code": "000000"}).status_code == 400
    page = client.post(url, {"code": "000000"})
    assert page.status_code == 429 and b"Too many attempts" in page.content
    assert AuditEvent.objects.filter(action="partner_access.refused_rate").count() == 1


def test_mash_staff_send_a_new_link_and_a_partner_cannot(world, login, smtp):
    request = send(world)
    first = request.partner_accesses.get()
    url = reverse(
        "multiagency:request_resend_link",
        kwargs={"reference": request.referral.reference, "public_id": request.public_id},
    )
    # A partner with an account, and anyone holding the link, are refused.
    assert login(world.users["health"], Client()).post(url).status_code == 404
    holder = Client()
    sign_in(holder, first)
    assert holder.post(url).status_code == 302 and request.partner_accesses.count() == 1

    staff = login(world.users["screening"], Client())
    page = staff.get(reverse("multiagency:requests", kwargs={"reference": request.referral.reference}))
    assert b"Send a new link" in page.content and b"One-time link to" in page.content
    page = staff.post(url, follow=True)
    assert f"A new link has been emailed to {first.email}".encode() in page.content
    first.refresh_from_db()
    assert first.revoked_at is not None
    deliver_all()
    resent = smtp.received[-1]
    assert resent.to == [first.email] and resent.subject == "Your new link to a MASH information request"
    # The holder's old session ends with the old link.
    assert (
        holder.get(reverse("partner_access:request", kwargs={"token": link_token(first)})).status_code == 410
    )
