"""The outbox: side effects written with the change that causes them, delivered at least once
by Celery and done exactly once by the handler.

Usage inside an action's transaction::

    outbox_enqueue("email", key=f"ack:{referral.pk}", referral=referral, payload={...})

Handlers register per kind with :func:`handler` (each app registers its own kinds in its ``ready``);
the Celery task :func:`deliver` runs them.

Why each piece is here:

- The row commits with the change, so a broker outage at that moment loses nothing: publishing
  happens after commit and, if it fails (or the broker silently drops the message, celery#3957, or
  Redis restarts without its append-only file), the sweeper publishes the row again.
- A delivery is three steps (:func:`deliver_once`): the attempt is recorded and committed, the
  work is handed over (the mail server takes the message) outside any transaction, and the result
  is recorded. Whether a message went is decided from that record, never from whether the last
  write happened to succeed: a write that fails after the mail server took the message is retried
  until it lands, and a second copy of the task finds the attempt recorded and leaves it alone.
- A failure is recorded on the row with the next attempt time (exponential backoff); the sweeper,
  not a Celery countdown, starts the retry, so nothing waits inside the broker.
- The same code runs on PostgreSQL and SQLite: no step relies on a row lock held across the
  hand-over, and no lock is held while a PDF renders or a mail server answers.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from mash.actor import Actor
from mash.audit import record_write

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# A handler returns None, or the id the receiving system gave the work (GOV.UK Notify's notification
# id), which is stored on the row with its result.
Handler = Callable[[OutboxMessage], str | None]
FailureHook = Callable[[OutboxMessage, BaseException], None]

# With a 10-minute cap, about 33 hours of attempts before a message is given up (and a letter
# still unsent by then has long since breached its deadline and alerted a manager).
MAX_ATTEMPTS = 200
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 600
# A published row not done by then is published again (its message may have been lost).
REPUBLISH_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class _Registered:
    send: Handler
    on_sent: Handler | None
    on_failure: FailureHook | None


_HANDLERS: dict[str, _Registered] = {}


class Undeliverable(Exception):
    """Raised by a handler when the receiving system refused the work for a reason no retry can mend
    (Notify's 400: an address it will not send to). The row is given up at once, not retried."""


def handler(
    kind: str, *, on_sent: Handler | None = None, on_failure: FailureHook | None = None
) -> Callable[[Handler], Handler]:
    """Register the function that does the work for ``kind``.

    The function hands the work to another system (it sends the e-mail) and writes nothing: it runs
    outside any transaction, after its attempt was committed, so that nothing is locked while it
    renders or waits for a mail server. A write there is refused (:func:`_refusing_writes`).
    ``on_sent`` (optional) records the work as done on the handler's own rows, in the transaction
    that stamps the outbox row done. ``on_failure`` (optional) records a failed attempt on them, in
    the transaction that records the failure.
    """

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = _Registered(fn, on_sent, on_failure)
        return fn

    return register


def handler_for(kind: str) -> Handler:
    return _HANDLERS[kind].send


def message_id_for(key: str) -> str:
    """A Message-ID derived from the outbox key, identical on every attempt.

    If a crash repeats a send (see :func:`deliver_once`), the receiving system sees the same
    Message-ID twice and mail systems that de-duplicate on it show one message.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "mash.invalid"
    return f"<{digest}@{domain}>"


def outbox_enqueue(kind: str, *, key: str, payload: dict | None = None, referral=None) -> OutboxMessage:
    """Write the side effect in the caller's transaction; publish it to Celery after commit.

    Requires: a handler registered for ``kind``; ``payload`` JSON-serialisable (ids, not objects).
    Idempotent on ``key``: enqueueing the same effect twice returns the first row.
    """
    if kind not in _HANDLERS:
        raise ValueError(f"No outbox handler for {kind!r}")
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "payload": payload or {},
            "referral": referral,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        transaction.on_commit(lambda: publish(message.pk))
    return message


def outbox_enqueue_many(kind: str, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """``outbox_enqueue`` for a batch job: the new rows in one INSERT, published after commit over
    one broker connection. ``messages`` are unsaved rows with ``key``, ``payload`` and ``referral``.

    Requires: a handler for ``kind``; no other transaction enqueueing the same keys at this moment
    (the sweeper's keys name deadlines it holds locked). A key already in the outbox is skipped, as
    ``outbox_enqueue`` returns the first row. Returns the rows it added.
    """
    if kind not in _HANDLERS:
        raise ValueError(f"No outbox handler for {kind!r}")
    unique = {message.key: message for message in messages}
    existing = set(OutboxMessage.objects.filter(key__in=list(unique)).values_list("key", flat=True))
    now = timezone.now()
    new = [message for key, message in unique.items() if key not in existing]
    for message in new:
        message.kind, message.next_attempt_at = kind, now
    created = OutboxMessage.objects.bulk_create(new)
    if created:
        ids = [message.pk for message in created]
        transaction.on_commit(lambda: publish_many(ids))
    return created


def outbox_enqueue_new(kind: str, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """``outbox_enqueue_many`` for rows whose keys cannot be in the outbox yet, because they name an
    object created in the caller's transaction (a new referral's acknowledgement): one INSERT and no
    look-up. Published after commit over one broker connection; the sweeper republishes what the
    broker missed, as for every outbox row.
    """
    if kind not in _HANDLERS:
        raise ValueError(f"No outbox handler for {kind!r}")
    now = timezone.now()
    for message in messages:
        message.kind, message.next_attempt_at = kind, now
    created = OutboxMessage.objects.bulk_create(messages)
    if created:
        ids = [message.pk for message in created]
        transaction.on_commit(lambda: publish_many(ids))
    return created


# For the publishing connection only: one try, short socket timeouts. Kombu's defaults retry for
# the whole connect timeout, which blocks the user's request for seconds when Redis is down
# (celery#4296); the outbox makes waiting pointless, since the sweeper publishes again.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}


def broker_connection():
    """A broker connection for publishing that fails at once when the broker is unreachable."""
    app = deliver.app
    return app.connection_for_write(transport_options={**app.conf.broker_transport_options, **FAIL_FAST})


def publish(message_id: int, connection=None) -> bool:
    """Hand the message to the broker. A broker outage is not an error here: the row stays
    pending and the sweeper publishes it again (``republish_due``)."""
    now = timezone.now()
    # Stamped before the broker has it, not after: a worker quick enough to take the task at once
    # would otherwise find the row locked by this UPDATE, skip it, and leave the message waiting
    # for the sweeper. The sweeper publishes it again only if it is still not done by then.
    stamped = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        published_at=Coalesce("published_at", Value(now)), next_attempt_at=now + REPUBLISH_AFTER
    )
    try:
        if connection is None:
            with broker_connection() as own:
                deliver.apply_async((message_id,), retry=False, connection=own)
        else:
            deliver.apply_async((message_id,), retry=False, connection=connection)
    except Exception as error:  # broker unreachable: logged, published again by the sweeper
        logger.warning("Outbox message %s not published (%s); the sweeper will retry", message_id, error)
        if stamped:
            OutboxMessage.objects.filter(pk=message_id, published_at=now).update(published_at=None)
            OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
                next_attempt_at=now
            )
        return False
    return True


def publish_many(message_ids: list[int]) -> int:
    """Publish a batch over one broker connection; at the first failure the rest are left to the
    sweeper (they are still pending and due), rather than each waiting out its own timeout."""
    published = 0
    with broker_connection() as connection:
        for message_id in message_ids:
            if not publish(message_id, connection):
                break
            published += 1
    return published


def backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_CAP_SECONDS)
    )


def attempt_lease() -> timedelta:
    """How long a recorded attempt is taken to be still running.

    The worker kills a task at its hard time limit, so once this has passed since an attempt was
    recorded, that attempt is over, whether or not it managed to record its result.
    """
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


# Named as it was before the outbox moved to the kernel, so a task already queued under that name
# when the service is upgraded is still known to the new worker.
@shared_task(
    name="notifications.tasks.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver(message_id: int) -> str:
    return deliver_once(message_id)


def deliver_once(message_id: int) -> str:
    """Do the message's work once. Returns what happened ("done", "failed", "busy", "already done",
    "missing").

    1. Record the attempt and commit (:func:`_claim`): status ``sending``, the attempt counted, its
       start time and the Message-ID it carries. A second copy of the task (a redelivery, a
       republish by the sweeper) that finds an attempt recorded within its lease returns "busy".
    2. Hand the work over (the mail server takes the message), outside any transaction.
    3. Record the result: done (with the handler's ``on_sent`` writes) or failed with its next
       attempt time. This write is retried while the attempt's lease lasts (:func:`_persist`), so a
       database that is busy for a moment cannot turn a sent message into a pending one.

    Only if the process dies between 2 and 3 is the outcome unknown: the row is still ``sending``
    when the lease runs out, and the next attempt sends again with the same Message-ID (so mail
    systems that de-duplicate on it show one message) and counts it in ``resent_in_doubt``. A send
    that timed out or lost the mail server mid-conversation is unknown too, and counted the same way.
    """
    claimed = _claim(message_id)
    if isinstance(claimed, str):
        return claimed
    message, registered = claimed
    try:
        if registered is None:
            raise LookupError(f"No outbox handler for {message.kind!r}")
        with _refusing_writes():
            receipt = registered.send(message)
    except Exception as error:  # also SoftTimeLimitExceeded; recorded on the row and retried
        _persist(message, "the failure", _record_failure, message, error, registered)
        return "failed"
    _persist(message, "that it was done", _record_done, message, registered, receipt)
    return "done"


def _claim(message_id: int) -> tuple[OutboxMessage, _Registered | None] | str:
    """Step 1 of :func:`deliver_once`: record the attempt in its own transaction."""
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL): another copy claiming this row at this instant wins. SQLite
        # has no row locks; there the transaction itself is the lock (BEGIN IMMEDIATE, settings).
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "busy" if OutboxMessage.objects.filter(pk=message_id).exists() else "missing"
        if message.status in (OutboxMessage.Status.DONE, OutboxMessage.Status.DEAD):
            return "already done"
        if message.status == OutboxMessage.Status.SENDING:
            if message.attempt_started_at and message.attempt_started_at + attempt_lease() > now:
                return "busy"
            # The last attempt stopped after recording itself and before recording its result:
            # the message may or may not have gone. Send again, with the same Message-ID.
            message.resent_in_doubt += 1
            logger.warning(
                "Outbox message %s (%s): attempt %s stopped without recording its result; sending "
                "again with the same Message-ID %s (repeat %s)",
                message.pk,
                message.key,
                message.attempts,
                message.message_id,
                message.resent_in_doubt,
            )
        elif message.status == OutboxMessage.Status.FAILED and outcome_was_unknown(message.last_error):
            # The last attempt timed out or lost the mail server mid-conversation: it may have
            # been delivered. Sent again with the same Message-ID, and counted like a killed worker.
            message.resent_in_doubt += 1
            logger.warning(
                "Outbox message %s (%s): attempt %s ended without the mail server's answer (%s); "
                "sending again with the same Message-ID %s (repeat %s)",
                message.pk,
                message.key,
                message.attempts,
                message.last_error,
                message.message_id,
                message.resent_in_doubt,
            )
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.message_id = message.message_id or message_id_for(message.key)
        message.attempt_started_at = now
        message.next_attempt_at = now + attempt_lease()  # the sweeper leaves it alone until then
        message.save(
            update_fields=[
                "status",
                "attempts",
                "message_id",
                "attempt_started_at",
                "next_attempt_at",
                "resent_in_doubt",
            ]
        )
    return message, _HANDLERS.get(message.kind)


# Errors after which nobody knows whether the mail server took the message: it may have answered
# after the timeout, or dropped the connection after accepting the data. A refused connection or a
# rejected recipient is a known failure and is not among them.
UNKNOWN_OUTCOME_ERRORS = ("TimeoutError", "SMTPServerDisconnected", "SoftTimeLimitExceeded")


def outcome_was_unknown(last_error: str) -> bool:
    return last_error.split(":", 1)[0] in UNKNOWN_OUTCOME_ERRORS


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def _refusing_writes() -> Iterator[None]:
    """A handler's hand-over step runs outside any transaction: a write there would commit on its
    own, even if the hand-over then failed. Refuse it, so a handler cannot do that by mistake."""

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(_WRITES):
            raise RuntimeError("An outbox handler writes nothing while sending; record it in on_sent")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        if not connection.in_atomic_block:
            yield
            return
        # Called inside a caller's transaction (a test's): a savepoint keeps that transaction usable
        # after a refused write.
        with transaction.atomic():
            yield


def _record_done(message: OutboxMessage, registered: _Registered, receipt: str | None = None) -> None:
    with transaction.atomic():
        current = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if current.status == OutboxMessage.Status.DONE:
            return  # a repeat, after this attempt's lease ran out, has recorded it already
        if receipt:
            current.notify_id = receipt
        if registered.on_sent is not None:
            registered.on_sent(current)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.DONE,
            done_at=timezone.now(),
            last_error="",
            next_attempt_at=None,
            notify_id=current.notify_id,
        )


def _record_failure(message: OutboxMessage, error: BaseException, registered: _Registered | None) -> None:
    gave_up = message.attempts >= MAX_ATTEMPTS or isinstance(error, Undeliverable)
    message.status = OutboxMessage.Status.DEAD if gave_up else OutboxMessage.Status.FAILED
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = timezone.now() + backoff(message.attempts)
    with transaction.atomic():
        # Only this attempt's own record: a later attempt (after this one's lease) may own the row now.
        recorded = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.SENDING, attempt_started_at=message.attempt_started_at
        ).update(
            status=message.status, last_error=message.last_error, next_attempt_at=message.next_attempt_at
        )
        if recorded and registered is not None and registered.on_failure is not None:
            registered.on_failure(message, error)
    logger.warning(
        "Outbox message %s failed (attempt %s): %s", message.pk, message.attempts, message.last_error
    )


# Between tries of a write that records a result: short at first (SQLite's busy timeout has
# already waited), then longer, for a database restarting.
RECORD_RETRY_SECONDS = (0.5, 1, 2, 4, 8)


def _persist(message: OutboxMessage, what: str, write: Callable[..., None], *args) -> None:
    """Run ``write(*args)`` until it commits or the attempt's lease is nearly over.

    The work has been handed over by now; giving up on recording it would leave the row
    ``sending``, and the message would go again after the lease. So a failed write (the database
    locked past its busy timeout, a dropped PostgreSQL connection) is tried again, and only a
    process that dies leaves the outcome unknown.
    """
    lease_ends = message.attempt_started_at + attempt_lease() - timedelta(seconds=5)
    tries = 0
    while True:
        try:
            write(*args)
            return
        except DatabaseError as error:
            if connection.in_atomic_block or timezone.now() >= lease_ends:
                raise
            pause = RECORD_RETRY_SECONDS[min(tries, len(RECORD_RETRY_SECONDS) - 1)]
            tries += 1
            logger.warning(
                "Outbox message %s: could not record %s (%s); trying again in %s s",
                message.pk,
                what,
                error,
                pause,
            )
            connection.close()  # a broken PostgreSQL connection is replaced on the next query
            time.sleep(pause)


def republish_due(now: datetime | None = None, limit: int = 500) -> int:
    """Publish again what is pending or failed and due for another attempt, and attempts whose lease
    has run out (called by the sweeper).

    The rows are claimed with SKIP LOCKED and their next attempt pushed out before publishing, so
    two sweepers (or a slow broker) do not publish the same row every minute.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=OutboxMessage.REPUBLISHABLE, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now + REPUBLISH_AFTER)
    if not due:
        return 0
    with broker_connection() as connection:
        return sum(publish(pk, connection) for pk in due)


def outbox_retry(message: OutboxMessage, *, by: Actor) -> None:
    """Give a failed or abandoned message another go now (the admin's "retry" action)."""
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, status__in=["failed", "dead"]).update(
            status=OutboxMessage.Status.FAILED, next_attempt_at=timezone.now()
        )
        record_write("outbox_retry", actor=by, obj=message, reason="retried from the admin")
        transaction.on_commit(lambda: publish(message.pk))
