"""One request at a time, in-process, on the benchmark's database: time per request, the queries it
makes, and where the Python time goes. Run after `make bench` has generated the data:

    .venv/bin/python bench/profile_requests.py                 # the queue page, its API, a submission
    .venv/bin/python bench/profile_requests.py --profile 25    # also the 25 costliest functions

docs/PERFORMANCE.md quotes its figures for "what limits each figure". Settings are bench/settings.py
(production's, DEBUG off) with the e-mail publishes kept in memory; nothing here is in `make test`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mash_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

REPEAT = 20


def staff_get(path: str):
    """A GET as the screening officer `make bench` loads the queue with (second factor passed)."""
    from bench.run import staff_session

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = staff_session("screening")

    def request():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return request


def api_submit():
    """A submission through the intake API with a fresh Idempotency-Key, as bench/submit.lua sends."""
    from agencies.authentication import api_token_create
    from agencies.models import Agency
    from tests.support.answers import api_body

    _, key = api_token_create(
        Agency.objects.get(slug="police"), name=f"profile {uuid.uuid4().hex[:6]}", by=None
    )
    client = Client(HTTP_HOST="127.0.0.1")
    body = json.dumps(api_body())

    def request():
        response = client.post(
            "/api/v1/referrals/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 201, response.content

    return request


def measure(label: str, request, *, profile: int) -> None:
    for _ in range(3):  # warm the caches, the connection and the templates
        request()
    started = time.perf_counter()
    for _ in range(REPEAT):
        request()
    per_request = (time.perf_counter() - started) / REPEAT * 1000
    settings.DEBUG = True  # only to list the queries of one more request
    connection.queries_log.clear()
    request()
    queries = list(connection.queries)
    settings.DEBUG = False
    database_ms = sum(float(query["time"]) for query in queries) * 1000
    print(
        f"\n== {label}: {per_request:.1f} ms a request;"
        f" {len(queries)} statements, {database_ms:.0f} ms of them"
    )
    for query in queries:
        print(f"  {float(query['time']) * 1000:5.1f} ms  {query['sql'][:110]}")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            request()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    arguments = parser.parse_args()
    measure("queue page, first page (/triage/)", staff_get("/triage/"), profile=arguments.profile)
    measure("queue API, first page", staff_get("/api/v1/triage/queue/"), profile=arguments.profile)
    measure("referral submission (intake API)", api_submit(), profile=arguments.profile)


if __name__ == "__main__":
    main()
