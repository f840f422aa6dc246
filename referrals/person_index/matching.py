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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import jellyfish
from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from .keys import (
    clean_name,
    display_postcode,
    name_key,
    name_parts,
    normalise_nhs_number,
    normalise_postcode,
    outward_code,
)
from .models import Person, PersonAddress, PersonName

# Weights of each field in the score (they add up to 1 when every field is known on both sides).
WEIGHTS = {"first_name": 0.25, "last_name": 0.25, "date_of_birth": 0.35, "address": 0.15}
# Known on both sides and different: the score is multiplied by this (twins of different sex).
SEX_MISMATCH_FACTOR = 0.8
# A candidate is offered to staff from this score (docs/person-index.md, "How matching works").
OFFER_THRESHOLD = 76
# Above this the page calls it a likely match.
LIKELY_THRESHOLD = 90
# A block larger than this means the keys were not selective (e.g. no name, no date of birth).
MAX_BLOCK = 1000
SWAP_FACTOR = 0.95
FIELD_LABELS = {
    "nhs_number": "NHS number",
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "sex": "Sex",
}


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
    """One field's agreement. The reason is text or a function making it: most records in a block
    are scored and dropped, so their reasons are never formatted."""

    field: str
    score: float  # 0..1 agreement
    weight: float
    why: str | Callable[[], str]

    @property
    def reason(self) -> str:
        if callable(self.why):
            self.why = self.why()
        return self.why

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

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
    involvements: list = field(default_factory=list)  # filled for pages by the selectors

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


# The blocking look-ups, each served by an index (fixed SQL; only parameters vary).
_BY_NHS = "SELECT id FROM referrals_person WHERE nhs_number = %s"
_BY_DOB = "SELECT id FROM referrals_person WHERE date_of_birth = %s"
_BY_DOB_AND_LAST_KEY = "SELECT id FROM referrals_person WHERE date_of_birth = %s AND last_key = %s"
_BY_NAME = "SELECT id FROM referrals_person WHERE last_key = %s AND first_key = %s"
_BY_OTHER_NAME = "SELECT person_id FROM referrals_personname WHERE last_key = %s AND first_key = %s"
_BY_POSTCODE = "SELECT id FROM referrals_person WHERE postcode = %s"
_BY_FORMER_POSTCODE = "SELECT person_id FROM referrals_personaddress WHERE postcode = %s"


# The blocked records and the records merged into them, in the same round trip as the blocking.
_BLOCK_ROWS = (
    " SELECT p.id, p.merged_into_id, p.first_name, p.last_name, p.date_of_birth, p.sex, p.postcode,"
    " p.nhs_number FROM block JOIN referrals_person p ON p.id = block.id"
    " UNION SELECT p.id, p.merged_into_id, p.first_name, p.last_name, p.date_of_birth, p.sex, p.postcode,"
    " p.nhs_number FROM block JOIN referrals_person p ON p.merged_into_id = block.id"
)


def _name_key_pairs(probe: Probe) -> list[tuple[str, str]]:
    """(last_key, first_key) pairs: as given, with nickname variants of the first name, and swapped."""
    last_key, first_key = name_key(probe.last_name), name_key(probe.first_name)
    pairs = []
    if last_key:
        first_keys = {name_key(v) for v in name_variants(probe.first_name)} - {""} | {first_key}
        pairs += [(last_key, key) for key in sorted(first_keys)]
    if last_key and first_key:
        pairs.append((first_key, last_key))  # first and last names swapped
    return pairs


