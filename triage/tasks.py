"""Triage's scheduled tasks (Celery beat entries in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

# The MASH stage's actions are imported for the outbox handler they register: the worker matches the
# challenges that the public page kept (actions.challenge_submit) when it delivers their outbox rows.
from . import retention  # noqa: F401
from .multiagency import actions  # noqa: F401


# The name it had when it lived in the kernel, which the beat schedule and any queued run still use.
@shared_task(name="mash.tasks.purge_no_consent_referrals")
def purge_no_consent_referrals() -> dict:
    """Daily: remove the personal data of referrals not progressed for lack of consent once the
    policy's retention period has passed. Idempotent: a purged referral is never touched again."""
    return retention.purge_due()
