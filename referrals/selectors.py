"""Reads for intake: the out-of-hours notice, a submitted referral for its confirmation page, counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from mash.exceptions import Conflict
from mash.providers import Provider

from .models import Consultation, Referral

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutOfHoursNotice:
    edt_phone: str
    edt_hours_text: str


# instant -> (whether it is outside the council's working hours, the policy version that says so).
# The versioned policy, its working hours and bank holidays are triage's, which supplies this in its
# ready(); intake records the version in force at receipt.
out_of_hours_at = Provider("referrals.selectors.out_of_hours_at", "the triage app (its policy)")


def out_of_hours_notice(instant: datetime) -> OutOfHoursNotice | None:
    """Who to call now, when the MASH is closed at ``instant``; None in working hours."""
    closed, policy = out_of_hours_at(instant)
    if not closed:
        return None
    return OutOfHoursNotice(edt_phone=policy.edt_phone, edt_hours_text=policy.edt_hours_text)


def referral_by_idempotency_key(key: str, fingerprint: str = "") -> Referral | None:
    """The referral already submitted with ``key``; ``Conflict`` if it was sent with other answers."""
    referral = Referral.objects.filter(idempotency_key=key).only("pk", "idempotency_fingerprint").first()
    if referral is not None and fingerprint and referral.idempotency_fingerprint != fingerprint:
        raise Conflict("This idempotency key was already used for a different referral. Use a new key.")
    return Referral.objects.get(pk=referral.pk) if referral is not None else None


def referral_for_confirmation(referral_id: int) -> Referral | None:
    """The referral just submitted in this session (its id comes from the session, never the URL)."""
    return (
        Referral.objects.filter(pk=referral_id).only("reference", "referrer_type", "referrer_email").first()
    )


def consultations_between(start: datetime, end: datetime) -> QuerySet[Consultation]:
    """Advice-only consultations in [start, end): counted apart from referrals."""
    return Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
