"""Fault tests against real servers the tests start themselves: Redis stopped, SMTP down, a worker
killed mid-letter, two sweepers at once. PostgreSQL only (workers share the live test database).

Intake and triage actions belong to other issues: here a referral is "submitted and decided" by
creating it with factories and calling ``letter_enqueue_outcome`` in one transaction, as the
outcome action does.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from mash.outbox.delivery import republish_due
from mash.outbox.models import OutboxMessage
from notifications.letters import letter_enqueue_outcome
from notifications.models import Alert, Letter
from notifications.sweeper import sweep
from referrals.models import Referral
from tests.factories import ChildFactory, ReferralFactory, TeamFactory
from tests.support.environment import require
from tests.support.pdf import pdf_text
from tests.support.servers import (
    REDIS_SERVER,
    RecordingHandler,
    RedisServer,
    SmtpServer,
    Worker,
    celery_publishing_to,
    wait_for,
)
from triage.actions import policy_preset_load
from triage.deadlines import deadline_start
from triage.models import Deadline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server(tmp_path):
    require(os.access(REDIS_SERVER, os.X_OK), f"needs {REDIS_SERVER}")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server, settings):
    """Point this process's Celery app (the publisher) at the test's own Redis."""
    settings.CELERY_BROKER_URL = redis_server.url
    with celery_publishing_to(redis_server.url, visibility_timeout=10):
        yield redis_server


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Start workers with ``workers(smtp=..., broker=...)``; all are killed before the database is flushed."""
    started: list[Worker] = []

    def start(*, broker: RedisServer, smtp: SmtpServer) -> Worker:
        worker = Worker(broker_url=broker.url, email_url=smtp.url, logdir=tmp_path)
        worker.start()
        started.append(worker)
        return worker

    start.started = started
    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def smtp():
    servers: list[SmtpServer] = []

    def make(handler: RecordingHandler | None = None) -> SmtpServer:
        servers.append(SmtpServer(handler))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


def _submit_and_decide(n: int, team) -> list[Referral]:
    referrals = []
    for i in range(n):
        with transaction.atomic():
            referral = ReferralFactory(
                decided=True, team=team, referrer_email=f"referrer{i}@school.example.org"
            )
            ChildFactory(referral=referral)
            letter_enqueue_outcome(referral, by=None, outcome="s17_assessment")
        referrals.append(referral)
    return referrals


def _sweep_until(done, *, timeout: float, ahead: timedelta = timedelta(0), what: str) -> None:
    """What beat does every minute: publish again what is due. ``ahead`` lets backoff time pass."""

    def step():
        republish_due(timezone.now() + ahead)
        return done()

    wait_for(step, timeout, what, interval=2)


def _letters_sent() -> int:
    return Letter.objects.filter(status=Letter.Status.SENT).count()


def _assert_each_sent_once(server: SmtpServer, referrals: list[Referral]) -> None:
    received = server.received
    assert len(received) == len(referrals), Counter(m.message_id for m in received).most_common(3)
    assert len({m.message_id for m in received}) == len(referrals)
    assert sorted(r for m in received for r in m.to) == sorted(r.referrer_email for r in referrals)
    assert all(m.pdf and m.pdf.startswith(b"%PDF") for m in received)
    assert Letter.objects.filter(status=Letter.Status.SENT).count() == len(referrals)
    assert not Deadline.objects.filter(kind=Deadline.Kind.LETTER, met_at__isnull=True).exists()
    assert OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).count() == 0


def test_redis_stopped_while_100_referrals_are_decided_then_restarted(broker, smtp, workers):
    policy_preset_load("durham", by=None)
    team = TeamFactory(name="Assessment Team 1", phone="03000 100 100")
    mail = smtp()
    mail.start()
    workers(broker=broker, smtp=mail)

    broker.stop()
    started = time.monotonic()
    referrals = _submit_and_decide(100, team)
    took = time.monotonic() - started

    assert took < 60, f"submitting with Redis down blocked: {took:.0f} s"
    assert Referral.objects.count() == 100 and Letter.objects.count() == 100
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 100  # nothing reached Redis

    broker.start()  # empty: without an append-only file a restart keeps nothing
    _sweep_until(lambda: _letters_sent() == 100, timeout=300, what="100 letters after Redis came back")

    time.sleep(3)  # any duplicate delivery still in flight would land now
    _assert_each_sent_once(mail, referrals)
    reference_for = {r.referrer_email: r.reference for r in referrals}
    for message in mail.received[:5]:  # each letter is about its own referral
        assert reference_for[message.to[0]] in pdf_text(message.pdf)


