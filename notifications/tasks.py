"""Thin tasks: take ids, re-read state, call the service (the outbox's own task is
``mash.outbox.delivery.deliver``).

Settings give every task late acknowledgement, reject-on-worker-lost, JSON only, prefetch 1 and
time limits below the broker's visibility timeout (mash/settings/base.py). Retries are not Celery
countdowns: a failed delivery records its next attempt on the outbox row and the sweeper publishes
it again when that time comes, so nothing waits inside Redis.
"""

from dataclasses import asdict

from celery import shared_task

from . import notify, receipts, sweeper


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Started every minute by beat; safe to run twice at once (SKIP LOCKED)."""
    return asdict(sweeper.sweep())


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def poll_notify() -> int:
    """Started every five minutes by beat: GOV.UK Notify's status for notifications still in flight
    (the callback tells the same sooner; polling covers a callback Notify could not make)."""
    if not notify.in_use():
        return 0
    return receipts.receipts_poll()
