"""Outcome letters: queued with the outcome, rendered from server-owned templates, e-mailed once."""

from __future__ import annotations

import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from notifications.admin import LetterTemplateForm
from notifications.letters import letter_enqueue_outcome, letter_render
from notifications.models import Letter, LetterTemplate
from tests.factories import referral_with_people
from tests.support.pdf import flat, pdf_text
from tests.support.world import build_world
from triage.actions import policy_version_create, policy_version_fields
from triage.models import Deadline
from triage.multiagency import actions as outcomes
from triage.multiagency.models import Outcome
from triage.policy import calendar_for, current_policy

LONDON = ZoneInfo("Europe/London")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _queue(referral, outcome="s17_assessment", decided_at=None) -> Letter:
    with transaction.atomic():
        return letter_enqueue_outcome(referral, by=None, outcome=outcome, decided_at=decided_at)


def _message(letter: Letter) -> OutboxMessage:
    return OutboxMessage.objects.get(key=letter.outbox_key)


def test_letter_is_queued_with_its_deadline_one_working_day_after_the_decision(decided_referral, policy):
    # A policy whose letter clock counts from the decision (Durham's own counts from the referral:
    # tests/councils/test_durham.py).
    settings = {**policy_version_fields(policy), "letter_clock_starts": "decision"}
    policy = policy_version_create(council="durham", settings=settings, by=None, note="From the decision")
    referral = decided_referral()
    friday_afternoon = datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)

    letter = _queue(referral, decided_at=friday_afternoon)

    assert letter.status == Letter.Status.QUEUED and letter.recipient == referral.referrer_email
    expected_due = calendar_for(policy).add_working_days(
        friday_afternoon, policy.letter_deadline_working_days
    )
    assert letter.due_at == expected_due
    assert expected_due.astimezone(LONDON).weekday() == 0  # the weekend does not count
    deadline = Deadline.objects.get(referral=referral, kind=Deadline.Kind.LETTER)
    assert letter.deadline == deadline and deadline.due_at == expected_due and deadline.met_at is None
    message = _message(letter)
    assert message.kind == "outcome_letter" and message.payload == {"letter_id": letter.pk}


def test_sent_letter_is_a_pdf_with_initials_team_and_how_to_challenge(decided_referral, policy):
    referral = decided_referral()
    letter = _queue(referral)

    assert deliver_once(_message(letter).pk) == "done"

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [referral.referrer_email]
    assert email.extra_headers["Message-ID"].startswith("<")
    name, content, mimetype = email.attachments[0]
    assert mimetype == "application/pdf" and name == f"outcome-{referral.reference}.pdf"
    text = flat(pdf_text(content))
    assert policy.council_name in text and "County Hall, Durham" in text
    assert referral.reference in text
    assert "AB" in text and "Alex" not in text and "Brown" not in text  # initials only
    assert "Section 17 child and family assessment" in text
    assert "Assessment Team 2" in text and "03000 267 111" in text
    assert "If you do not agree with this decision" in text
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.sent_at and letter.attempts == 1
    assert Deadline.objects.get(pk=letter.deadline_id).met_at == letter.sent_at


def test_a_second_delivery_sends_nothing(decided_referral):
    letter = _queue(decided_referral())
    message = _message(letter)

    assert deliver_once(message.pk) == "done"
    assert deliver_once(message.pk) == "already done"

    assert len(mail.outbox) == 1


def test_members_of_the_public_never_get_the_outcome_letter(decided_referral):
    referral = decided_referral(referrer_type="public", referrer_email="parent@example.com")

    assert _queue(referral) is None

    assert not Letter.objects.exists() and not OutboxMessage.objects.exists()
    assert not Deadline.objects.filter(kind=Deadline.Kind.LETTER).exists()


def test_a_professional_without_an_email_address_leaves_a_failed_letter_whose_deadline_runs(decided_referral):
    letter = _queue(decided_referral(referrer_email=""))

    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and "no e-mail address" in letter.last_error
    assert not OutboxMessage.objects.exists()
    assert Deadline.objects.get(pk=letter.deadline_id).met_at is None


