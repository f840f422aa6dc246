"""Benchmark: match one referral's child against a person index of 1,000,000 people in PostgreSQL.

    createdb -h 127.0.0.1 -U postgres mash_bench_h6   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash_bench_h6 \
        .venv/bin/python bench/match_person_index.py --people 1000000 --probes 300

Loads the people with COPY (only when the index does not already hold that many; ``--reload``
forces it), ANALYZEs, prints the EXPLAIN of the candidate query for one probe (it must use the
indexes, never a sequential scan of referrals_person), then times ``find_candidates`` for each
probe (near-duplicates of indexed people and strangers) and prints p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from faker import Faker  # noqa: E402

from referrals.models import Person  # noqa: E402
from referrals.person_index.keys import name_key  # noqa: E402
from referrals.person_index.matching import (  # noqa: E402
    Probe,
    blocked_rows_query,
    candidate_ids,
    find_candidates,
    transposed,
)

AREAS = [f"{prefix}{n}" for prefix in ("WV", "DY", "B", "WS") for n in range(1, 25)]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CHUNK = 100_000


def names() -> tuple[list[str], list[str], list[str]]:
    provider = Faker("en_GB").provider("faker.providers.person")
    return (
        sorted(set(provider.first_names_male)),
        sorted(set(provider.first_names_female)),
        sorted(set(provider.last_names)),
    )


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)}{rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"


def birth_date(rng: random.Random) -> date:
    # Seven in ten are children, the rest adults in their households.
    years = rng.uniform(0, 18) if rng.random() < 0.7 else rng.uniform(18, 80)
    return date(2026, 11, 1) - timedelta(days=int(years * 365.25))


def load(total: int, rng: random.Random) -> None:
    boys, girls, surnames = names()
    keys = {name: name_key(name) for name in boys + girls + surnames}
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE referrals_matchdecision, referrals_personmerge, referrals_involvement, "
            "referrals_personname, referrals_personaddress, referrals_person RESTART IDENTITY CASCADE"
        )
        raw = cursor.connection.cursor()
        started = time.perf_counter()
        for first_id in range(1, total + 1, CHUNK):
            people, addresses, former = io.StringIO(), io.StringIO(), io.StringIO()
            for pk in range(first_id, min(first_id + CHUNK, total + 1)):
                sex = rng.choice("MF")
                first = rng.choice(boys if sex == "M" else girls)
                last = rng.choice(surnames)
                pc = postcode(rng)
                people.write(
                    f"{pk}\t\tL{pk}\t\t{first}\t{last}\t{birth_date(rng)}\t{sex}\t2026-11-01 00:00:00+00\t"
                    f"{keys[first]}\t{keys[last]}\t{pc}\t{pk} High Street\n"
                )
                addresses.write(f"{pk}\t{pk} High Street\t{pc}\t2020-01-01\n")
                if rng.random() < 0.05:  # one in twenty has a former surname
                    old = rng.choice(surnames)
                    former.write(f"{pk}\tformer\t{first}\t{old}\t{keys[first]}\t{keys[old]}\n")
            for buffer in (people, addresses, former):
                buffer.seek(0)
            raw.copy_expert(
                "COPY referrals_person (id, nhs_number, local_id, upn, first_name, last_name, date_of_birth, "
                "sex, created_at, first_key, last_key, postcode, address) FROM STDIN",
                people,
            )
            raw.copy_expert(
                "COPY referrals_personaddress (person_id, address, postcode, from_date) FROM STDIN", addresses
            )
            raw.copy_expert(
                "COPY referrals_personname (person_id, kind, first_name, last_name, first_key, last_key) "
                "FROM STDIN",
                former,
            )
            print(f"  loaded {min(first_id + CHUNK - 1, total):,} people", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('referrals_person', 'id'), %s)", [total])
        cursor.execute("ANALYZE referrals_person")
        cursor.execute("ANALYZE referrals_personaddress")
        cursor.execute("ANALYZE referrals_personname")
        print(f"  COPY and ANALYZE took {time.perf_counter() - started:.1f} s")


def probes(count: int, total: int, rng: random.Random) -> list[Probe]:
    sample = Person.objects.filter(pk__in=[rng.randint(1, total) for _ in range(count)])
    made = []
    for person in sample:
        base = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "postcode": person.postcode,
            "sex": person.sex,
        }
        change = rng.choice(("exact", "typo", "swap", "transposed", "moved", "stranger"))
        if change == "typo":
            base["first_name"] = person.first_name[:-1] + "x"
        elif change == "swap":
            base["first_name"], base["last_name"] = person.last_name, person.first_name
        elif change == "transposed":
            base["date_of_birth"] = transposed(person.date_of_birth) or person.date_of_birth
        elif change == "moved":
            base["postcode"] = postcode(rng)
        elif change == "stranger":
            base.update(last_name="Zzyzx", date_of_birth=birth_date(rng), postcode=postcode(rng))
        made.append(Probe(**base))
    return made


def explain(probe: Probe) -> str:
    sql, params = blocked_rows_query(probe)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/mash_bench_h6"
        )
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0, skip_checks=True)
    if args.reload or Person.objects.count() != args.people:
        print(f"Loading {args.people:,} people with COPY ...")
        load(args.people, rng)
    sample = probes(args.probes, args.people, rng)
    print(explain(sample[0]))
    timings, cpu, blocked = [], [], []
    for probe in sample:
        started, started_cpu = time.perf_counter(), time.process_time()
        find_candidates(probe)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        blocked.append(len(candidate_ids(probe)))
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{len(timings)} probes against {args.people:,} people: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; block size median {statistics.median(blocked):.0f}, "
        f"max {max(blocked)}"
    )
    print(
        f"  of which Python (this process's CPU): p50 {statistics.median(cpu):.1f} ms; "
        f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