def test_smtp_down_for_the_first_attempts_then_up(broker, smtp, workers):
    policy_preset_load("durham", by=None)
    team = TeamFactory()
    mail = smtp()  # its port is reserved, nothing listens yet
    workers(broker=broker, smtp=mail)

    referrals = _submit_and_decide(10, team)
    wait_for(
        lambda: Letter.objects.filter(status=Letter.Status.FAILED, attempts__gte=1).count() == 10,
        60,
        "every first attempt to fail",
    )
    failed = Letter.objects.first()
    assert "refused" in failed.last_error.lower() and failed.sent_at is None
    _sweep_until(
        lambda: Letter.objects.filter(attempts__gte=2).count() == 10,
        timeout=60,
        ahead=timedelta(minutes=11),
        what="second attempts, SMTP still down",
    )

    mail.start()
    _sweep_until(
        lambda: _letters_sent() == 10, timeout=120, ahead=timedelta(minutes=11), what="letters after SMTP"
    )

    time.sleep(3)
    _assert_each_sent_once(mail, referrals)
    assert all(letter.attempts >= 3 and letter.last_error == "" for letter in Letter.objects.all())


def test_worker_killed_mid_letter_sends_it_exactly_once(broker, smtp, workers):
    policy_preset_load("durham", by=None)
    mail = smtp(RecordingHandler(hold_first=True))
    mail.start()
    first = workers(broker=broker, smtp=mail)

    referrals = _submit_and_decide(1, TeamFactory())
    assert mail.handler.holding.wait(60), first.log_text()  # the worker is inside the SMTP exchange
    first.kill()  # SIGKILL: no clean-up, the task is neither acknowledged nor finished
    mail.handler.release.set()

    letter = Letter.objects.get()
    assert letter.status == Letter.Status.QUEUED and letter.sent_at is None  # its transaction died with it
    workers(broker=broker, smtp=mail)
    # Redelivered by Redis after the visibility timeout, or published again by the sweeper.
    _sweep_until(lambda: _letters_sent() == 1, timeout=120, ahead=timedelta(minutes=3), what="the letter")

    time.sleep(12)  # past the visibility timeout: a second copy of the task would have run by now
    _assert_each_sent_once(mail, referrals)


def test_smtp_accepts_the_letter_then_the_worker_is_killed_before_recording_it(broker, smtp, workers):
    """The one outcome nobody can know: the mail server has the letter, the worker never said so.
    It is sent again only with the same Message-ID, and the repeat is counted where a person sees it."""
    policy_preset_load("durham", by=None)
    mail = smtp(RecordingHandler(hold_first_quit=True))
    mail.start()
    first = workers(broker=broker, smtp=mail)

    referrals = _submit_and_decide(1, TeamFactory())
    assert mail.handler.holding.wait(60), first.log_text()  # accepted; the worker waits on QUIT
    first.kill()  # SIGKILL before it records anything
    mail.handler.release.set()

    message = OutboxMessage.objects.get(kind="outcome_letter")
    assert message.status == OutboxMessage.Status.SENDING and message.attempts == 1  # recorded before
    assert len(mail.received) == 1 and mail.received[0].message_id == message.message_id
    workers(broker=broker, smtp=mail)
    _sweep_until(lambda: _letters_sent() == 1, timeout=120, ahead=timedelta(minutes=3), what="the letter")

    time.sleep(12)  # past the visibility timeout and the lease: any third copy would have gone by now
    message.refresh_from_db()
    received = mail.received
    print(f"\nsent {len(received)} times, resent in doubt {message.resent_in_doubt} (same Message-ID)")
    assert [m.message_id for m in received] == [message.message_id] * 2
    assert message.status == OutboxMessage.Status.DONE and message.resent_in_doubt == 1
    letter = Letter.objects.get()
    assert letter.status == Letter.Status.SENT and letter.message_id == message.message_id
    assert [m.to for m in received] == [[referrals[0].referrer_email]] * 2
    assert "sending again with the same Message-ID" in "".join(w.log.read_text() for w in workers.started)


def test_two_sweepers_at_once_raise_each_alert_once(db, make_user):
    officer = make_user(username="sam", email="sam@council.example.gov.uk")
    manager = make_user(username="mo", email="mo@council.example.gov.uk")
    team = TeamFactory(manager=manager)
    policy = policy_preset_load("durham", by=None)
    start = timezone.now() - timedelta(days=5)
    for _ in range(300):
        deadline_start(
            ReferralFactory(decided=True, claimed_by=officer, team=team),
            Deadline.Kind.DECISION,
            policy=policy,
            start=start,
        )
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run_sweeper():
        try:
            barrier.wait()
            results.append(sweep())
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run_sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert sum(r.breached for r in results) == 300  # every breach raised by exactly one sweeper
    assert Alert.objects.filter(level="breach").count() == 300
    assert OutboxMessage.objects.filter(kind="email").count() == 600
    assert not Deadline.objects.filter(breached_at__isnull=True).exists()
