"""The outbox: written with the change, published after commit, retried by the sweeper, done once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from mash.models import AuditEvent
from mash.outbox import delivery as outbox
from mash.outbox.delivery import deliver_once, outbox_enqueue, republish_due
from mash.outbox.models import OutboxMessage

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


@outbox.handler("test_refused")
def refused(message: OutboxMessage) -> None:
    raise ConnectionRefusedError("SMTP down")


@outbox.handler("test_writes_while_sending")
def writes_while_sending(message: OutboxMessage) -> None:
    AuditEvent.objects.create(kind="write", action="half-done", actor_label="system")


def test_a_failure_is_recorded_and_backs_off():
    message = outbox_enqueue("test_refused", key="refused")
    before = timezone.now()

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and "SMTP down" in message.last_error
    assert message.next_attempt_at >= before + outbox.backoff(1)
    assert republish_due(before) == 0  # not yet
    assert republish_due(message.next_attempt_at) == 1


def test_a_handler_that_writes_while_sending_is_refused_and_writes_nothing():
    """Sending runs outside any transaction: a write there would stay even if the send failed."""
    message = outbox_enqueue("test_writes_while_sending", key="writes")

    assert deliver_once(message.pk) == "failed"

    message.refresh_from_db()
    assert "writes nothing while sending" in message.last_error
    assert not AuditEvent.objects.filter(action="half-done").exists()


seen_while_sending: list[OutboxMessage] = []


@outbox.handler("test_observed")
def observed(message: OutboxMessage) -> None:
    """What the database holds at the moment the mail server is handed the message."""
    seen_while_sending.append(OutboxMessage.objects.get(pk=message.pk))
    assert deliver_once(message.pk) == "busy"  # a second copy of the task, arriving now


def test_the_attempt_and_its_message_id_are_recorded_before_the_handover_and_a_second_copy_waits():
    seen_while_sending.clear()
    message = outbox_enqueue("test_observed", key="observed")

    assert deliver_once(message.pk) == "done"

    [during] = seen_while_sending
    assert during.status == OutboxMessage.Status.SENDING and during.attempts == 1
    assert during.message_id == outbox.message_id_for("observed") and during.attempt_started_at
    assert during.next_attempt_at == during.attempt_started_at + outbox.attempt_lease()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE and message.resent_in_doubt == 0


def _stopped_mid_attempt(message: OutboxMessage, *, ago) -> None:
    """The row as a worker killed after handing the message over, before recording it, leaves it."""
    started = timezone.now() - ago
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING,
        attempts=1,
        message_id=outbox.message_id_for(message.key),
        attempt_started_at=started,
        next_attempt_at=started + outbox.attempt_lease(),
    )


def test_an_attempt_within_its_lease_is_left_to_finish():
    message = _email()
    _stopped_mid_attempt(message, ago=timedelta(seconds=5))

    assert deliver_once(message.pk) == "busy"
    assert republish_due(timezone.now()) == 0
    assert mail.outbox == []


def test_an_attempt_that_stopped_without_its_result_is_sent_again_with_the_same_message_id_and_counted(
    caplog,
):
    message = _email()
    _stopped_mid_attempt(message, ago=outbox.attempt_lease() + timedelta(seconds=1))

    assert republish_due(timezone.now()) == 1  # the sweeper publishes it once its lease is over
    assert deliver_once(message.pk) == "done"

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE
    assert (message.attempts, message.resent_in_doubt) == (2, 1)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [outbox.message_id_for("k1")]
    assert "sending again with the same Message-ID" in caplog.text


timeouts_then_ok: list[str] = []


@outbox.handler("test_times_out_once")
def times_out_once(message: OutboxMessage) -> None:
    timeouts_then_ok.append(message.message_id)
    if len(timeouts_then_ok) == 1:
        raise TimeoutError("timed out waiting for the mail server's answer to DATA")


def test_a_send_that_timed_out_is_sent_again_with_the_same_message_id_and_counted(caplog):
    timeouts_then_ok.clear()
    message = outbox_enqueue("test_times_out_once", key="timeout")

    assert deliver_once(message.pk) == "failed"
    assert deliver_once(message.pk) == "done"

    message.refresh_from_db()
    assert (message.attempts, message.resent_in_doubt) == (2, 1)
    assert timeouts_then_ok == [outbox.message_id_for("timeout")] * 2
    assert "ended without the mail server's answer" in caplog.text


def test_a_refused_connection_is_a_known_failure_and_not_counted_as_a_repeat():
    message = outbox_enqueue("test_refused", key="refused-twice")
    assert deliver_once(message.pk) == "failed"
    assert deliver_once(message.pk) == "failed"
    message.refresh_from_db()
    assert message.resent_in_doubt == 0


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


def _break_the_next_write() -> None:
    """The database refuses the write that records the result, as it does under load: SQLite locked
    by another writer (released 1.5 s later), or PostgreSQL dropping this process's connection."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, check_same_thread=False)
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(1.5, other.close).start()
        return
    pid = connection.connection.get_backend_pid()
    admin = connection.copy()
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    admin.close()


@outbox.handler("test_then_the_database_refuses")
def then_the_database_refuses(message: OutboxMessage) -> None:
    mail.send_mail("Ref", "Body", None, ["pat@school.example.org"], fail_silently=False)
    _break_the_next_write()


@pytest.mark.django_db(transaction=True)
def test_a_result_the_database_refuses_at_first_is_recorded_and_the_message_never_sent_again(caplog):
    message = outbox_enqueue("test_then_the_database_refuses", key="refuses")

    assert deliver_once(message.pk) == "done"
    assert deliver_once(message.pk) == "already done"

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE and message.resent_in_doubt == 0
    assert len(mail.outbox) == 1
    assert "could not record that it was done" in caplog.text
