"""The person index: records of people known to the council, their involvements, and referrals
about them (built on the referral factories, with the names and postcodes the matching tests use)."""

from __future__ import annotations

from datetime import date

from agencies.models import Team
from referrals.models import (
    Involvement,
    Person,
    PersonAddress,
    PersonName,
    Referral,
    ReferralAdult,
    ReferralChild,
)
from referrals.person_index.keys import normalise_postcode, person_keys
from tests.factories.agencies import TeamFactory
from tests.factories.referrals import AdultFactory, ChildFactory, ReferralFactory


def make_referral(**fields) -> Referral:
    defaults = {
        "referrer_name": "Pat Teacher",
        "referrer_email": "pat@school.example.org",
        "concerns": "Bruising seen at school.",
    }
    return ReferralFactory(**{**defaults, **fields})


def add_child(referral: Referral, **fields) -> ReferralChild:
    # No street address, as these tests have always built a child.
    defaults = {
        "first_name": "Oliver",
        "last_name": "Brown",
        "date_of_birth": date(2015, 3, 4),
        "address": "",
        "postcode": "WV1 1AA",
        "sex": "M",
    }
    return ChildFactory(referral=referral, **{**defaults, **fields})


def add_adult(referral: Referral, **fields) -> ReferralAdult:
    defaults = {
        "first_name": "Sarah",
        "last_name": "Brown",
        "date_of_birth": date(1988, 7, 9),
        "address": "",
        "postcode": "WV1 1AA",
        "relationship": "mother",
        "sex": "F",
    }
    return AdultFactory(referral=referral, **{**defaults, **fields})


def make_person(
    *, former_names: tuple[tuple[str, str], ...] = (), former_postcodes: tuple[str, ...] = (), **fields
) -> Person:
    defaults = {
        "first_name": "Oliver",
        "last_name": "Brown",
        "date_of_birth": date(2015, 3, 4),
        "postcode": "WV1 1AA",
        "sex": "M",
    }
    fields = {**defaults, **fields}
    fields["postcode"] = normalise_postcode(fields["postcode"])
    person = Person.objects.create(**fields, **person_keys(fields["first_name"], fields["last_name"]))
    PersonAddress.objects.create(person=person, postcode=person.postcode, from_date=date(2020, 1, 1))
    for postcode in former_postcodes:
        PersonAddress.objects.create(
            person=person,
            postcode=normalise_postcode(postcode),
            from_date=date(2010, 1, 1),
            to_date=date(2019, 12, 31),
        )
    for first, last in former_names:
        PersonName.objects.create(person=person, first_name=first, last_name=last, **person_keys(first, last))
    return person


def make_team(name: str = "Assessment Team 1", **fields) -> Team:
    return TeamFactory(name=name, slug=name.lower().replace(" ", "-"), **fields)


def add_involvement(person: Person, team: Team, **fields) -> Involvement:
    defaults = {
        "kind": Involvement.Kind.SOCIAL_CARE,
        "started_on": date(2024, 1, 10),
        "worker_name": "Sam Worker",
        "worker_email": "sam.worker@council.example.gov.uk",
    }
    return Involvement.objects.create(person=person, team=team, **{**defaults, **fields})
