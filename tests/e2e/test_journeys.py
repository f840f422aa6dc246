"""Proof as users see it: the whole referral journey in Debian's chromium, every page checked by
axe-core, letters delivered by a real Celery worker to a real SMTP server.

Run on PostgreSQL:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash make test PYTEST_ARGS=tests/e2e
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Team
from mash.outbox.delivery import REPUBLISH_AFTER, republish_due
from mash.outbox.models import OutboxMessage
from referrals.models import Referral
from referrals.states import Status
from tests.e2e import steps
from tests.support.pdf import pdf_text, squash
from tests.support.servers import wait_for
from triage.actions import policy_version_create, policy_version_fields
from triage.multiagency.models import InformationRequest
from triage.policy import current_policy

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIBLINGS = [
    steps.child("Amy", "Smith", "Female", nhs_number="9434765919"),
    steps.child("Ben", "Smith", "Male"),
]
LETTER_WAIT_SECONDS = 90


def _delivered(what: str, find, *, worker, smtp_server):
    """Wait for the worker to deliver; on a timeout say what the outbox and the worker were doing."""

    def delivered_or_swept():
        # A delivery can find its outbox row locked for an instant (the publisher stamping
        # published_at) and leave it to the sweeper, which beat runs every minute and which
        # republishes after REPUBLISH_AFTER. The test runs that sweep itself rather than wait.
        found = find()
        if not found:
            republish_due(timezone.now() + REPUBLISH_AFTER)
        return found

    try:
        return wait_for(delivered_or_swept, LETTER_WAIT_SECONDS, what, interval=2)
    except AssertionError as error:
        outbox = list(
            OutboxMessage.objects.values_list("kind", "status", "published_at", "attempts", "last_error")
        )
        received = [(m.to, m.subject) for m in smtp_server.received]
        raise AssertionError(
            f"{error}\noutbox: {outbox}\nreceived: {received}\nworker log:\n{worker.log_text()}"
        )


def _outcome_letter(smtp_server, recipient: str):
    """The first message to ``recipient`` carrying a PDF: the acknowledgement has none."""
    for message in smtp_server.received:
        if recipient in message.to and message.pdf:
            return message
    return None


def test_amber_referral_about_two_siblings_from_the_form_to_the_outcome_letter(
    journey, smtp_server, celery_worker
):
    reference = journey.refer(children=SIBLINGS, adults=[steps.adult()], concern=steps.concern())
    referral = Referral.objects.get(reference=reference)
    assert sorted(c.first_name for c in referral.children.all()) == ["Amy", "Ben"]

    # The screening officer finds it in the queue and claims it.
    screening = journey.sign_in("screening")
    journey.open_from_queue(screening, reference)
    journey.press(screening, "Claim")
    expect(screening.locator("main")).to_contain_text("Sam Screener since")

    # The lead rates both children Amber and asks the police and health.
    lead = journey.sign_in("lead")
    journey.decide_every_child(
        lead, reference, ["Amy Smith", "Ben Smith"], "amber", "Repeated bruising; partner checks needed."
    )
    expect(lead.locator("main")).to_contain_text("Amber")
    journey.ask_agencies(lead, reference, ["Police", "Health"], "What do you know about the Smith family?")
    requests = {r.agency.slug: r for r in InformationRequest.objects.filter(referral=referral)}
    assert {"police", "health"} <= set(requests)

    # The police answer in the partner portal; the health request is not theirs to open.
    police = journey.sign_in("police")
    journey.answer_request(
        police, "Amy Smith, Ben Smith", "Officers attended a domestic incident in October."
    )
    requests["police"].refresh_from_db()
    assert requests["police"].status == InformationRequest.Status.ANSWERED
    response = police.goto(f"/partners/requests/{requests['health'].public_id}/")
    assert response.status == 404
    journey.check(police)

    # The lead records the MASH discussion and sends the referral to assessment team 2.
    journey.record_discussion(
        lead,
        reference,
        "Police know of a domestic incident; both children seen bruised.",
        received_at=referral.received_at,
    )
    expect(lead).to_have_url(re.compile(rf"/mash/{reference}/outcome/$"))
    journey.record_outcome(lead, reference, "Assessment Team 2")
    referral.refresh_from_db()
    assert referral.status == Status.OUTCOME
    assert referral.team.name == "Assessment Team 2"

    # The team manager allocates it to a social worker.
    manager = journey.sign_in("manager")
    journey.allocate(manager, reference, "Sol Worker")
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED
    assert referral.allocated_worker.username == "socialworker"

    # The referrer's outcome letter arrives by SMTP, with the team and its telephone number.
    team = Team.objects.get(slug="assessment-2")
    letter = _delivered(
        "the outcome letter",
        lambda: _outcome_letter(smtp_server, steps.REFERRER_EMAIL),
        worker=celery_worker,
        smtp_server=smtp_server,
    )
    assert reference in letter.subject
    text = squash(pdf_text(letter.pdf))  # PDF text comes back with stray spaces ("T eam 2")
    assert squash(f"Who has the referral now {team.name} Telephone {team.phone}") in text, text
    assert squash(reference) in text
    journey.a11y.assert_clean()


def _out_of_hours_now() -> None:
    """Make "now" out of hours the way a council would: a new policy version whose working hours
    are one hour a day, far from the present hour. A live server's clock cannot be frozen from the
    test (time-machine would move this process's clock but not the worker's), so the calendar moves
    instead; everything else (intake, flags, e-mail) runs exactly as it would at night."""
    policy = current_policy()
    hour = timezone.localtime().hour
    window = ["01:00", "02:00"] if hour >= 12 else ["22:00", "23:00"]
    settings = policy_version_fields(policy)
    settings["working_hours"] = {day: window for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    policy_version_create(council=policy.council, settings=settings, by=None, note="e2e: out of hours now")


def test_red_referral_out_of_hours_reaches_the_emergency_duty_team(journey, smtp_server, celery_worker):
    _out_of_hours_now()
    edt = Team.objects.get(kind=Team.Kind.EMERGENCY_DUTY)
    edt.email = "edt@council.example.gov.uk"
    edt.save(update_fields=["email"])
    concern = steps.concern(domestic_abuse="High")  # a high-risk grade: Red
    reference = journey.refer(children=SIBLINGS[:1], adults=[], concern=concern)
    referral = Referral.objects.get(reference=reference)
    assert referral.out_of_hours

    duty = journey.sign_in("edt")
    journey.visit(duty, "/triage/edt/")
    expect(duty.get_by_role("link", name=reference, exact=True)).to_be_visible()
    alert = _delivered(
        "the EDT alert e-mail",
        lambda: next((m for m in smtp_server.received if edt.email in m.to), None),
        worker=celery_worker,
        smtp_server=smtp_server,
    )
    assert reference in alert.subject
    journey.follow(duty, reference)
    journey.press(duty, "Acknowledge (EDT)")
    referral.edt_flag.refresh_from_db()
    assert referral.edt_flag.acknowledged_at is not None
    journey.a11y.assert_clean()
