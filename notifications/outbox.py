"""The outbox: side effects written with the change that causes them, delivered at least once
by Celery and done exactly once by the handler.

Usage inside an action's transaction::

    outbox_enqueue("email", key=f"ack:{referral.pk}", referral=referral, payload={...})

Handlers register per kind with :func:`handler`; ``notifications.tasks.deliver`` runs them.

Why each piece is here:

- The row commits with the change, so a broker outage at that moment loses nothing: publishing
  happens after commit and, if it fails (or the broker silently drops the message, celery#3957, or
  Redis restarts without its append-only file), the sweeper publishes the row again.
- A delivery locks the row (``SKIP LOCKED``) and checks ``status``: a second copy of the task (a
  redelivery after a crash, a republish by the sweeper) either finds the row locked and leaves it
  to the first, or finds it done and does nothing.
- A failure is recorded on the row with the next attempt time (exponential backoff); the sweeper,
  not a Celery countdown, starts the retry, so nothing waits inside the broker.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
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
    run: Handler
    on_failure: FailureHook | None


_HANDLERS: dict[str, _Registered] = {}


def handler(kind: str, *, on_failure: FailureHook | None = None) -> Callable[[Handler], Handler]:
    """Register the function that does the work for ``kind``.

    ``on_failure`` (optional) records a failed attempt on the handler's own rows; it runs in the
    delivery's transaction after the handler's writes were rolled back.
    """

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = _Registered(fn, on_failure)
        return fn

    return register


def handler_for(kind: str) -> Handler:
    return _HANDLERS[kind].run


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


# For the publishing connection only: one try, short socket timeouts. Kombu's defaults retry for
# the whole connect timeout, which blocks the user's request for seconds when Redis is down
# (celery#4296); the outbox makes waiting pointless, since the sweeper publishes again.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}


def broker_connection():
    """A broker connection for publishing that fails at once when the broker is unreachable."""
    from .tasks import deliver

    app = deliver.app
    return app.connection_for_write(transport_options={**app.conf.broker_transport_options, **FAIL_FAST})


def publish(message_id: int, connection=None) -> bool:
    """Hand the message to the broker. A broker outage is not an error here: the row stays
    pending and the sweeper publishes it again (``republish_due``)."""
    from .tasks import deliver

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


def deliver_once(message_id: int) -> str:
    """Run the message's handler once, under a row lock, and stamp it done. Returns what happened.

    The lock is taken with SKIP LOCKED: a second copy of the task arriving while the first works
    returns at once ("busy") instead of queueing behind it; if the first dies, its transaction is
    rolled back, the row is still pending, and the sweeper publishes it again.

    The handler runs inside the lock and its writes commit with the done stamp. The one window left
    is a crash after an external system accepted the work (an SMTP server took the message) and
    before this transaction commits: the row is then still pending and the work is done again.
    That window is the length of one COMMIT; e-mail carries a Message-ID derived from the key
    (:func:`message_id_for`) so a repeat is recognisable as the same message.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            exists = OutboxMessage.objects.filter(pk=message_id).exists()
            return "busy" if exists else "missing"
        if message.status in (OutboxMessage.Status.DONE, OutboxMessage.Status.DEAD):
            return "already done"
        message.attempts += 1
        registered = _HANDLERS.get(message.kind)
        try:
            if registered is None:
                raise LookupError(f"No outbox handler for {message.kind!r}")
            with transaction.atomic():  # a savepoint: a failing handler leaves none of its writes
                registered.run(message)
        except Exception as error:  # also SoftTimeLimitExceeded; recorded on the row and retried
            _record_failure(message, error, registered)
            return "failed"
        message.status = OutboxMessage.Status.DONE
        message.done_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "done_at", "last_error"])
        return "done"


def _record_failure(message: OutboxMessage, error: BaseException, registered: _Registered | None) -> None:
    gave_up = message.attempts >= MAX_ATTEMPTS
    message.status = OutboxMessage.Status.DEAD if gave_up else OutboxMessage.Status.FAILED
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = timezone.now() + backoff(message.attempts)
    message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    if registered is not None and registered.on_failure is not None:
        registered.on_failure(message, error)
    logger.warning(
        "Outbox message %s failed (attempt %s): %s", message.pk, message.attempts, message.last_error
    )


def republish_due(now: datetime | None = None, limit: int = 500) -> int:
    """Publish again what is pending or failed and due for another attempt (called by the sweeper).

    The rows are claimed with SKIP LOCKED and their next attempt pushed out before publishing, so
    two sweepers (or a slow broker) do not publish the same row every minute.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED],
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now + REPUBLISH_AFTER)
    if not due:
        return 0
    with broker_connection() as connection:
        return sum(publish(pk, connection) for pk in due)


def outbox_retry(message: OutboxMessage, *, by) -> None:
    """Give a failed or abandoned message another go now (the admin's "retry" action)."""
    from mash.audit import record_write

    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, status__in=["failed", "dead"]).update(
            status=OutboxMessage.Status.FAILED, next_attempt_at=timezone.now()
        )
        record_write("outbox_retry", actor=by, obj=message, reason="retried from the admin")
        transaction.on_commit(lambda: publish(message.pk))