def blocking_query(probe: Probe) -> tuple[str, list] | None:
    """SQL and parameters for the ids of index records sharing a blocking key with the probe: a
    UNION of index look-ups (an OR across tables would make PostgreSQL scan the whole table).
    Plain SQL because building the same UNION through the ORM cost more than running it."""
    parts: list[tuple[str, list]] = []
    if probe.nhs_number:
        parts.append((_BY_NHS, [probe.nhs_number]))
    if probe.date_of_birth:
        parts.append((_BY_DOB, [probe.date_of_birth.isoformat()]))
        if swapped := transposed(probe.date_of_birth):
            # A transposed date scores high enough to offer only when the surname agrees too, so this
            # look-up also needs a surname key (any part of it, or the first name if swapped). It halves
            # the records scored for dates whose day is 12 or less; a record whose surname key differs
            # as well is still found by the name or postcode look-ups unless both have changed.
            last_keys = {name_key(part) for part in name_parts(probe.last_name)} | {
                name_key(probe.first_name)
            }
            parts += [(_BY_DOB_AND_LAST_KEY, [swapped.isoformat(), key]) for key in sorted(last_keys - {""})]
    for pair in _name_key_pairs(probe):
        parts += [(_BY_NAME, list(pair)), (_BY_OTHER_NAME, list(pair))]
    if probe.postcode:
        parts += [(_BY_POSTCODE, [probe.postcode]), (_BY_FORMER_POSTCODE, [probe.postcode])]
    if not parts:
        return None
    sql = " UNION ".join(part for part, _ in parts) + " LIMIT %s"
    return sql, [param for _, params in parts for param in params] + [MAX_BLOCK]


def candidate_ids(probe: Probe) -> list[int]:
    query = blocking_query(probe)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return [row[0] for row in cursor.fetchall()]


def _as_date(value) -> date | None:
    # SQLite hands back dates from raw SQL as ISO text; PostgreSQL as dates.
    return date.fromisoformat(value) if isinstance(value, str) else value


def blocked_rows_query(probe: Probe) -> tuple[str, list] | None:
    """SQL and parameters for the rows of the blocked records and of the records merged into them."""
    query = blocking_query(probe)
    if query is None:
        return None
    sql, params = query
    return "WITH block(id) AS (" + sql + ")" + _BLOCK_ROWS, params


def _blocked_rows(probe: Probe) -> dict[int, tuple]:
    """Rows of the blocked records and of the records merged into them: one query."""
    query = blocked_rows_query(probe)
    if query is None:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(*query)
        rows = {row[0]: (*row[:4], _as_date(row[4]), *row[5:]) for row in cursor.fetchall()}
    return _with_survivors(rows)


@dataclass
class MatchData:
    """What scoring compares, for one record and the records merged into it."""

    pk: int
    sex: str = "U"
    dates_of_birth: set[date] = field(default_factory=set)
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (first, last, label)
    current_postcodes: set[str] = field(default_factory=set)
    former_postcodes: set[str] = field(default_factory=set)
    nhs_numbers: set[str] = field(default_factory=set)


_RECORD_FIELDS = (
    "pk",
    "merged_into_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "postcode",
    "nhs_number",
)


def _with_survivors(rows: dict[int, tuple]) -> dict[int, tuple]:
    """Add the records that rows were merged into (and theirs), when the block missed them (rare)."""
    wanted = Person.objects.order_by().values_list(*_RECORD_FIELDS)
    missing = {row[1] for row in rows.values() if row[1]} - rows.keys()
    while missing:
        rows.update({row[0]: row for row in wanted.filter(Q(pk__in=missing) | Q(merged_into__in=missing))})
        missing = {row[1] for row in rows.values() if row[1]} - rows.keys()
    return rows


def _records(ids: set[int]) -> dict[int, tuple]:
    """Rows (as tuples: model instances cost more than the scoring) of the records and of every
    record merged into them."""
    wanted = Person.objects.order_by().values_list(*_RECORD_FIELDS)
    return _with_survivors({row[0]: row for row in wanted.filter(Q(pk__in=ids) | Q(merged_into__in=ids))})


def load_match_data(ids: Iterable[int]) -> dict[int, MatchData]:
    """MatchData for the records, keyed by the record each was (eventually) merged into."""
    return _match_data(_records(set(ids)))


