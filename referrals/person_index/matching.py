"""Matching a person named in a referral against the person index.

Two steps, as record linkage is usually done:

1. **Blocking** (:func:`candidate_people`): one SQL query unions a few index look-ups (NHS number,
   date of birth or its day/month transposition, phonetic keys of the names in either order and with
   nickname variants, former names, current and former postcodes) into at most ``MAX_BLOCK`` ids.
2. **Scoring** (:func:`score_person`): each candidate is compared field by field with rapidfuzz and
   jellyfish, at agreement levels a person can read ("nickname", "one letter different", "day and
   month transposed"); the weighted levels give a score out of 100 and the reasons are kept.

An NHS number present and valid on both sides decides alone: equal is a certain match, different
is a different person (NHS numbers are unique and carry a check digit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import jellyfish
from django.db.models import Q, QuerySet
from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from .keys import clean_name, name_key, name_parts, normalise_nhs_number, normalise_postcode, outward_code
from .models import Person, PersonAddress, PersonName

# Weights of each field in the score (they add up to 1 when every field is known on both sides).
WEIGHTS = {"first_name": 0.25, "last_name": 0.25, "date_of_birth": 0.35, "address": 0.15}
# Known on both sides and different: the score is multiplied by this (twins of different sex).
SEX_MISMATCH_FACTOR = 0.8
# A candidate is offered to staff from this score (see README, "The known-child check").
OFFER_THRESHOLD = 76
# Above this the page calls it a likely match.
LIKELY_THRESHOLD = 90
# A block larger than this means the keys were not selective (e.g. no name, no date of birth).
MAX_BLOCK = 1000
SWAP_FACTOR = 0.95


@dataclass(frozen=True)
class Probe:
    """What a referral says about one person, normalised."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""
    address: str = ""
    nhs_number: str = ""
    sex: str = "U"

    @classmethod
    def of(cls, subject) -> Probe:
        """From a ReferralChild or ReferralAdult (adults carry no NHS number)."""
        return cls(
            first_name=subject.first_name,
            last_name=subject.last_name,
            date_of_birth=subject.date_of_birth or getattr(subject, "expected_date_of_birth", None),
            postcode=normalise_postcode(subject.postcode),
            address=subject.address,
            nhs_number=normalise_nhs_number(getattr(subject, "nhs_number", "")),
            sex=subject.sex,
        )


@dataclass
class FieldMatch:
    field: str
    score: float  # 0..1 agreement
    weight: float
    reason: str

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "score": round(self.score, 2),
            "weight": self.weight,
            "reason": self.reason,
        }


@dataclass
class Candidate:
    person: Person
    score: int
    fields: list[FieldMatch] = field(default_factory=list)
    exact: bool = False

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY_THRESHOLD

    def explanation(self) -> list[dict]:
        return [match.as_dict() for match in self.fields]


# --- blocking -----------------------------------------------------------------------------------


def transposed(day: date | None) -> date | None:
    """The date with day and month swapped, when that is a different valid date."""
    if day is None or day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=8192)
def name_variants(first_name: str) -> frozenset[str]:
    """The name, its nicknames, the names it is a nickname of, and their other nicknames."""
    name = clean_name(first_name)
    if not name:
        return frozenset()
    namer = _nicknamer()
    canonicals = namer.canonicals_of(name)
    variants = {name} | namer.nicknames_of(name) | canonicals
    for canonical in canonicals:
        variants |= namer.nicknames_of(canonical)
    return frozenset(variants)


def _key_pairs(probe: Probe) -> Q:
    """(last_key, first_key) pairs to look up: as given, swapped, and with nickname variants."""
    last_key, first_key = name_key(probe.last_name), name_key(probe.first_name)
    condition = Q(pk__in=[])
    if last_key:
        first_keys = {name_key(variant) for variant in name_variants(probe.first_name)} | {first_key}
        condition |= Q(last_key=last_key, first_key__in=sorted(k for k in first_keys if k))
    if last_key and first_key:
        condition |= Q(last_key=first_key, first_key=last_key)  # first and last names swapped
    return condition


