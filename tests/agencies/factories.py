"""Factories for agencies, teams, referrals in any status (rows written directly, not through
the lifecycle), information requests and the records after the threshold decision."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from agencies.models import Agency, InformationRequest, Team
from mash.codes import LawfulBasis, ReferralSource
from referrals.models import Referral, ReferralAdult, ReferralChild
from triage.models_decisions import ChildDecision, ConsentBasis
from triage.states import Rag, Status


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.LazyAttribute(lambda a: a.slug.replace("-", " ").title())
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.OTHER
    email = factory.LazyAttribute(lambda a: f"mash@{a.slug}.example.org")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = Team.Kind.ASSESSMENT
    phone = "0300 000 0000"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"AG26-{n:06d}")
    referrer_type = Referral.ReferrerType.PROFESSIONAL
    referrer_name = "Pat Teacher"
    referrer_organisation = "Hill Primary School"
    referrer_email = factory.Sequence(lambda n: f"referrer{n}@school.example.org")
    source = ReferralSource.SCHOOLS
    concerns = "Bruising seen on the child's arm; the child says an adult hurt them."
    consent = Referral.Consent.GIVEN
    status = Status.DECIDED
    rag = Rag.AMBER
    level_of_need = 3
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralChild

    referral = factory.SubFactory(ReferralFactory)
    first_name = factory.Sequence(lambda n: f"Childname{n}")
    last_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = dt.date(2018, 4, 1)
    address = factory.Sequence(lambda n: f"{n} Child Street, Durham")
    postcode = "DH1 1AA"


class AdultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralAdult

    referral = factory.SubFactory(ReferralFactory)
    first_name = factory.Sequence(lambda n: f"Adultname{n}")
    last_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = dt.date(1990, 1, 1)
    relationship = "mother"
    address = factory.Sequence(lambda n: f"{n} Child Street, Durham")


def referral_with_people(*, policy=None, children: int = 1, decided_by=None, **fields) -> Referral:
    """A referral with children (each with a current threshold decision when ``decided_by``) and an adult."""
    referral = ReferralFactory(policy_version=policy, **fields)
    for _ in range(children):
        child = ChildFactory(referral=referral)
        if decided_by is not None:
            ChildDecision.objects.create(
                referral=referral,
                child=child,
                rag=referral.rag or Rag.AMBER,
                level_of_need=referral.level_of_need or 3,
                rationale="Threshold met",
                consent_basis=ConsentBasis.GIVEN,
                decided_by=decided_by,
                decided_at=timezone.now(),
                policy_version=policy,
            )
    AdultFactory(referral=referral)
    return referral


class InformationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationRequest

    referral = factory.SubFactory(ReferralFactory)
    agency = factory.SubFactory(AgencyFactory)
    question = "What do you know about the family?"
    lawful_basis = LawfulBasis.PUBLIC_TASK_SAFEGUARDING
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=4))
