"""The outbox: side effects written with the change that causes them, delivered at least once
by Celery and done exactly once by the handler.

Usage inside an action's transaction::

    outbox_enqueue("acknowledgement_email", key=f"ack:{referral.pk}", referral=referral, payload={...})

Handlers register per kind with :func:`handler`; ``notifications.tasks.deliver`` runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}

MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 30


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> Handler:
    return _HANDLERS[kind]


def outbox_enqueue(kind: str, *, key: str, payload: dict | None = None, referral=None) -> OutboxMessage:
    """Write the side effect in the caller's transaction; publish it to Celery after commit.

    Idempotent on ``key``: enqueueing the same effect twice returns the first row.
    """
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "payload": payload or {}, "referral": referral, "next_attempt_at": timezone.now()},
    )
    if created:
        transaction.on_commit(lambda: publish(message.pk))
    return message


def publish(message_id: int) -> bool:
    """Hand the message to the broker. A broker outage is not an error here: the row stays
    pending and the sweeper publishes it again (``republish_due``)."""
    from .tasks import deliver

    try:
        deliver.apply_async((message_id,), retry=False)
    except Exception:  # broker unreachable: logged, retried by the sweeper
        logger.warning("Outbox message %s not published; the sweeper will retry", message_id, exc_info=True)
        return False
    OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).update(published_at=timezone.now())
    return True


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def deliver_once(message_id: int) -> None:
    """Run the message's handler once, under a row lock, and stamp it done.

    The lock makes a redelivered copy wait for the first; the status check then makes it a no-op.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in (OutboxMessage.Status.DONE, OutboxMessage.Status.DEAD):
            return
        message.attempts += 1
        try:
            handler_for(message.kind)(message)
        except Exception as error:  # recorded on the row and retried with backoff
            message.status = OutboxMessage.Status.DEAD if message.attempts >= MAX_ATTEMPTS else OutboxMessage.Status.FAILED
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.next_attempt_at = timezone.now() + backoff(message.attempts)
            message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
            logger.warning("Outbox message %s failed (attempt %s): %s", message_id, message.attempts, error)
            return
        message.status = OutboxMessage.Status.DONE
        message.done_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "done_at", "last_error"])


def republish_due(now=None, limit: int = 500) -> int:
    """Publish again what is pending or failed and due for another attempt (called by the sweeper)."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Push the next attempt out first so a slow broker does not get the same message every minute.
    OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now + timedelta(minutes=2))
    return sum(publish(pk) for pk in due)