def candidate_ids(probe: Probe) -> list[int]:
    """Ids of index records sharing a blocking key with the probe: one SQL query (a UNION of
    index scans; an OR across tables would make PostgreSQL scan the whole table)."""
    parts: list[QuerySet] = []
    people = Person.objects.order_by().values_list("pk", flat=True)
    if probe.nhs_number:
        parts.append(people.filter(nhs_number=probe.nhs_number))
    if probe.date_of_birth:
        parts.append(people.filter(date_of_birth=probe.date_of_birth))
        if swapped := transposed(probe.date_of_birth):
            parts.append(people.filter(date_of_birth=swapped))
    names = _key_pairs(probe)
    if probe.last_name or probe.first_name:
        parts.append(people.filter(names))
        parts.append(PersonName.objects.filter(names).order_by().values_list("person_id", flat=True))
    if probe.postcode:
        parts.append(people.filter(postcode=probe.postcode))
        parts.append(
            PersonAddress.objects.filter(postcode=probe.postcode)
            .order_by()
            .values_list("person_id", flat=True)
        )
    if not parts:
        return []
    query = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return list(query[:MAX_BLOCK])


def _roots(ids: Iterable[int]) -> list[Person]:
    """The records to score: merged records are replaced by the record they were merged into."""
    people = Person.objects.filter(pk__in=list(ids)).prefetch_related(
        "other_names", "addresses", "merged_records__other_names", "merged_records__addresses"
    )
    found = {person.pk: person for person in people}
    survivors = {person.merged_into_id for person in found.values() if person.merged_into_id}
    missing = survivors - found.keys()
    while missing:  # rare: a survivor outside the block, or a chain of merges
        more = Person.objects.filter(pk__in=missing).prefetch_related(
            "other_names", "addresses", "merged_records__other_names", "merged_records__addresses"
        )
        found.update({person.pk: person for person in more})
        missing = {p.merged_into_id for p in more if p.merged_into_id} - found.keys()

    def root(person: Person) -> Person:
        while person.merged_into_id:
            person = found[person.merged_into_id]
        return person

    return list({root(person).pk: root(person) for person in found.values()}.values())


def find_candidates(
    probe: Probe, *, exclude: Iterable[int] = (), threshold: int = OFFER_THRESHOLD
) -> list[Candidate]:
    """Scored candidates for the probe, best first, at or above ``threshold``, without ``exclude``
    (records a member of staff already rejected for this person)."""
    excluded = set(exclude)
    candidates = []
    for person in _roots(candidate_ids(probe)):
        if person.pk in excluded:
            continue
        candidate = score_person(probe, person)
        if candidate is not None and candidate.score >= threshold:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return candidates


# --- scoring ------------------------------------------------------------------------------------


def _identities(person: Person) -> list[tuple[str, str, str]]:
    """(first, last, label) for every name of the record and of records merged into it."""
    records = [person, *person.merged_records.all()]
    names = [(p.first_name, p.last_name, "") for p in records]
    for record in records:
        names += [
            (n.first_name, n.last_name, f"{n.get_kind_display().lower()} ") for n in record.other_names.all()
        ]
    return names


def _postcodes(person: Person) -> tuple[set[str], set[str]]:
    """(current postcodes, former postcodes) of the record and of records merged into it."""
    records = [person, *person.merged_records.all()]
    current = {p.postcode for p in records if p.postcode}
    former = set()
    for record in records:
        for address in record.addresses.all():
            (former if address.to_date else current).add(address.postcode)
    return current - {""}, former - current - {""}


def first_name_agreement(a: str, b: str) -> tuple[float, str]:
    a, b = clean_name(a), clean_name(b)
    if a == b:
        return 1.0, "same"
    if b in name_variants(a):
        return 0.95, "nickname or short form"
    return _spelling_agreement(a, b)


def _spelling_agreement(a: str, b: str) -> tuple[float, str]:
    if jellyfish.metaphone(a) == jellyfish.metaphone(b) or jellyfish.nysiis(a) == jellyfish.nysiis(b):
        return 0.9, "sounds the same"
    distance = DamerauLevenshtein.distance(a, b)
    if distance == 1 and min(len(a), len(b)) >= 3:
        return 0.85, "one letter different (typing error)"
    if distance == 2 and min(len(a), len(b)) >= 6:
        return 0.7, "two letters different"
    if JaroWinkler.similarity(a, b) >= 0.9:
        return 0.6, "similar spelling"
    return 0.0, "different"


def last_name_agreement(a: str, b: str) -> tuple[float, str]:
    a_clean, b_clean = clean_name(a), clean_name(b)
    if a_clean == b_clean:
        return 1.0, "same"
    level, reason = _spelling_agreement(a_clean, b_clean)
    a_parts, b_parts = set(name_parts(a)), set(name_parts(b))
    if (len(a_parts) > 1 or len(b_parts) > 1) and a_parts & b_parts and level < 0.9:
        return 0.9, "shares part of a hyphenated or double surname"
    return level, reason