def _match_data(rows: dict[int, tuple]) -> dict[int, MatchData]:
    """Fold rows into MatchData per surviving record, with former names and addresses: one query
    for both (a UNION ALL) however many records."""

    def root(pk: int) -> int:
        while rows[pk][1]:
            pk = rows[pk][1]
        return pk

    roots = {pk: root(pk) for pk in rows}
    data = {pk: MatchData(pk, rows[pk][5]) for pk in set(roots.values())}
    for pk, _, first, last, born, _, postcode, nhs_number in rows.values():
        into = data[roots[pk]]
        into.names.append((first, last, ""))
        if born:
            into.dates_of_birth.add(born)
        if postcode:
            into.current_postcodes.add(postcode)
        if nhs_number:
            into.nhs_numbers.add(nhs_number)
    labels = dict(PersonName.Kind.choices)
    for pk, source, first, last, kind in _names_and_addresses(list(rows)):
        into = data[roots[pk]]
        if source == 1:
            into.names.append((first, last, labels[kind].lower()))
        else:  # an address: ``first`` is its postcode, ``last`` says whether it has ended
            (into.former_postcodes if last else into.current_postcodes).add(first)
    for match_data in data.values():
        match_data.former_postcodes -= match_data.current_postcodes | {""}
        match_data.current_postcodes -= {""}
    return data


def _names_and_addresses(ids: list[int]):
    if not ids:
        return []
    names = PersonName.objects.filter(person__in=ids).values_list(
        "person_id", Value(1), "first_name", "last_name", "kind"
    )
    ended = Case(When(to_date__isnull=True, then=Value("")), default=Value("ended"), output_field=CharField())
    addresses = PersonAddress.objects.filter(person__in=ids).values_list(
        "person_id", Value(2), "postcode", ended, Value("")
    )
    return names.order_by().union(addresses.order_by(), all=True)


def find_candidates(
    probe: Probe, *, exclude: Iterable[int] = (), threshold: int = OFFER_THRESHOLD
) -> list[Candidate]:
    """Scored candidates for the probe, best first, at or above ``threshold``, without ``exclude``
    (records a member of staff already rejected for this person). Only the few candidates that
    pass are loaded as model instances."""
    excluded = set(exclude)
    scored = []
    for pk, data in _match_data(_blocked_rows(probe)).items():
        if pk in excluded:
            continue
        result = score(probe, data)
        if result is not None and result[0] >= threshold:
            scored.append((pk, result))
    people = Person.objects.in_bulk([pk for pk, _ in scored]) if scored else {}
    candidates = [Candidate(people[pk], value, fields, exact) for pk, (value, fields, exact) in scored]
    candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return candidates


# --- scoring ------------------------------------------------------------------------------------
# The agreement functions are pure and names repeat across candidates and referrals, so they are
# memoised on the pair of names: scoring a block of a few hundred records then costs microseconds each.


@lru_cache(maxsize=1 << 17)
def first_name_agreement(a: str, b: str) -> tuple[float, str]:
    a, b = clean_name(a), clean_name(b)
    if a == b:
        return 1.0, "same"
    if b in name_variants(a):
        return 0.95, "nickname or short form"
    return _spelling_agreement(a, b)


@lru_cache(maxsize=1 << 17)
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


@lru_cache(maxsize=1 << 17)
def last_name_agreement(a: str, b: str) -> tuple[float, str]:
    a_clean, b_clean = clean_name(a), clean_name(b)
    if a_clean == b_clean:
        return 1.0, "same"
    level, reason = _spelling_agreement(a_clean, b_clean)
    a_parts, b_parts = set(name_parts(a)), set(name_parts(b))
    if (len(a_parts) > 1 or len(b_parts) > 1) and a_parts & b_parts and level < 0.9:
        return 0.9, "shares part of a hyphenated or double surname"
    return level, reason


def _name_fields(probe: Probe, data: MatchData) -> list[FieldMatch]:
    """The best agreement over every name of the record, as given and with first and last swapped."""
    best, best_total = None, -1.0
    for first, last, label in data.names:
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
            if total > best_total:
                best_total = total
                best = (
                    p_first,
                    p_last,
                    first,
                    last,
                    label,
                    swapped,
                    factor,
                    f_level,
                    f_reason,
                    l_level,
                    l_reason,
                )
    if best is None:
        return []
    p_first, p_last, first, last, label, swapped, factor, f_level, f_reason, l_level, l_reason = best
    note = " (first and last names swapped)" if swapped else ""
    source = f" ({label.strip()})" if label else ""
    return [
        FieldMatch(
            "first_name",
            f_level * factor,
            WEIGHTS["first_name"],
            lambda: f"{p_first or '-'} / {first}{source}: {f_reason}{note}",
        ),
        FieldMatch(
            "last_name",
            l_level * factor,
            WEIGHTS["last_name"],
            lambda: f"{p_last or '-'} / {last}{source}: {l_reason}{note}",
        ),
    ]


