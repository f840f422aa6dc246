"""A partner without an account answers an information request in Debian's chromium: the link from
the request's e-mail, the address, the code read from the second e-mail (both over a real SMTP
conversation), the request, the answer and its confirmation. Each page is checked by axe-core and the
visibility check, and photographed into var/partner-shots/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from mash.codes import LawfulBasis
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from referrals.states import Rag
from tests.e2e.browser import CHROMIUM, Accessibility, chromium, chromium_available, fill_in
from tests.factories import referral_with_people
from tests.support.environment import require
from tests.support.oidc_provider import ROOT
from tests.support.servers import SmtpServer
from tests.support.world import build_world
from triage.multiagency import requests as actions
from triage.multiagency.models import InformationRequest
from triage.policy import current_policy

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "partner-shots"
CODE = re.compile(r"Your code is (\d{6})")


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.fixture
def page(live_server, settings, monkeypatch):
    require(chromium_available(), f"needs Debian's chromium at {CHROMIUM}")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SERVICE_BASE_URL = live_server.url
    cache.clear()  # django-ratelimit counts in the cache, which outlives each test's data
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
    cache.clear()


def deliver_all() -> None:
    """What the worker does: each waiting outbox row handed to the mail server once."""
    for message in OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).order_by("id"):
        assert deliver_once(message.pk) == "done", message.last_error


def _look(page, name: str, accessibility: Accessibility) -> None:
    accessibility.check(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_gp_practice_answers_a_request_from_the_emailed_link_and_code(page, live_server, smtp, make_user):
    world = build_world(make_user)
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    [request] = actions.information_requests_send(
        referral,
        agencies=[world.agencies["health"]],
        question="Is the child registered with your practice?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
    )
    address = world.agencies["health"].email
    child = referral.children.get()
    deliver_all()
    [link_mail] = smtp.received
    link = re.search(r"(http://\S+/partner-access/[0-9a-f]{64}/)", link_mail.body).group(1)
    accessibility = Accessibility()

    page.goto(link)
    expect(page.get_by_role("heading", name="Answer an information request")).to_be_visible()
    expect(page.get_by_text(child.last_name)).to_have_count(0)
    _look(page, "start", accessibility)
    fill_in(page, "Your email address", address)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    _look(page, "code", accessibility)

    deliver_all()
    code = CODE.search(smtp.received[-1].body).group(1)
    assert smtp.received[-1].to == [address]
    fill_in(page, "Code", code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Is the child registered with your practice?")).to_be_visible()
    expect(page.get_by_text(child.last_name).first).to_be_visible()
    _look(page, "request", accessibility)

    page.get_by_role("group", name="Are the people known to your agency?").get_by_label(
        "Known to us", exact=True
    ).check()
    fill_in(page, "Summary of what you know", "Registered since 2019; two missed appointments this year.")
    page.get_by_role("group", name="Risk indicators").get_by_label("Violence or threats", exact=True).check()
    today = timezone.localdate()
    dates = page.get_by_role("group", name="Date your records were checked")
    fill_in(dates, "Day", str(today.day))
    fill_in(dates, "Month", str(today.month))
    fill_in(dates, "Year", str(today.year))
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("heading", name="Answer sent")).to_be_visible()
    _look(page, "done", accessibility)
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.ANSWERED

    page.goto(link)  # the link is spent, and says so without showing the child
    expect(page.get_by_text("already been used").first).to_be_visible()
    expect(page.get_by_text(child.last_name)).to_have_count(0)
    _look(page, "spent", accessibility)
    accessibility.assert_clean()
