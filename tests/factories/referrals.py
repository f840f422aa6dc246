"""Referrals with their children and adults, in any stage of the journey.

Rows are written directly, not through the lifecycle, so that each test starts from the stage it
is about. A plain ``ReferralFactory()`` is a referral as the intake leaves it (received); a trait
puts it further on:

    ReferralFactory(decided=True)             # threshold decided: amber, level of need 3
    ReferralFactory(in_mash=True)             # decided, the MASH gathering information
    ReferralFactory(outcome_recorded=True, team=team)
    ReferralFactory(allocated=True, team=team, allocated_worker=worker)
    ReferralFactory(closed=True)

Any field can still be given: ``ReferralFactory(decided=True, rag=Rag.RED)``.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from mash.codes import ReferralSource
from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.states import Rag, Status


def _hours_ago(hours: int):
    return lambda: timezone.now() - dt.timedelta(hours=hours)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"MR26-{n:06d}")
    referrer_type = Referral.ReferrerType.PROFESSIONAL
    referrer_name = "Priya Shah"
    referrer_organisation = "Hillside Primary School"
    referrer_role = "Designated safeguarding lead"
    referrer_email = factory.Sequence(lambda n: f"dsl{n}@hillside.example.sch.uk")
    source = ReferralSource.SCHOOLS
    concerns = "Bruising on the child's arm, explained differently on two days."
    risks = "Younger sibling at home."
    consent = Referral.Consent.GIVEN
    consent_given_by = "Mother"

    class Params:
        decided = factory.Trait(
            status=Status.DECIDED,
            rag=Rag.AMBER,
            level_of_need=3,
            received_at=factory.LazyFunction(_hours_ago(2)),
        )
        in_mash = factory.Trait(decided=True, status=Status.INFORMATION_GATHERING)
        outcome_recorded = factory.Trait(decided=True, status=Status.OUTCOME)
        allocated = factory.Trait(decided=True, status=Status.ALLOCATED)
        closed = factory.Trait(decided=True, status=Status.CLOSED)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralChild

    referral = factory.SubFactory(ReferralFactory)
    first_name = factory.Sequence(lambda n: f"Child{n}")
    last_name = "Jones"
    date_of_birth = dt.date(2018, 5, 1)
    address = factory.Sequence(lambda n: f"{n} Child Street, Durham")
    postcode = "DH1 1AA"


class AdultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralAdult

    referral = factory.SubFactory(ReferralFactory)
    first_name = "Kerry"
    last_name = "Jones"
    date_of_birth = dt.date(1990, 1, 1)
    relationship = "mother"
    address = factory.Sequence(lambda n: f"{n} Child Street, Durham")


def referral_with_people(
    *, children: int = 1, adults: int = 1, policy=None, decided_by=None, **fields
) -> Referral:
    """A referral about ``children`` children with ``adults`` adults.

    With ``decided_by`` each child also has a current threshold decision (the referral's RAG and
    level of need) by that person, under ``policy``.
    """
    if policy is not None:
        fields["policy_version"] = policy
    referral = ReferralFactory(**fields)
    for _ in range(children):
        child = ChildFactory(referral=referral)
        if decided_by is not None:
            from tests.factories.triage import ChildDecisionFactory

            ChildDecisionFactory(child=child, decided_by=decided_by, policy_version=policy)
    for _ in range(adults):
        AdultFactory(referral=referral)
    return referral
