"""GOV.UK Notify as the channel, tested against the local server that speaks Notify's API on loopback
(tests/support/notify_server.py): the real service cannot be reached from a test."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from mash.outbox.delivery import deliver_once, outbox_enqueue
from mash.outbox.models import OutboxMessage
from tests.support import notify_server

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
