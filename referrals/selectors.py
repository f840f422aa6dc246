"""Reads for intake: the out-of-hours notice, a submitted referral for its confirmation page, counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from mash.exceptions import Conflict
from mash.providers import Provider
from mash.templatetags.govuk import govuk_time_of

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


@dataclass(frozen=True)
class ServiceStatus:
    """A service with its own hours beside the MASH's (a consultation line, a customer services
    centre), and whether it is open at the moment asked about."""

    key: str
    name: str
    phone: str
    hours_text: str
    is_open: bool
    closes_at: datetime | None = None
    opens_at: datetime | None = None

    def now_text(self, today) -> str:
        """'Open now, until 4pm' or 'Closed now: opens at 10am tomorrow' (``today``: the local date)."""
        if self.is_open:
            return f"Open now, until {govuk_time_of(self.closes_at)}"
        if self.opens_at is None:
            return "Closed now"
        opens = timezone.localtime(self.opens_at)
        if opens.date() == today:
            day = "today"
        elif (opens.date() - today).days == 1:
            day = "tomorrow"
        else:
            day = f"on {opens:%A} {opens.day} {opens:%B}"
        return f"Closed now: opens at {govuk_time_of(opens)} {day}"


# instant -> [ServiceStatus]: the policy's services with their own hours (triage supplies it).
services_at = Provider("referrals.selectors.services_at", "the triage app (its policy)")


def service_statuses(instant: datetime) -> list[ServiceStatus]:
    """Each of the council's services with its own hours, open or not at ``instant``."""
    return list(services_at(instant))


def consultation_line(instant: datetime) -> ServiceStatus | None:
    """The professionals' consultation line, where the council has one."""
    return next((s for s in service_statuses(instant) if s.key == CONSULTATION_LINE), None)


CONSULTATION_LINE = "consultation_line"


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
