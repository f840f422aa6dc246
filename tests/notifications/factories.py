"""Factories for the notifications tests: referrals as a decided outcome leaves them, teams, letters."""

from __future__ import annotations

import factory

from agencies.models import Team
from mash.codes import ReferralSource
from referrals.models import Referral, ReferralChild


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Assessment Team {n}")
    slug = factory.Sequence(lambda n: f"assessment-team-{n}")
    kind = Team.Kind.ASSESSMENT
    phone = "03000 111 222"


class ReferralFactory(factory.django.DjangoModelFactory):
    """A professional's referral. Intake and triage actions are other helpers' work: tests that need
    a referral "submitted and decided" create it here and call letter_enqueue_outcome directly."""

    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"T26-{n:06d}")
    referrer_type = Referral.ReferrerType.PROFESSIONAL
    referrer_name = "Pat Teacher"
    referrer_organisation = "Example Primary School"
    referrer_email = factory.Sequence(lambda n: f"referrer{n}@school.example.org")
    source = ReferralSource.SCHOOLS
    concerns = "Bruising seen on the child's arm."
    consent = Referral.Consent.GIVEN


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralChild

    referral = factory.SubFactory(ReferralFactory)
    first_name = "Alex"
    last_name = "Brown"
