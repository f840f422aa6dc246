"""A generated evaluation set for matching, and the precision and recall of the top candidate.

The population is synthetic (names from Faker's en_GB lists, which ship with the test extras;
postcodes in a handful of outward codes so areas overlap as in one council). Each probe is what a
referral might say about someone:

near-duplicates (the person is in the index):  exact, typo, swapped names, nickname, transposed
    date of birth, moved house, hyphenated surname, typo and moved house together;
true non-matches (the person is not):          a twin of someone in the index (same surname, date of
    birth and address, another first name), and someone with the same name and date of birth
    living elsewhere.

A referral gives the NHS number for some children only (``NHS_SHARE``), as in practice.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from referrals.validation import nhs_check_digit_ok

from .keys import person_keys
from .matching import LIKELY_THRESHOLD, Probe, find_candidates, name_variants, transposed
from .models import Person, PersonAddress

NHS_SHARE = 0.3
AREAS = ("WV1", "WV2", "WV3", "WV4", "WV6", "WV10", "WV11", "WV14")
NEAR_DUPLICATES = (
    "exact",
    "typo",
    "swapped",
    "nickname",
    "transposed_dob",
    "moved_house",
    "hyphenated",
    "typo_and_moved",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
NON_MATCHES = ("twin", "same_name_dob_elsewhere")


@dataclass
class Result:
    true_positives: int = 0
    false_positives: int = 0
    with_match: int = 0
    by_scenario: Counter = field(default_factory=Counter)
    correct_by_scenario: Counter = field(default_factory=Counter)
    # The same counts for a top candidate shown as a likely match (score >= LIKELY_THRESHOLD).
    likely_true_positives: int = 0
    likely_false_positives: int = 0

    @property
    def precision(self) -> float:
        offered = self.true_positives + self.false_positives
        return self.true_positives / offered if offered else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.with_match if self.with_match else 1.0

    @property
    def likely_precision(self) -> float:
        shown = self.likely_true_positives + self.likely_false_positives
        return self.likely_true_positives / shown if shown else 1.0

    @property
    def likely_recall(self) -> float:
        return self.likely_true_positives / self.with_match if self.with_match else 1.0

    def lines(self) -> list[str]:
        rows = [
            f"{name:26} {self.correct_by_scenario[name]:5}/{count:<5}"
            for name, count in sorted(self.by_scenario.items())
        ]
        return [
            "scenario                   right/probes (right = top candidate is the person, or none offered)",
            *rows,
            f"precision of the top candidate: {self.precision:.3f}",
            f"recall of the top candidate:    {self.recall:.3f}",
            f"as a likely match (score >= {LIKELY_THRESHOLD}): precision {self.likely_precision:.3f}, "
            f"recall {self.likely_recall:.3f}",
        ]


class _Generator:
    def __init__(self, seed: int):
        try:
            from faker import Faker  # a test extra: only the evaluation command needs it
        except ImportError as error:  # pragma: no cover - Faker comes with the test extras
            raise RuntimeError("evaluate_matching needs Faker: pip install -e '.[test]'") from error
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret  # nosec B311
        faker = Faker("en_GB")
        faker.seed_instance(seed)
        provider = faker.provider("faker.providers.person")
        self.boys = sorted(set(provider.first_names_male))
        self.girls = sorted(set(provider.first_names_female))
        self.surnames = sorted(set(provider.last_names))
        self.used_nhs: set[str] = set()

    def nhs_number(self) -> str:
        while True:
            stem = "".join(self.rng.choice(string.digits) for _ in range(9))
            for last in string.digits:
                if nhs_check_digit_ok(stem + last) and stem + last not in self.used_nhs:
                    self.used_nhs.add(stem + last)
                    return stem + last

    def postcode(self, area: str | None = None) -> str:
        area = area or self.rng.choice(AREAS)
        letters = "".join(self.rng.choice(INWARD_LETTERS) for _ in range(2))
        return f"{area}{self.rng.randint(1, 9)}{letters}"

    def first_name(self, sex: str) -> str:
        return self.rng.choice(self.boys if sex == "M" else self.girls)

    def person(self) -> Person:
        sex = self.rng.choice("MF")
        first, last = self.first_name(sex), self.rng.choice(self.surnames)
        born = date(2026, 1, 1) - timedelta(days=self.rng.randint(0, 17 * 365))
        return Person(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            sex=sex,
            nhs_number=self.nhs_number(),
            postcode=self.postcode(),
            **person_keys(first, last),
        )

    def typo(self, name: str) -> str:
        i = self.rng.randrange(1, len(name)) if len(name) > 1 else 0
        kind = self.rng.choice(("drop", "swap", "replace"))
        if kind == "drop" and len(name) > 3:
            return name[:i] + name[i + 1 :]
        if kind == "swap" and i < len(name) - 1:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        return name[:i] + self.rng.choice(string.ascii_lowercase) + name[i + 1 :]


def _probe(g: _Generator, scenario: str, p: Person) -> Probe | None:
    nhs = p.nhs_number if g.rng.random() < NHS_SHARE else ""
    base = {
        "first_name": p.first_name,
        "last_name": p.last_name,
        "date_of_birth": p.date_of_birth,
        "postcode": p.postcode,
        "nhs_number": nhs,
        "sex": p.sex,
    }
    if scenario == "typo":
        field_name = g.rng.choice(("first_name", "last_name"))
        base[field_name] = g.typo(base[field_name])
    elif scenario == "swapped":
        base["first_name"], base["last_name"] = p.last_name, p.first_name
    elif scenario == "nickname":
        others = sorted(name_variants(p.first_name) - {p.first_name.lower()})
        if not others:
            return None
        base["first_name"] = g.rng.choice(others).title()
    elif scenario == "transposed_dob":
        if transposed(p.date_of_birth) is None:
            return None
        base["date_of_birth"] = transposed(p.date_of_birth)
    elif scenario == "moved_house":
        base["postcode"] = g.postcode()
    elif scenario == "hyphenated":
        base["last_name"] = f"{p.last_name}-{g.rng.choice(g.surnames)}"
    elif scenario == "typo_and_moved":
        base["first_name"], base["postcode"] = g.typo(p.first_name), g.postcode()
    elif scenario == "twin":
        names = [n for n in (g.boys + g.girls) if n != p.first_name]
        twin_sex = g.rng.choice("MF")
        base.update(
            first_name=g.rng.choice([n for n in names if n in (g.boys if twin_sex == "M" else g.girls)]),
            sex=twin_sex,
            nhs_number=g.nhs_number() if nhs else "",
        )
    elif scenario == "same_name_dob_elsewhere":
        area = g.rng.choice([a for a in AREAS if not p.postcode.startswith(a)])
        base.update(postcode=g.postcode(area), nhs_number=g.nhs_number() if nhs else "")
    return Probe(**base)


def evaluate(*, people: int = 2000, probes_per_scenario: int = 60, seed: int = 2026) -> Result:
    """Build a population in the database, match every probe, and roll the population back."""
    g = _Generator(seed)
    result = Result()
    with transaction.atomic():
        population = Person.objects.bulk_create([g.person() for _ in range(people)])
        PersonAddress.objects.bulk_create(PersonAddress(person=p, postcode=p.postcode) for p in population)
        for scenario in NEAR_DUPLICATES + NON_MATCHES:
            made = 0
            while made < probes_per_scenario:
                person = g.rng.choice(population)
                probe = _probe(g, scenario, person)
                if probe is None:
                    continue
                made += 1
                _score(result, scenario, probe, None if scenario in NON_MATCHES else person.pk)
        transaction.set_rollback(True)
    return result


def _score(result: Result, scenario: str, probe: Probe, truth: int | None) -> None:
    candidates = find_candidates(probe)
    top = candidates[0].person.pk if candidates else None
    result.by_scenario[scenario] += 1
    if truth is not None:
        result.with_match += 1
    if top is not None and top == truth:
        result.true_positives += 1
    elif top is not None:
        result.false_positives += 1
    if top == truth:
        result.correct_by_scenario[scenario] += 1
    if candidates and candidates[0].score >= LIKELY_THRESHOLD:
        if top == truth:
            result.likely_true_positives += 1
        else:
            result.likely_false_positives += 1
