"""Factories for the screening queue and threshold decision tests (issue 5): referrals with their
children and adults, and council teams. Rows are written directly: these tests start from a
referral as the intake left it, whatever the intake's own code does.

(tests/triage/factories.py is the lifecycle tests' file; these live beside it so neither edits the other.)
"""

from __future__ import annotations

import datetime as dt

import factory

from agencies.models import Team
from mash.codes import ReferralSource
from referrals.models import Referral, ReferralAdult, ReferralChild


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"MR26-{n:06d}")
    referrer_type = Referral.ReferrerType.PROFESSIONAL
    referrer_name = "Priya Shah"
    referrer_organisation = "Hillside Primary School"
    referrer_role = "Designated safeguarding lead"
    referrer_email = "dsl@hillside.example.sch.uk"
    source = ReferralSource.SCHOOLS
    concerns = "Bruising on the child's arm, explained differently on two days."
    risks = "Younger sibling at home."
    consent = Referral.Consent.GIVEN
    consent_given_by = "Mother"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralChild

    referral = factory.SubFactory(ReferralFactory)
    first_name = factory.Sequence(lambda n: f"Child{n}")
    last_name = "Jones"
    date_of_birth = dt.date(2018, 5, 1)


class AdultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralAdult

    referral = factory.SubFactory(ReferralFactory)
    first_name = "Kerry"
    last_name = "Jones"
    relationship = "mother"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = Team.Kind.ASSESSMENT

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or ():
            self.members.add(user)


def make_referral(children: int = 1, adults: int = 1, **fields) -> Referral:
    """A referral as the intake leaves it, about ``children`` children with ``adults`` adults."""
    referral = ReferralFactory(**fields)
    for _ in range(children):
        ChildFactory(referral=referral)
    for _ in range(adults):
        AdultFactory(referral=referral)
    return referral