def test_smtp_refusing_connections_records_the_error_and_a_later_attempt_sends(decided_referral, settings):
    letter = _queue(decided_referral())
    message = _message(letter)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2

    assert deliver_once(message.pk) == "failed"

    letter.refresh_from_db()
    message.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and "refused" in letter.last_error.lower()
    assert message.status == OutboxMessage.Status.FAILED and message.next_attempt_at > message.created_at
    assert Deadline.objects.get(pk=letter.deadline_id).met_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_once(message.pk) == "done"
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.attempts == 2 and letter.last_error == ""
    assert len(mail.outbox) == 1


def test_administrator_wording_is_used_and_stays_text(decided_referral):
    LetterTemplate.objects.update_or_create(
        outcome="early_help",
        defaults={
            "subject": "Early help for {{ initials }}",
            "body": "Dear colleague, <b>{{ team_name }}</b> will call you.\n\nWith thanks.",
        },
    )
    referral = decided_referral(team=None)

    rendered = letter_render(_queue(referral, outcome="early_help"))

    text = flat(pdf_text(rendered.pdf))
    assert rendered.subject == "Early help for AB"
    assert "Dear colleague, <b>" in text  # the tag is shown as typed, not interpreted
    assert "With thanks." in text


@pytest.mark.parametrize(
    "body",
    ['{% include "base.html" %}', "{% load static %}{% static 'x' %}", "{% if %}", "{{ reference|nosuch }}"],
)
def test_wording_that_would_reach_beyond_the_letter_is_refused_in_the_admin(db, body):
    existing = LetterTemplate.objects.get(outcome="nfa")  # every outcome starts with the default wording
    data = {"outcome": "nfa", "subject": "Outcome {{ reference }}"}

    assert LetterTemplateForm(instance=existing, data={**data, "body": "Ref {{ reference }}"}).is_valid()
    form = LetterTemplateForm(instance=existing, data={**data, "body": body})
    assert not form.is_valid()
    assert "Placeholders you can use" in str(form.errors["body"])


def test_an_outcome_recorded_by_the_lead_reaches_the_referrer_as_one_letter(
    make_user, django_capture_on_commit_callbacks
):
    """Through the MASH stage's outcome action: the letter is queued in its transaction and sent once."""

    world = build_world(make_user)
    referral = referral_with_people(
        decided=True, policy=current_policy(), rag="green", decided_by=world.users["lead"]
    )
    child = referral.children.get()
    with django_capture_on_commit_callbacks(execute=False):
        outcomes.outcome_record(
            referral,
            destination=Outcome.Destination.EARLY_HELP,
            rationale="Needs support at home",
            recommendation="Offer family support",
            team=world.teams["a"],
            by=world.users["lead"],
        )

    letter = Letter.objects.get(referral=referral)
    assert deliver_once(_message(letter).pk) == "done"
    assert deliver_once(_message(letter).pk) == "already done"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [referral.referrer_email]
    text = flat(pdf_text(mail.outbox[0].attachments[0][1]))
    assert "Early help" in text and "Assessment Team North" in text
    assert child.initials in text and child.first_name not in text and child.last_name not in text


# (No NUL byte: PostgreSQL cannot store one, and the intake refuses it before it gets here.)
HOSTILE_NAMES = ["Mr \u202eevil\u202c Smith", "Ms \u2067Noor\u2069 Ali\u0007\u001b", "\u200fRTL mark"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_referrers_bidi_controls_cannot_reorder_the_councils_wording(decided_referral, name):
    referral = decided_referral()
    referral.referrer_name = name
    referral.referrer_organisation = "School \u202e of letters"
    referral.save(update_fields=["referrer_name", "referrer_organisation"])
    rendered = letter_render(_queue(referral))

    text = flat(pdf_text(rendered.pdf))
    # Only the isolates the service itself places remain: one pair around each user-typed run.
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u200e\u200f\u0007\u001b":
        assert control not in rendered.email_body and control not in text
    assert "If you do not agree with this decision" in text
    assert "Section 17 child and family assessment" in text


def test_user_text_keeps_its_own_direction_inside_one_isolate():
    from mash.text import isolated

    assert isolated("\u0646\u0648\u0631 \u202eAli") == "\u2068\u0646\u0648\u0631 Ali\u2069"
    assert isolated("line one\nline two\tend") == "\u2068line one\nline two\tend\u2069"
    assert isolated("") == "" and isolated(None) == ""