def date_of_birth_agreement(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, "same"
    if transposed(a) == b:
        return 0.85, "day and month transposed"
    distance = DamerauLevenshtein.distance(a.strftime("%Y%m%d"), b.strftime("%Y%m%d"))
    if distance == 1:
        return 0.7, "one digit different"
    return 0.0, "different"


def _dob_field(probe: Probe, data: MatchData) -> FieldMatch | None:
    """The best agreement over the dates of birth of the record and of records merged into it."""
    if not probe.date_of_birth or not data.dates_of_birth:
        return None
    (level, reason), born = max(
        (date_of_birth_agreement(probe.date_of_birth, born), born) for born in sorted(data.dates_of_birth)
    )
    return FieldMatch(
        "date_of_birth",
        level,
        WEIGHTS["date_of_birth"],
        lambda: f"{probe.date_of_birth:%d/%m/%Y} / {born:%d/%m/%Y}: {reason}",
    )


def _address_field(probe: Probe, data: MatchData) -> FieldMatch | None:
    current, former = data.current_postcodes, data.former_postcodes
    weight = WEIGHTS["address"]
    if not probe.postcode or not (current or former):
        return None
    if probe.postcode in current:
        return FieldMatch(
            "address",
            1.0,
            weight,
            lambda: f"{display_postcode(probe.postcode)}: same postcode as the current address",
        )
    if probe.postcode in former:
        return FieldMatch(
            "address",
            0.8,
            weight,
            lambda: f"{display_postcode(probe.postcode)}: same postcode as a former address",
        )
    area = outward_code(probe.postcode)
    if area and area in {outward_code(pc) for pc in current | former}:
        return FieldMatch(
            "address",
            0.4,
            weight,
            lambda: f"{display_postcode(probe.postcode)}: same area ({area}), different postcode",
        )
    return FieldMatch(
        "address",
        0.0,
        weight,
        lambda: f"{display_postcode(probe.postcode)}: different address "
        f"({', '.join(display_postcode(pc) for pc in sorted(current))})",
    )


def score(probe: Probe, data: MatchData) -> tuple[int, list[FieldMatch], bool] | None:
    """(score out of 100, field-by-field reasons, exact on NHS number) for one record against the
    probe; ``None`` when NHS numbers prove them different people."""
    if probe.nhs_number and data.nhs_numbers:
        if probe.nhs_number in data.nhs_numbers:
            return 100, [FieldMatch("nhs_number", 1.0, 1.0, "NHS number matches")], True
        return None
    fields = [*_name_fields(probe, data)]
    fields += [f for f in (_dob_field(probe, data), _address_field(probe, data)) if f is not None]
    weight = sum(f.weight for f in fields)
    value = sum(f.score * f.weight for f in fields) / weight if weight else 0.0
    if probe.sex in ("M", "F") and data.sex in ("M", "F") and probe.sex != data.sex:
        value *= SEX_MISMATCH_FACTOR
        fields.append(FieldMatch("sex", 0.0, 0.0, f"{probe.sex} / {data.sex}: different"))
    # Without a date of birth on either side a name and postcode alone must not look certain.
    if not any(f.field == "date_of_birth" for f in fields):
        value = min(value, (LIKELY_THRESHOLD - 1) / 100)
    return round(value * 100), fields, False


def score_person(probe: Probe, person: Person) -> Candidate | None:
    """Score one index record (with the records merged into it) against the probe."""
    data = load_match_data([person.pk]).get(person.pk)
    result = score(probe, data) if data else None
    return None if result is None else Candidate(person, result[0], result[1], result[2])
