"""Builders for the person index tests: referrals with people, index records, teams, involvements."""

from __future__ import annotations

import itertools
from datetime import date

from agencies.models import Team
from mash.codes import ReferralSource
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

_numbers = itertools.count(1)


def make_referral(**fields) -> Referral:
    number = next(_numbers)
    defaults = {
        "reference": f"PI-{number:06d}",
        "referrer_type": Referral.ReferrerType.PROFESSIONAL,
        "referrer_name": "Pat Teacher",
        "referrer_email": "pat@school.example.org",
        "source": ReferralSource.SCHOOLS,
        "concerns": "Bruising seen at school.",
        "consent": Referral.Consent.GIVEN,
    }
    return Referral.objects.create(**{**defaults, **fields})


def add_child(referral: Referral, **fields) -> ReferralChild:
    defaults = {
        "first_name": "Oliver",
        "last_name": "Brown",
        "date_of_birth": date(2015, 3, 4),
        "postcode": "WV1 1AA",
        "sex": "M",
    }
    return ReferralChild.objects.create(referral=referral, **{**defaults, **fields})


def add_adult(referral: Referral, **fields) -> ReferralAdult:
    defaults = {
        "first_name": "Sarah",
        "last_name": "Brown",
        "date_of_birth": date(1988, 7, 9),
        "postcode": "WV1 1AA",
        "relationship": "mother",
        "sex": "F",
    }
    return ReferralAdult.objects.create(referral=referral, **{**defaults, **fields})


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
    slug = name.lower().replace(" ", "-")
    return Team.objects.create(name=name, slug=slug, kind=fields.pop("kind", Team.Kind.ASSESSMENT), **fields)


def add_involvement(person: Person, team: Team, **fields) -> Involvement:
    defaults = {
        "kind": Involvement.Kind.SOCIAL_CARE,
        "started_on": date(2024, 1, 10),
        "worker_name": "Sam Worker",
        "worker_email": "sam.worker@council.example.gov.uk",
    }
    return Involvement.objects.create(person=person, team=team, **{**defaults, **fields})
