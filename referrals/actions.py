"""Every write of intake: a submitted referral, and an advice-only consultation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.outbox.delivery import outbox_enqueue_new
from mash.outbox.models import OutboxMessage

from .intake import IntakeData
from .models import Consultation, ReferenceCounter, Referral, ReferralAdult, ReferralChild
from .selectors import consultation_line, out_of_hours_at, referral_by_idempotency_key
from .signals import referral_received

REFERENCE_PREFIX = "MASH"


@dataclass(frozen=True)
class SubmitOutcome:
    referral: Referral
    created: bool


def reference_allocate(at: datetime) -> str:
    """The next reference of ``at``'s year, like ``MASH-2026-000123``. Call inside a transaction.

    One upsert: it creates the year's row or takes its row lock until the caller commits, so two
    submissions at the same moment wait for each other and never get the same number (a rolled-back
    one gives its number back).
    """
    year = timezone.localtime(at).year
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        # Only the model's own table name is formatted in; the year is a bound parameter.
        upsert = (
            f'INSERT INTO "{table}" (year, last_number) VALUES (%s, 1) '  # noqa: S608  # nosec B608
            f'ON CONFLICT (year) DO UPDATE SET last_number = "{table}".last_number + 1 '
            "RETURNING last_number"
        )
        cursor.execute(upsert, [year])
        (number,) = cursor.fetchone()
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def referral_submit_once(
    data: IntakeData,
    *,
    by: Actor,
    channel: str,
    idempotency_key: str,
    fingerprint: str = "",
    ip_address: str | None = None,
) -> SubmitOutcome:
    """Save a checked referral with all its children and adults, once per idempotency key.

    Requires: ``data`` from ``referrals.intake.clean_intake``; ``by`` a member of staff (phone or
    e-mail referrals), an API token's label, or ``mash.audit.PUBLIC``.
    Causes, in one transaction: the referral (status RECEIVED) and its people, a reference, an audit
    row, an acknowledgement e-mail in the outbox if the referrer gave an e-mail address, and the
    threshold decision clock. The same key again returns the first referral (``created`` false);
    the same key with a different ``fingerprint`` raises ``Conflict``.
    """
    existing = referral_by_idempotency_key(idempotency_key, fingerprint)
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    try:
        with transaction.atomic():
            referral = _create(
                data,
                by=by,
                channel=channel,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                ip=ip_address,
            )
    except IntegrityError:
        # A concurrent submission with the same key (a double click) committed first: it is the referral.
        existing = referral_by_idempotency_key(idempotency_key, fingerprint)
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(referral, created=True)


def referral_submit(
    data: IntakeData, *, by: Actor, channel: str, idempotency_key: str, **options
) -> Referral:
    """``referral_submit_once`` for callers that do not need to know whether it was a repeat."""
    return referral_submit_once(
        data, by=by, channel=channel, idempotency_key=idempotency_key, **options
    ).referral


def _create(
    data: IntakeData, *, by: Actor, channel: str, idempotency_key: str, fingerprint: str, ip: str | None
) -> Referral:
    now = timezone.now()
    out_of_hours, policy = out_of_hours_at(now)
    referral = Referral.objects.create(
        reference=reference_allocate(now),
        channel=channel,
        received_at=now,
        out_of_hours=out_of_hours,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        policy_version=policy,
        **data.referral,
    )
    ReferralChild.objects.bulk_create(ReferralChild(referral=referral, **child) for child in data.children)
    ReferralAdult.objects.bulk_create(ReferralAdult(referral=referral, **adult) for adult in data.adults)
    audit.record_write(
        "referral.submit",
        actor=by,
        obj=referral,
        reason=f"Referral received ({referral.get_channel_display()})",
        details={"channel": channel, "children": len(data.children), "adults": len(data.adults)},
        ip_address=ip,
    )
    _acknowledge(referral)
    # Triage starts its clocks and routes out of hours, in this transaction (triage/intake.py).
    referral_received.send(sender=Referral, referral=referral, policy=policy, by=by)
    return referral


def _acknowledge(referral: Referral) -> None:
    """Queue the acknowledgement. It never carries the outcome, and names no child (e-mail is not secure)."""
    if not referral.referrer_email:
        return
    professional = referral.referrer_type == Referral.ReferrerType.PROFESSIONAL
    next_step = (
        "We will decide what happens next and email you the outcome."
        if professional
        else "We will decide what happens next. We do not tell members of the public the outcome, "
        "but we may contact you if we need to know more."
    )
    body = (
        f"Thank you for your referral to the Multi-Agency Safeguarding Hub.\n\n"
        f"Your reference is {referral.reference}. Quote it if you contact us about this referral.\n\n"
        f"{next_step}\n\n"
        "If a child is in immediate danger, call 999.\n"
    )
    # The key names this new referral, so it cannot be in the outbox yet: no look-up first.
    outbox_enqueue_new(
        "email",
        [
            OutboxMessage(
                key=f"referral-acknowledgement:{referral.pk}",
                payload={
                    "to": referral.referrer_email,
                    "subject": f"Referral received: {referral.reference}",
                    "body": body,
                },
                referral=referral,
            )
        ],
    )


def consultation_record(data: dict[str, Any], *, by: Actor) -> Consultation:
    """Record a call for advice only (not a referral; counted separately).

    Requires: ``data`` from a valid ``ConsultationForm``; ``by`` screening officer or MASH lead.
    Causes: the consultation row, marked when it came outside the policy's consultation line hours
    (it is still recorded), and an audit row.
    """
    received_at = timezone.now()
    line = consultation_line(received_at)
    outside = None if line is None else not line.is_open
    with transaction.atomic():
        consultation = Consultation.objects.create(
            recorded_by=by, received_at=received_at, outside_line_hours=outside, **data
        )
        audit.record_write(
            "consultation.record",
            actor=by,
            obj=consultation,
            reason="Advice-only call recorded",
            details={"outside_line_hours": outside},
        )
    return consultation