def _name_fields(probe: Probe, person: Person) -> list[FieldMatch]:
    best: tuple[float, list[FieldMatch]] = (-1.0, [])
    for first, last, label in _identities(person):
        for swapped in (False, True):
            p_first, p_last = (
                (probe.last_name, probe.first_name) if swapped else (probe.first_name, probe.last_name)
            )
            f_level, f_reason = (
                first_name_agreement(p_first, first) if p_first and first else (0.0, "not given")
            )
            l_level, l_reason = last_name_agreement(p_last, last) if p_last and last else (0.0, "not given")
            factor = SWAP_FACTOR if swapped else 1.0
            total = factor * (WEIGHTS["first_name"] * f_level + WEIGHTS["last_name"] * l_level)
            if total > best[0]:
                note = " (first and last names swapped)" if swapped else ""
                source = f" ({label.strip()})" if label else ""
                best = (
                    total,
                    [
                        FieldMatch(
                            "first_name",
                            f_level * factor,
                            WEIGHTS["first_name"],
                            f"{p_first or '-'} / {first}{source}: {f_reason}{note}",
                        ),
                        FieldMatch(
                            "last_name",
                            l_level * factor,
                            WEIGHTS["last_name"],
                            f"{p_last or '-'} / {last}{source}: {l_reason}{note}",
                        ),
                    ],
                )
    return best[1]


def date_of_birth_agreement(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, "same"
    if transposed(a) == b:
        return 0.85, "day and month transposed"
    distance = DamerauLevenshtein.distance(a.strftime("%Y%m%d"), b.strftime("%Y%m%d"))
    if distance == 1:
        return 0.7, "one digit different"
    return 0.0, "different"


def _dob_field(probe: Probe, person: Person) -> FieldMatch | None:
    if not probe.date_of_birth or not person.date_of_birth:
        return None
    level, reason = date_of_birth_agreement(probe.date_of_birth, person.date_of_birth)
    return FieldMatch(
        "date_of_birth",
        level,
        WEIGHTS["date_of_birth"],
        f"{probe.date_of_birth:%d/%m/%Y} / {person.date_of_birth:%d/%m/%Y}: {reason}",
    )


def _address_field(probe: Probe, person: Person) -> FieldMatch | None:
    current, former = _postcodes(person)
    weight = WEIGHTS["address"]
    if not probe.postcode or not (current or former):
        return None
    if probe.postcode in current:
        return FieldMatch("address", 1.0, weight, f"{probe.postcode}: same postcode as the current address")
    if probe.postcode in former:
        return FieldMatch("address", 0.8, weight, f"{probe.postcode}: same postcode as a former address")
    area = outward_code(probe.postcode)
    if area and area in {outward_code(pc) for pc in current | former}:
        return FieldMatch("address", 0.4, weight, f"{probe.postcode}: same area ({area}), different postcode")
    return FieldMatch(
        "address", 0.0, weight, f"{probe.postcode}: different address ({', '.join(sorted(current))})"
    )


def score_person(probe: Probe, person: Person) -> Candidate | None:
    """Score one index record against the probe; ``None`` when NHS numbers prove them different."""
    nhs_numbers = {p.nhs_number for p in [person, *person.merged_records.all()] if p.nhs_number}
    if probe.nhs_number and nhs_numbers:
        if probe.nhs_number in nhs_numbers:
            return Candidate(
                person, 100, [FieldMatch("nhs_number", 1.0, 1.0, "NHS number matches")], exact=True
            )
        return None
    fields = [*_name_fields(probe, person)]
    fields += [f for f in (_dob_field(probe, person), _address_field(probe, person)) if f is not None]
    weight = sum(f.weight for f in fields)
    score = sum(f.score * f.weight for f in fields) / weight if weight else 0.0
    if probe.sex in ("M", "F") and person.sex in ("M", "F") and probe.sex != person.sex:
        score *= SEX_MISMATCH_FACTOR
        fields.append(FieldMatch("sex", 0.0, 0.0, f"{probe.sex} / {person.sex}: different"))
    # Without a date of birth on either side a name and postcode alone must not look certain.
    if not any(f.field == "date_of_birth" for f in fields):
        score = min(score, (LIKELY_THRESHOLD - 1) / 100)
    return Candidate(person, round(score * 100), fields)
