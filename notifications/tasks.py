"""Thin tasks: take ids, re-read state, call the service."""

from celery import shared_task

from . import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver(message_id: int) -> None:
    outbox.deliver_once(message_id)


@shared_task
def republish_outbox() -> int:
    return outbox.republish_due()
