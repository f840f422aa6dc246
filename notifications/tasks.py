"""Thin tasks: take ids, re-read state, call the service.

Settings give every task late acknowledgement, reject-on-worker-lost, JSON only, prefetch 1 and
time limits below the broker's visibility timeout (mash/settings/base.py). Retries are not Celery
countdowns: a failed delivery records its next attempt on the outbox row and the sweeper publishes
it again when that time comes, so nothing waits inside Redis.
"""

from dataclasses import asdict

from celery import shared_task

from . import outbox, sweeper


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(message_id: int) -> str:
    return outbox.deliver_once(message_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Started every minute by beat; safe to run twice at once (SKIP LOCKED)."""
    return asdict(sweeper.sweep())
