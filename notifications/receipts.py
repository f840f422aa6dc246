"""GOV.UK Notify's delivery receipts: the status it reports for each notification, stored on the
letter and outbox rows that carry its id, from Notify's callback (notifications/views.py) or by
polling the rows still in flight (:func:`receipts_poll`, a Celery task every few minutes).

A letter Notify could not deliver is marked "Not delivered" where staff see the referral's letters,
and the people who must act (the referral's team manager and whoever holds it) are e-mailed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agencies.models import Team
from mash.actor import Actor
from mash.audit import SYSTEM, record_write
from mash.outbox.delivery import outbox_enqueue

from . import notify
from .models import Letter, OutboxMessage

logger = logging.getLogger(__name__)

# Notify's statuses, as its callbacks and API give them (e-mail, and precompiled letters).
KNOWN_STATUSES = frozenset(
    {
        "created",
        "sending",
        "pending",
        "delivered",
        "permanent-failure",
        "temporary-failure",
        "technical-failure",
        "accepted",
        "received",
        "cancelled",
        "pending-virus-check",
        "virus-scan-failed",
        "validation-failed",
    }
)
FINAL_STATUSES = frozenset(KNOWN_STATUSES - set(notify.IN_FLIGHT) - {"pending-virus-check"})
# Notify keeps a notification's record for 7 days; after that there is nothing left to ask.
POLL_WINDOW = timedelta(days=7)
POLL_BATCH = 200
NOTIFY = "GOV.UK Notify"  # the actor the audit names for what Notify reported


def receipt_record(notify_id: str, status: str, *, by: Actor = NOTIFY, at: datetime | None = None) -> int:
    """Store Notify's ``status`` on the rows that carry ``notify_id``; returns how many it updated.

    Requires: ``status`` one of ``KNOWN_STATUSES``. Receipts can arrive out of order (a callback
    after polling, a retried callback): a final status is never replaced by one still in flight.
    Causes, for a letter that failed: its status "Not delivered", an audit row and e-mails to the
    people who must act on it.
    """
    if status not in KNOWN_STATUSES:
        raise ValueError(f"Unknown GOV.UK Notify status {status!r}")
    at = at or timezone.now()
    with transaction.atomic():
        updated = _record_on_outbox(notify_id, status, at)
        letter = Letter.objects.select_for_update(of=("self",)).filter(notify_id=notify_id).first()
        if letter is not None and _newer(letter.delivery_status, status):
            _record_on_letter(letter, status, at, by)
            updated += 1
    return updated


def _newer(current: str, status: str) -> bool:
    return current != status and current not in FINAL_STATUSES


def _record_on_outbox(notify_id: str, status: str, at: datetime) -> int:
    rows = OutboxMessage.objects.filter(notify_id=notify_id).exclude(delivery_status__in=FINAL_STATUSES)
    updated = rows.exclude(delivery_status=status).update(delivery_status=status, delivery_status_at=at)
    if updated and status in notify.FAILURES:
        logger.error("GOV.UK Notify could not deliver notification %s: %s", notify_id, status)
    return updated


def _record_on_letter(letter: Letter, status: str, at: datetime, by: Actor) -> None:
    letter.delivery_status, letter.delivery_status_at = status, at
    fields = ["delivery_status", "delivery_status_at"]
    if status in notify.FAILURES:
        letter.status = Letter.Status.UNDELIVERED
        letter.last_error = f"GOV.UK Notify: {status} ({notify.FAILURE_MEANINGS[status]})"
        fields += ["status", "last_error"]
    letter.save(update_fields=fields)
    record_write("letter_delivery_status", actor=by, obj=letter, reason=f"GOV.UK Notify reported {status}")
    if status in notify.FAILURES:
        logger.error("Outcome letter %s not delivered: %s", letter.pk, status)
        _tell_the_team(letter)


def _tell_the_team(letter: Letter) -> None:
    """E-mail the referral's team manager and whoever holds it: the referrer has no outcome letter.
    The e-mail names the referral by reference only."""
    referral = letter.referral
    team = referral.team or Team.objects.filter(kind=Team.Kind.MASH, is_active=True).first()
    people = [getattr(team, "manager", None), referral.claimed_by]
    for user in {u.pk: u for u in people if u is not None and u.email}.values():
        outbox_enqueue(
            "email",
            key=f"letter-undelivered:{letter.pk}:{user.pk}",
            referral=referral,
            payload={
                "to": user.email,
                "subject": f"Outcome letter not delivered: referral {referral.reference}",
                "body": (
                    f"GOV.UK Notify could not deliver the outcome letter for referral {referral.reference} "
                    f"to the referrer: {letter.last_error}.\n\n"
                    "Open the referral in the MASH, check the referrer's e-mail address and tell them "
                    "the outcome another way."
                ),
            },
        )


# Polling ------------------------------------------------------------------------------------------


def receipts_in_flight(now: datetime | None = None) -> list[str]:
    """Notify ids of letters and outbox rows whose delivery is not settled, newest window only."""
    since = (now or timezone.now()) - POLL_WINDOW
    outbox = OutboxMessage.objects.filter(done_at__gte=since, delivery_status__in=notify.IN_FLIGHT)
    letters = Letter.objects.filter(sent_at__gte=since, delivery_status__in=notify.IN_FLIGHT)
    ids = set(outbox.exclude(notify_id="").values_list("notify_id", flat=True)[:POLL_BATCH])
    ids |= set(letters.exclude(notify_id="").values_list("notify_id", flat=True)[:POLL_BATCH])
    return sorted(ids)


def receipts_poll(now: datetime | None = None) -> int:
    """Ask Notify for the status of each notification still in flight; returns how many changed.

    Stops at Notify's first error (a rate limit, an outage): the next poll asks again.
    """
    changed = 0
    for notify_id in receipts_in_flight(now):
        try:
            answer = notify.notification(notify_id)
        except Exception as error:  # Notify unreachable or refusing: the next poll tries again
            logger.warning("Polling GOV.UK Notify stopped at %s: %s", notify_id, error)
            break
        status = answer.get("status", "")
        if status in KNOWN_STATUSES:
            completed = parse_datetime(answer.get("completed_at") or "")
            changed += bool(receipt_record(notify_id, status, by=SYSTEM, at=completed))
    return changed
