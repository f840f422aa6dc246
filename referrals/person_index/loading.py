"""Loading the person index from a CSV export of the council's case system.

The format (one header row, UTF-8, comma-separated; documented in docs/person-index.md):

    local_id, nhs_number, upn, first_name, last_name, former_names, date_of_birth, sex,
    address, postcode, address_from, address_to,
    involvement_type, case_reference, team, worker_name, worker_email, start_date, end_date

One row per person per address or involvement: rows with the same ``local_id`` are one person (they
must agree on name and date of birth), and each row may add an address and an involvement. Every
row is validated; a rejected row is reported with its line number and reason and loads nothing.
Valid people are written with ``bulk_create`` in batches, in one transaction.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor

from .keys import normalise_nhs_number, normalise_postcode, person_keys
from .models import Involvement, Person, PersonAddress, PersonName

COLUMNS = (
    "local_id",
    "nhs_number",
    "upn",
    "first_name",
    "last_name",
    "former_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "address_from",
    "address_to",
    "involvement_type",
    "case_reference",
    "team",
    "worker_name",
    "worker_email",
    "start_date",
    "end_date",
)
REQUIRED_COLUMNS = ("local_id", "first_name", "last_name")
BATCH_SIZE = 2000
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVOLVEMENT_TYPES = {value for value, _ in Involvement.Kind.choices}


class RowError(ValueError):
    pass


@dataclass
class LoadReport:
    people: int = 0
    addresses: int = 0
    involvements: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        summary = (
            f"Loaded {self.people} people, {self.addresses} addresses, {self.involvements} involvements; "
            f"rejected {len(self.rejected)} rows."
        )
        return [summary, *(f"row {line}: {reason}" for line, reason in self.rejected)]


@dataclass
class _PersonRows:
    person: Person
    names: list[PersonName] = field(default_factory=list)
    addresses: dict[tuple, PersonAddress] = field(default_factory=dict)
    involvements: list[Involvement] = field(default_factory=list)


def parse_date(value: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowError(f"{column} '{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


class _Loader:
    def __init__(self, teams: dict[str, Team], workers: dict[str, object], known_ids: set[str]):
        self.teams, self.workers, self.known_ids = teams, workers, known_ids
        self.people: dict[str, _PersonRows] = {}
        self.report = LoadReport()

    def add(self, line: int, row: dict[str, str]) -> None:
        try:
            self._add(row)
        except RowError as error:
            self.report.rejected.append((line, str(error)))

    def _add(self, row: dict[str, str]) -> None:
        local_id = row["local_id"]
        if not local_id:
            raise RowError("local_id is empty")
        if local_id in self.known_ids:
            raise RowError(f"local_id {local_id} is already in the index")
        person = self._person(row)
        address = self._address(row)
        involvement = self._involvement(row)
        rows = self.people.get(local_id)
        if rows is None:
            rows = self.people[local_id] = _PersonRows(person, self._former_names(row))
        elif (rows.person.first_name, rows.person.last_name, rows.person.date_of_birth) != (
            person.first_name,
            person.last_name,
            person.date_of_birth,
        ):
            raise RowError(f"local_id {local_id} was given earlier with a different name or date of birth")
        if address is not None:
            rows.addresses.setdefault((address.postcode, address.from_date), address)
        if involvement is not None:
            rows.involvements.append(involvement)

    def _person(self, row: dict[str, str]) -> Person:
        if not row["first_name"] or not row["last_name"]:
            raise RowError("first_name and last_name are required")
        nhs_number = normalise_nhs_number(row["nhs_number"])
        if row["nhs_number"] and not nhs_number:
            raise RowError(f"nhs_number '{row['nhs_number']}' is not a valid NHS number")
        date_of_birth = parse_date(row["date_of_birth"], "date_of_birth")
        if date_of_birth and date_of_birth > timezone.localdate():
            raise RowError("date_of_birth is in the future")
        sex = (row["sex"] or "U").upper()[:1]
        if sex not in ("M", "F", "U"):
            raise RowError(f"sex '{row['sex']}' must be M, F or U")
        return Person(
            local_id=row["local_id"][:20],
            nhs_number=nhs_number,
            upn=row["upn"][:13],
            first_name=row["first_name"][:100],
            last_name=row["last_name"][:100],
            date_of_birth=date_of_birth,
            sex=sex,
            **person_keys(row["first_name"], row["last_name"]),
        )

    def _former_names(self, row: dict[str, str]) -> list[PersonName]:
        names = []
        for former in filter(None, (part.strip() for part in row["former_names"].split(";"))):
            first, _, last = former.rpartition(" ")
            if not first:
                raise RowError(f"former name '{former}' needs a first and a last name")
            names.append(PersonName(first_name=first[:100], last_name=last[:100], **person_keys(first, last)))
        return names

    def _address(self, row: dict[str, str]) -> PersonAddress | None:
        postcode = normalise_postcode(row["postcode"])
        if not postcode and not row["address"]:
            return None
        if postcode and not POSTCODE.match(postcode):
            raise RowError(f"postcode '{row['postcode']}' is not a UK postcode")
        start, end = (
            parse_date(row["address_from"], "address_from"),
            parse_date(row["address_to"], "address_to"),
        )
        if start and end and end < start:
            raise RowError("address_to is before address_from")
        return PersonAddress(address=row["address"], postcode=postcode, from_date=start, to_date=end)

    def _involvement(self, row: dict[str, str]) -> Involvement | None:
        kind = row["involvement_type"].lower()
        if not kind:
            return None
        if kind not in INVOLVEMENT_TYPES:
            raise RowError(f"involvement_type '{kind}' must be one of {', '.join(sorted(INVOLVEMENT_TYPES))}")
        team = self.teams.get(row["team"].lower())
        if team is None:
            raise RowError(f"team '{row['team']}' is not a team of this service (use its name or slug)")
        start = parse_date(row["start_date"], "start_date")
        end = parse_date(row["end_date"], "end_date")
        if start is None:
            raise RowError("start_date is required with an involvement")
        if end and end < start:
            raise RowError("end_date is before start_date")
        email = row["worker_email"].lower()
        if email and not EMAIL.match(email):
            raise RowError(f"worker_email '{email}' is not an e-mail address")
        return Involvement(
            kind=kind,
            case_reference=row["case_reference"][:40],
            team=team,
            worker=self.workers.get(email),
            worker_name=row["worker_name"][:150],
            worker_email=email,
            started_on=start,
            closed_on=end,
        )


def _current(rows: _PersonRows) -> PersonAddress | None:
    """The current address: the latest without an end date."""
    open_addresses = [a for a in rows.addresses.values() if a.to_date is None]
    return max(open_addresses, key=lambda a: a.from_date or date.min, default=None)


def _save(people: list[_PersonRows]) -> LoadReport:
    report = LoadReport()
    for start in range(0, len(people), BATCH_SIZE):
        batch = people[start : start + BATCH_SIZE]
        for rows in batch:
            if current := _current(rows):
                rows.person.address, rows.person.postcode = current.address, current.postcode
        Person.objects.bulk_create([rows.person for rows in batch])
        names, addresses, involvements = [], [], []
        for rows in batch:
            for child in rows.names + list(rows.addresses.values()) + rows.involvements:
                child.person = rows.person
            names += rows.names
            addresses += rows.addresses.values()
            involvements += rows.involvements
        PersonName.objects.bulk_create(names)
        PersonAddress.objects.bulk_create(addresses)
        Involvement.objects.bulk_create(involvements)
        report.people += len(batch)
        report.addresses += len(addresses)
        report.involvements += len(involvements)
    return report


def _known_local_ids(ids: Iterable[str]) -> set[str]:
    ids, known = list(ids), set()
    for start in range(0, len(ids), BATCH_SIZE):
        known |= set(
            Person.objects.filter(local_id__in=ids[start : start + BATCH_SIZE]).values_list(
                "local_id", flat=True
            )
        )
    return known


def load_person_index(lines: Iterable[str], *, by: Actor, source: str) -> LoadReport:
    """Validate and load a CSV export (see the module docstring). Rows that fail are reported and
    skipped; everything valid is written in one transaction with one audit row for the load."""
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return LoadReport(rejected=[(1, f"the header lacks the columns {', '.join(missing)}")])
    rows = [
        (number, {c: (row.get(c) or "").strip() for c in COLUMNS})
        for number, row in enumerate(reader, start=2)
    ]
    teams = {}
    for team in Team.objects.all():
        teams[team.slug.lower()] = teams[team.name.lower()] = team
    emails = {row["worker_email"].lower() for _, row in rows if row["worker_email"]}
    workers = (
        {u.email.lower(): u for u in get_user_model().objects.filter(email__in=emails)} if emails else {}
    )
    loader = _Loader(teams, workers, _known_local_ids({row["local_id"] for _, row in rows}))
    for number, row in rows:
        loader.add(number, row)
    with transaction.atomic():
        report = _save(list(loader.people.values()))
        audit.record_write(
            "person_index.bulk_load",
            actor=by,
            reason=f"CSV load from {source}",
            details={"people": report.people, "rejected_rows": len(loader.report.rejected)},
        )
    report.rejected = loader.report.rejected
    return report
