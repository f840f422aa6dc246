"""Small builders for the security tests: a referral with a child and an adult, and its history."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from referrals.models import Referral
from tests.factories import AdultFactory, ChildFactory, ReferralFactory

_counter = iter(range(1, 10**6))


def make_referral(status: str = "received", **fields):
    """A referral about Amy Example (with an NHS number) and her mother, consent refused unless given."""
    n = next(_counter)
    referral = ReferralFactory(
        reference=fields.pop("reference", f"SEC-{n:05d}"),
        referrer_name="Rita Referrer",
        referrer_organisation="",
        referrer_role="",
        referrer_email="rita@school.example",
        source="1B",
        concerns="Bruising seen on the child's arm.",
        risks="",
        childs_voice="Said she was scared to go home.",
        consent=fields.pop("consent", Referral.Consent.REFUSED),
        consent_given_by="",
        consent_notes="Mother refused.",
        status=status,
        **fields,
    )
    ChildFactory(
        referral=referral,
        first_name="Amy",
        last_name="Example",
        date_of_birth=date(2016, 4, 1),
        nhs_number="9434765919",
        address="1 High Street",
        postcode="DH1 1AA",
        sex="F",
    )
    AdultFactory(
        referral=referral,
        first_name="Beth",
        last_name="Example",
        relationship="mother",
        date_of_birth=None,
        address="",
    )
    return referral


def record_status(referral, to_status: str, reason: str = "", at=None):
    from triage.models import StatusChange

    return StatusChange.objects.create(
        referral=referral, to_status=to_status, at=at or timezone.now(), by_label="test", reason=reason
    )
