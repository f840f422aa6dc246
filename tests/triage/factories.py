"""Factories for the triage tests: policies loaded from the presets, and referrals in any status.

A referral is put into a status directly here (not through the lifecycle) so that each transition
can be tested from its own starting point.
"""

from __future__ import annotations

import factory

from mash.codes import ReferralSource
from referrals.models import Referral
from triage.actions import policy_preset_load
from triage.models import PolicyVersion


class TriageReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"TR26-{n:06d}")
    referrer_type = Referral.ReferrerType.PROFESSIONAL
    referrer_name = "Sam Nurse"
    referrer_organisation = "Health visiting"
    source = ReferralSource.FAMILY
    concerns = "The child has not been seen at nursery for two weeks."
    consent = Referral.Consent.GIVEN


def load_preset(council: str) -> PolicyVersion:
    return policy_preset_load(council, by="tests", note=f"{council} for a test")
