"""The outbox: written with the change, published after commit, retried by the sweeper, done once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from mash.models import AuditEvent
from notifications import outbox
from notifications.models import OutboxMessage
from notifications.outbox import deliver_once, outbox_enqueue, republish_due

pytestmark = pytest.mark.django_db


def _email(key="k1", to="pat@school.example.org") -> OutboxMessage:
    return outbox_enqueue(
        "email", key=key, payload={"to": to, "subject": "Hello\nBcc: x@evil.test", "body": "Hi"}
    )


def test_the_row_commits_with_the_change_and_is_published_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = _email()
        assert OutboxMessage.objects.get().published_at is None

    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.published_at is not None and message.next_attempt_at > message.published_at


def test_a_rolled_back_change_leaves_no_side_effect(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _email()
            raise RuntimeError("the action failed")

    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_enqueueing_the_same_key_twice_keeps_one_row():
    assert _email().pk == _email().pk
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="No outbox handler"):
        outbox_enqueue("fax", key="x")


def test_the_email_carries_a_message_id_from_its_key_and_no_injected_header():
    message = _email()

    assert deliver_once(message.pk) == "done"

    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == outbox.message_id_for("k1")
    assert "\n" not in sent.subject and sent.bcc == []


@outbox.handler("test_half_done")
def half_done_then_fail(message: OutboxMessage) -> None:
    AuditEvent.objects.create(kind="write", action="half-done", actor_label="system")
    raise ConnectionRefusedError("SMTP down")


def test_a_failure_rolls_back_the_handlers_writes_and_backs_off():
    message = outbox_enqueue("test_half_done", key="half")
    before = timezone.now()

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert not AuditEvent.objects.filter(action="half-done").exists()
    assert message.status == OutboxMessage.Status.FAILED and "SMTP down" in message.last_error
    assert message.next_attempt_at >= before + outbox.backoff(1)
    assert republish_due(before) == 0  # not yet
    assert republish_due(message.next_attempt_at) == 1


def test_backoff_doubles_up_to_ten_minutes():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 5, 30)] == [30, 60, 120, 480, 600]


def test_after_the_last_attempt_the_message_is_given_up(monkeypatch):
    message = _email()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    monkeypatch.setattr(settings, "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setattr(settings, "EMAIL_PORT", 9)  # discard port: nothing listens
    monkeypatch.setattr(settings, "EMAIL_TIMEOUT", 1)

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DEAD
    assert republish_due(timezone.now() + timedelta(days=1)) == 0


def test_a_published_row_is_not_published_again_until_it_may_have_been_lost(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _email()
    now = timezone.now()

    assert republish_due(now) == 0
    assert republish_due(now + outbox.REPUBLISH_AFTER + timedelta(seconds=1)) == 1


def _settings_in_a_fresh_process(**env) -> list[str]:
    code = "from django.conf import settings as s; "
    code += "print(s.EMAIL_BACKEND, s.EMAIL_USE_TLS, s.EMAIL_HOST, s.EMAIL_PORT)"
    environment = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DATABASE_URL")}
    environment.update(DJANGO_SETTINGS_MODULE="mash.settings.local", **env)
    script = f"import django; django.setup(); {code}"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.split()


def test_production_email_is_smtp_with_tls_and_the_embedded_default_writes_files():
    backend, tls, host, port = _settings_in_a_fresh_process(
        EMAIL_URL="smtp+tls://mash:pw@smtp.example.gov.uk:587"
    )
    assert (backend, tls, host, port) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "True",
        "smtp.example.gov.uk",
        "587",
    )

    assert _settings_in_a_fresh_process()[0] == "django.core.mail.backends.filebased.EmailBackend"
