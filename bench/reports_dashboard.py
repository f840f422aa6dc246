"""Benchmark: the performance dashboard's queries against whatever referrals a PostgreSQL database holds.

    createdb -h 127.0.0.1 -U postgres mash_bench_h11   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash_bench_h11 \
        .venv/bin/python bench/reports_dashboard.py --migrate --generate 5000 --repeat 20

Runs on the data that is there (the issue-10 generator loads 1,000,000 referrals); ``--generate N``
adds N synthetic referrals first (children, decisions' clocks, information requests, outcomes) for a
quick run. The period is the last ``--days`` days up to the newest referral. Each figure of
``reports.figures`` is timed ``--repeat`` times for the whole service and for one team, and p50/p95/max
are printed in milliseconds, then the whole dashboard's p95. ``--explain`` prints each figure's plan.
``--budget-ms`` makes the run fail when the dashboard's p95 exceeds it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, Team  # noqa: E402
from mash.codes import LawfulBasis, ReferralSource  # noqa: E402
from mash.models import User  # noqa: E402
from referrals.models import Referral, ReferralChild  # noqa: E402
from referrals.states import Rag, Status  # noqa: E402
from reports import figures  # noqa: E402
from reports.selectors import Scope  # noqa: E402
from triage.models import Deadline, Outcome  # noqa: E402
from triage.multiagency.models import InformationRequest  # noqa: E402

CHUNK = 2_000


def _fixtures() -> tuple[list[Team], list[Agency], User]:
    teams = [
        Team.objects.get_or_create(
            slug=f"bench-team-{n}", defaults={"name": f"Bench team {n}", "kind": "assessment"}
        )[0]
        for n in range(4)
    ]
    agencies = [
        Agency.objects.get_or_create(
            slug=f"bench-agency-{n}", defaults={"name": f"Bench agency {n}", "kind": "other"}
        )[0]
        for n in range(5)
    ]
    user = User.objects.get_or_create(username="bench-reports")[0]
    return teams, agencies, user


def generate(count: int, seed: int) -> None:
    """Add ``count`` referrals over the last two years, in chunks, with their satellite rows."""
    rng = random.Random(seed)
    teams, agencies, user = _fixtures()
    now = timezone.now()
    prefix = f"B{seed % 100}{int(time.time()) % 10**7:07d}"  # references are at most 20 characters
    for start in range(0, count, CHUNK):
        batch = []
        for n in range(start, min(count, start + CHUNK)):
            received = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            batch.append(
                Referral(
                    reference=f"{prefix}-{n:x}",
                    received_at=received,
                    out_of_hours=rng.random() < 0.3,
                    referrer_type=Referral.ReferrerType.PROFESSIONAL,
                    referrer_agency=rng.choice(agencies),
                    source=rng.choice(ReferralSource.values),
                    concerns="Synthetic benchmark referral.",
                    consent=rng.choice(Referral.Consent.values),
                    status=rng.choice(Status.values),
                    rag=rng.choice([*Rag.values, ""]),
                    team=rng.choice([*teams, None]),
                    next_due_at=received + timedelta(hours=rng.randrange(1, 96)),
                )
            )
        referrals = Referral.objects.bulk_create(batch)
        ReferralChild.objects.bulk_create(ReferralChild(referral=r, first_name="Bench") for r in referrals)
        Deadline.objects.bulk_create(_clocks(referrals, rng))
        InformationRequest.objects.bulk_create(_requests(referrals, agencies, user, rng))
        Outcome.objects.bulk_create(
            Outcome(
                referral=r, destination=rng.choice(Outcome.Destination.values), rationale="-",
                recommendation="-", decided_by=user, decided_at=r.received_at + timedelta(days=1),
            )
            for r in referrals
            if rng.random() < 0.7
        )  # fmt: skip
        print(f"  generated {min(count, start + CHUNK)} of {count}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map set


def _clocks(referrals, rng):
    for r in referrals:
        for kind in figures.TIMELINESS_KINDS:
            due = r.received_at + timedelta(hours=24)
            met = r.received_at + timedelta(hours=rng.randrange(1, 48)) if rng.random() < 0.9 else None
            yield Deadline(
                referral=r, kind=kind, subject="bench", started_at=r.received_at, due_at=due,
                warn_at=due - timedelta(hours=1), met_at=met, team_id=r.team_id,
            )  # fmt: skip


def _requests(referrals, agencies, user, rng):
    for r in referrals:
        if rng.random() < 0.5:
            asked = r.received_at + timedelta(hours=1)
            answered = asked + timedelta(hours=rng.randrange(1, 72)) if rng.random() < 0.8 else None
            yield InformationRequest(
                referral=r, agency=rng.choice(agencies), question="-",
                lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING, requested_by=user, requested_at=asked,
                due_at=asked + timedelta(hours=24), answered_at=answered,
                status="answered" if answered else "requested",
            )  # fmt: skip


def _time(build, f: figures.Filters, repeat: int) -> list[float]:
    took = []
    for _ in range(repeat):
        began = time.perf_counter()
        build(f)
        took.append((time.perf_counter() - began) * 1000)
    return took


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def explain(build, f: figures.Filters) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        build(f)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument("--generate", type=int, default=0, help="add this many synthetic referrals first")
    parser.add_argument(
        "--days", type=int, default=183, help="the period's length (Annex A looks back six months)"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--budget-ms", type=float, default=0)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database (this benchmark is about PostgreSQL's plans).")
        return 2
    if args.migrate:
        call_command("migrate", verbosity=0)
    if args.generate:
        generate(args.generate, args.seed)
    newest = Referral.objects.aggregate(newest=Max("received_at"))["newest"]
    if newest is None:
        print("No referrals: use --generate N.")
        return 2
    total = Referral.objects.count()
    end = timezone.localdate(newest)
    start = end - timedelta(days=args.days - 1)
    team = Team.objects.filter(
        pk__in=Referral.objects.filter(team__isnull=False).values("team_id")[:1]
    ).first()
    runs = {"whole service": figures.Filters(start=start, end=end, scope=Scope(None))}
    if team is not None:
        runs[f"team {team.slug}"] = figures.Filters(start=start, end=end, scope=Scope(None), team=team)
    print(f"{total:,} referrals; period {start} to {end}; {args.repeat} runs per figure")
    worst = 0.0
    for label, f in runs.items():
        print(f"\n== {label} ==\n{'figure':<20} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
        dashboard = [0.0] * args.repeat
        for key, build in figures.FIGURES.items():
            took = _time(build, f, args.repeat)
            dashboard = [a + b for a, b in zip(dashboard, took, strict=True)]
            print(f"{key:<20} {statistics.median(took):>9.1f} {p95(took):>9.1f} {max(took):>9.1f}")
            if args.explain:
                explain(build, f)
        summary = (statistics.median(dashboard), p95(dashboard), max(dashboard))
        print(f"{'DASHBOARD (all)':<20} " + " ".join(f"{value:>9.1f}" for value in summary))
        worst = max(worst, p95(dashboard))
        reset_queries()
    print(f"\np95 of the whole dashboard: {worst:.1f} ms")
    return 1 if args.budget_ms and worst > args.budget_ms else 0


if __name__ == "__main__":
    sys.exit(main())
