"""GOV.UK Notify as the channel, tested against the local server that speaks Notify's API on loopback
(tests/support/notify_server.py): the real service cannot be reached from a test."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once, outbox_enqueue
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from notifications import tasks
from notifications.letters import letter_enqueue_outcome, letters_unsent
from notifications.models import Letter
from tests.factories import TeamFactory
from tests.notifications.conftest import CALLBACK_TOKEN
from tests.support import notify_server
from tests.support.pdf import flat, pdf_text
from triage.models import Deadline

pytestmark = pytest.mark.django_db


def _email(key="alert:1", to="worker@example.gov.uk") -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            "email", key=key, payload={"to": to, "subject": "Visit is overdue", "body": "Open the referral."}
        )


def test_an_outbox_email_goes_through_notify_with_its_template_and_an_opaque_reference(notify):
    message = _email()

    assert deliver_once(message.pk) == "done"

    assert mail.outbox == []  # not by SMTP
    [sent] = notify.sent("email")
    assert sent.template_id == notify_server.EMAIL_TEMPLATE_ID
    assert sent.email_address == "worker@example.gov.uk"
    assert sent.personalisation == {"subject": "Visit is overdue", "body": "Open the referral."}
    assert sent.reference == f"mash-email-{message.pk}"
    message.refresh_from_db()
    assert message.status == "done" and message.notify_id == sent.id


def test_smtp_stays_the_channel_by_default(settings):
    assert settings.MESSAGE_CHANNEL == "smtp"
    message = _email()

    assert deliver_once(message.pk) == "done"

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.notify_id == ""


def test_a_rate_limit_is_retried_by_the_outbox_and_sent_once(notify):
    message = _email()
    notify.fail_next(429)

    assert deliver_once(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == "failed" and message.next_attempt_at is not None
    assert "429" in message.last_error and "RateLimitError" in message.last_error
    assert notify.sent("email") == []

    assert deliver_once(message.pk) == "done"
    assert deliver_once(message.pk) == "already done"
    assert len(notify.sent("email")) == 1


def test_a_retry_after_notify_accepted_but_its_answer_was_lost_does_not_send_again(notify):
    message = _email()
    assert deliver_once(message.pk) == "done"
    [sent] = notify.sent("email")
    # As if the first attempt's answer never arrived: the row is due again, Notify has the e-mail.
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", notify_id="")

    assert deliver_once(message.pk) == "done"

    assert len(notify.sent("email")) == 1
    message.refresh_from_db()
    assert message.notify_id == sent.id


def test_a_server_error_is_retried(notify):
    message = _email()
    notify.fail_next(500)

    assert deliver_once(message.pk) == "failed"
    assert deliver_once(message.pk) == "done"
    assert len(notify.sent("email")) == 1


def test_an_address_notify_refuses_is_given_up_at_once(notify):
    message = _email(to="not-an-address")

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == "dead"
    assert "400" in message.last_error and "Not a valid email address" in message.last_error


def test_a_wrong_api_key_is_refused_by_notify_and_retried(notify, settings):
    settings.NOTIFY_API_KEY = f"wrong-{notify_server.SERVICE_ID}-{'0' * 8}-0000-0000-0000-{'0' * 12}"
    message = _email()

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == "failed" and "403" in message.last_error and "AuthError" in message.last_error
    assert notify.sent("email") == []


# The outcome letter ------------------------------------------------------------------------------


def _letter(referral) -> Letter:
    with transaction.atomic():
        return letter_enqueue_outcome(referral, by=None, outcome="s17_assessment")


def test_the_outcome_letter_is_emailed_as_a_file_link_the_referrer_confirms_their_address_to_open(
    notify, decided_referral
):
    referral = decided_referral()
    letter = _letter(referral)

    assert deliver_once(OutboxMessage.objects.get(key=letter.outbox_key).pk) == "done"

    assert mail.outbox == []
    [sent] = notify.sent("email")
    assert sent.template_id == notify_server.LETTER_EMAIL_TEMPLATE_ID
    assert sent.email_address == referral.referrer_email
    link = sent.personalisation["link_to_file"]
    assert link["confirm_email_before_download"] is True
    assert link["retention_period"] == "26 weeks"
    assert link["filename"] == f"outcome-{referral.reference}.pdf"
    text = flat(pdf_text(base64.b64decode(link["file"])))
    assert "Assessment Team 2" in text and "03000 267 111" in text
    assert referral.reference in sent.personalisation["subject"]
    assert "confirm your e-mail address" in sent.personalisation["body"]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    assert letter.notify_id == sent.id and letter.delivery_status == "created"
    assert Deadline.objects.get(referral=referral, kind=Deadline.Kind.LETTER).met_at is not None


def test_no_personal_data_goes_in_notifys_reference(notify, decided_referral):
    referral = decided_referral(referrer_name="Pat Example", referrer_email="pat.example@school.example")
    letter = _letter(referral)
    deliver_once(OutboxMessage.objects.get(key=letter.outbox_key).pk)

    [sent] = notify.sent("email")
    assert sent.reference == f"mash-letter-{letter.pk}"
    personal = [referral.reference, "Pat", "Example", "pat.example", "Alex", "Brown", "school"]
    assert not any(value.lower() in sent.reference.lower() for value in personal)


def test_a_letter_with_a_notification_id_is_never_sent_again(notify, decided_referral):
    letter = _letter(decided_referral())
    message = OutboxMessage.objects.get(key=letter.outbox_key)
    notify.fail_next(429)
    assert deliver_once(message.pk) == "failed"
    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and "429" in letter.last_error
    assert deliver_once(message.pk) == "done"

    # However the outbox row comes to be due again, Notify is not asked to send it twice.
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    assert deliver_once(message.pk) == "done"
    assert len(notify.sent("email")) == 1
    assert notify.posts() == 2  # the one refused with 429 and the one Notify took; no third


# Delivery status: the callback ----------------------------------------------------------------------

CALLBACK = "/api/v1/notify/callback"


def _callback(client, notify_id, status, token=CALLBACK_TOKEN):
    body = {
        "id": notify_id,
        "reference": "mash-letter-1",
        "to": "someone@example.gov.uk",
        "status": status,
        "created_at": "2026-12-04T10:00:00.000000Z",
        "completed_at": "2026-12-04T10:01:00.000000Z",
        "sent_at": "2026-12-04T10:00:10.000000Z",
        "notification_type": "email",
        "template_id": notify_server.LETTER_EMAIL_TEMPLATE_ID,
        "template_version": 1,
    }
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(CALLBACK, data=json.dumps(body), content_type="application/json", headers=headers)


def _sent_letter(notify, referral) -> Letter:
    letter = _letter(referral)
    deliver_once(OutboxMessage.objects.get(key=letter.outbox_key).pk)
    letter.refresh_from_db()
    return letter


def test_the_callback_stores_the_delivery_status_on_the_letter_and_its_outbox_row(
    notify, decided_referral, client
):
    letter = _sent_letter(notify, decided_referral())

    response = _callback(client, letter.notify_id, "delivered")

    assert response.status_code == 200 and response.json() == {"updated": 2}
    letter.refresh_from_db()
    assert letter.delivery_status == "delivered" and letter.status == Letter.Status.SENT
    assert letter.delivery_status_at.isoformat() == "2026-12-04T10:01:00+00:00"
    assert OutboxMessage.objects.get(key=letter.outbox_key).delivery_status == "delivered"
    assert AuditEvent.objects.filter(action="letter_delivery_status", actor_label="GOV.UK Notify").exists()


@pytest.mark.parametrize("token", [None, "wrong-token", CALLBACK_TOKEN[:-1], ""])
def test_a_callback_without_the_right_bearer_token_is_refused_and_changes_nothing(
    notify, decided_referral, client, token
):
    letter = _sent_letter(notify, decided_referral())

    response = _callback(client, letter.notify_id, "permanent-failure", token=token)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    letter.refresh_from_db()
    assert letter.delivery_status == "created" and letter.status == Letter.Status.SENT


def test_the_callback_is_refused_when_no_token_is_configured(notify, settings, decided_referral, client):
    letter = _sent_letter(notify, decided_referral())
    settings.NOTIFY_CALLBACK_TOKEN = ""

    assert _callback(client, letter.notify_id, "delivered", token="").status_code == 401


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps([1]), json.dumps({"id": "x"}), json.dumps({"id": "x", "status": "lost"})],
)
def test_a_malformed_callback_is_a_400_naming_the_field(notify, client, body):
    response = client.post(
        CALLBACK,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"},
    )

    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_final_status_is_not_replaced_by_a_late_in_flight_one(notify, decided_referral, client):
    letter = _sent_letter(notify, decided_referral())
    _callback(client, letter.notify_id, "delivered")

    _callback(client, letter.notify_id, "sending")

    letter.refresh_from_db()
    assert letter.delivery_status == "delivered"


# A letter Notify could not deliver ---------------------------------------------------------------


def test_a_permanent_failure_marks_the_letter_not_delivered_and_emails_the_team_manager(
    notify, decided_referral, client, make_user
):
    manager = make_user(Role.TEAM_MANAGER, username="tm", email="manager@example.gov.uk")
    team = TeamFactory(name="Assessment Team 2", phone="03000 267 111", manager=manager)
    letter = _sent_letter(notify, decided_referral(team=team))

    assert _callback(client, letter.notify_id, "permanent-failure").status_code == 200

    letter.refresh_from_db()
    assert letter.status == Letter.Status.UNDELIVERED
    assert "permanent-failure" in letter.last_error
    alert = OutboxMessage.objects.get(key=f"letter-undelivered:{letter.pk}:{manager.pk}")
    assert alert.payload["to"] == "manager@example.gov.uk"
    assert letter.referral.reference in alert.payload["subject"]
    assert "Alex" not in alert.payload["body"]  # the referral's reference only, no child's details
    assert letter in letters_unsent()


@pytest.mark.parametrize("status", ["permanent-failure", "temporary-failure", "technical-failure"])
def test_each_failure_shows_on_the_referrals_letters(
    notify, decided_referral, client, login, officer, status
):
    referral = decided_referral()
    letter = _sent_letter(notify, referral)
    _callback(client, letter.notify_id, status)

    html = login(officer).get(reverse("triage:referral", args=[referral.reference])).content.decode()

    assert "Outcome letters" in html and "Not delivered" in html
    assert f"The outcome letter to {letter.recipient} was not delivered" in html
    assert status in html


def test_a_sent_letter_shows_its_delivery_on_the_referrals_page(
    notify, decided_referral, client, login, officer
):
    referral = decided_referral()
    letter = _sent_letter(notify, referral)
    _callback(client, letter.notify_id, "delivered")

    html = login(officer).get(reverse("triage:referral", args=[referral.reference])).content.decode()

    assert "GOV.UK Notify: delivered" in html and "Not delivered" not in html


# Delivery status: polling -----------------------------------------------------------------------------


def test_polling_stores_the_status_of_what_is_still_in_flight(notify, decided_referral):
    letter = _sent_letter(notify, decided_referral())
    email = _email()
    deliver_once(email.pk)
    email.refresh_from_db()
    notify.set_status(letter.notify_id, "technical-failure")
    notify.set_status(email.notify_id, "delivered")

    assert tasks.poll_notify() == 2

    letter.refresh_from_db()
    email.refresh_from_db()
    assert letter.status == Letter.Status.UNDELIVERED and letter.delivery_status == "technical-failure"
    assert email.delivery_status == "delivered"
    asked = [path for method, path, _ in notify.requests if method == "GET"]
    assert f"/v2/notifications/{letter.notify_id}" in asked

    # Settled rows are not asked about again.
    before = len(notify.requests)
    assert tasks.poll_notify() == 0 and len(notify.requests) == before


def test_polling_stops_at_a_rate_limit_and_asks_again_next_time(notify):
    email = _email()
    deliver_once(email.pk)
    email.refresh_from_db()
    notify.set_status(email.notify_id, "delivered")
    notify.fail_next(429)

    assert tasks.poll_notify() == 0
    assert tasks.poll_notify() == 1


def test_polling_does_nothing_on_smtp(settings):
    assert settings.MESSAGE_CHANNEL == "smtp"
    assert tasks.poll_notify() == 0
