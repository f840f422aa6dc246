"""`make run` keeps the promises production keeps: nothing lost, nothing sent twice.

Each test runs the real stack (`make run`: runserver, a Celery worker at the Procfile's concurrency,
beat, the banner) in a copy of the checkout under a temporary directory, submits 50 referrals through
the intake API while the MASH lead decides each as it arrives and records the Red ones' outcomes,
and then counts: every referral saved, every acknowledgement and outcome letter in the mail folder
exactly once (by Message-ID), and no "database is locked" in any process's log.

Embedded defaults (SQLite, the filesystem broker, e-mail to files) always; PostgreSQL and Redis when
the test run is on PostgreSQL (the stack gets a database of its own and a Redis server of its own).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import environ
import psycopg2
import pytest

from tests.stack.stack import LOCKED, Stack, copy_checkout, elapsed, mail_in, repeated
from tests.support.answers import api_body
from tests.support.environment import require, using_postgres
from tests.support.servers import REDIS_SERVER, RedisServer

REFERRALS = 50
SUBMITTERS = 4  # partner systems posting at once


def _post(url: str, key: str, n: int) -> int:
    body = api_body(referrer_email=f"referrer{n}@police.example")
    request = urllib.request.Request(  # noqa: S310 (the stack's own http URL)
        f"{url}/api/v1/referrals/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Token {key}",
            "Idempotency-Key": f"stack-{n}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _submit_all(url: str, key: str) -> Counter:
    statuses: Counter = Counter()

    def submitter(numbers) -> None:
        for n in numbers:
            statuses[_post(url, key, n)] += 1

    shares = [range(i, REFERRALS, SUBMITTERS) for i in range(SUBMITTERS)]
    threads = [threading.Thread(target=submitter, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    return statuses


def _run_and_count(checkout: Path, **env: str) -> None:
    stack = Stack(checkout, **env)
    started = time.monotonic()
    try:
        banner = stack.start()
        up = elapsed(started)
        assert f"MASH is up on {stack.url}/" in banner, banner
        assert "manage.py demo_code" in banner and "lead" in banner and "demo-safeguarding-2026" in banner
        assert f"{checkout / 'var' / 'mail'}/" in banner  # the checkout's own var/mail, wherever it is

        lead = stack.drive(REFERRALS, settle_seconds=180)
        key = lead.stdout.readline().strip()
        statuses = _submit_all(stack.url, key)
        lead_output, _ = lead.communicate(timeout=600)
    finally:
        stack.stop()
    log = stack.output()

    assert statuses == {201: REFERRALS}, statuses
    assert lead.returncode == 0, lead_output
    summary = json.loads(lead_output.splitlines()[-1])
    assert summary["referrals"] == REFERRALS
    assert summary["letters_sent"] == len(summary["letters"]) == REFERRALS
    outbox = summary["outbox"]
    assert [m for m in outbox if m["status"] != "done"] == []

    mail_ids = [message["Message-ID"] for message in mail_in(checkout / "var" / "mail")]
    assert repeated(mail_ids) == {}
    assert sorted(mail_ids) == sorted(m["message_id"] for m in outbox)  # each row's message, once
    ours = {reference for reference, _ in summary["letters"]}
    acks = Counter(m["reference"] for m in outbox if m["key"].startswith("referral-acknowledgement:"))
    letters = Counter(m["reference"] for m in outbox if m["key"].startswith("letter:"))
    assert all(acks[reference] == letters[reference] == 1 for reference in ours)
    resent = sum(m["resent_in_doubt"] for m in outbox)
    assert resent == 0  # no process was killed in this run
    assert LOCKED not in log and LOCKED not in lead_output
    print(  # the run's figures, shown with pytest -s
        f"\nstack up in {up} s, all done in {elapsed(started)} s: {summary['referrals']} referrals, "
        f"{len(mail_ids)} e-mails ({sum(acks.values())} acknowledgements, {sum(letters.values())} outcome "
        f"letters, the rest the demo data's and alerts), 0 repeated, {resent} sent again in doubt"
    )


def test_make_run_on_the_embedded_defaults_saves_everything_and_sends_each_email_once(tmp_path):
    _run_and_count(copy_checkout(tmp_path / "checkout"))


def _own_postgres_database() -> str:
    """A database beside the test run's (its name + "_stack"), created empty for `make run`."""
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = f"{config['NAME']}_stack"
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"


@pytest.mark.postgres
def test_make_run_on_postgresql_and_redis_saves_everything_and_sends_each_email_once(tmp_path):
    require(using_postgres() and "DATABASE_URL" in os.environ, "needs DATABASE_URL=postgres://...")
    require(os.access(REDIS_SERVER, os.X_OK), f"needs {REDIS_SERVER}")
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        _run_and_count(
            copy_checkout(tmp_path / "checkout"),
            DATABASE_URL=_own_postgres_database(),
            CELERY_BROKER_URL=redis.url,
        )
    finally:
        redis.stop()
