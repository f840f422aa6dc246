"""Partner agencies, council teams and the information requests a MASH sends an agency."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from agencies.models import Agency, Team
from mash.codes import LawfulBasis
from triage.multiagency.models import InformationRequest


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.LazyAttribute(lambda a: a.slug.replace("-", " ").title())
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.OTHER
    email = factory.LazyAttribute(lambda a: f"mash@{a.slug}.example.org")

    class Params:
        # A police force whose referrals arrive as CIN source 6 (what the intake API records).
        police = factory.Trait(kind=Agency.Kind.POLICE, referral_source="6")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = Team.Kind.ASSESSMENT
    phone = "0300 000 0000"

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or ():
            self.members.add(user)


class InformationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationRequest

    referral = factory.SubFactory("tests.factories.referrals.ReferralFactory", decided=True)
    agency = factory.SubFactory(AgencyFactory)
    question = "What do you know about the family?"
    lawful_basis = LawfulBasis.PUBLIC_TASK_SAFEGUARDING
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=4))
