"""`make bench`: the service's figures at 1,000,000 referrals, each beside a bare Django view
served the same way in the same run. Not part of the test suite.

    make bench                                   # PostgreSQL database mash_bench (created if missing)
    BENCH_DATABASE_URL=postgres://... make bench # another database
    BENCH_DURATION=15 BENCH_REFERRALS=1000000    # seconds per wrk run, referrals to generate
    BENCH_ONLY=web,dashboard make bench          # only some steps: web, submissions, match,
                                                 # sweeper, letters, dashboard

Data is generated once (set-based SQL, bench/generate.py) and reused. The web figures come from wrk
(Debian package; installed with apt when missing) against gunicorn on loopback with production
settings over HTTP (bench/settings.py); the in-process figures (sweeper, letters) run here against
the same database. See docs/PERFORMANCE.md for what limits each figure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mash_bench")
# bench/match_person_index.py (issue 6) reloads the person index with TRUNCATE ... CASCADE, which
# also empties every table that refers to a person (children, adults, their decisions): it gets a
# database of its own so the referrals generated here survive it.
PEOPLE_DATABASE_URL = os.environ.get("BENCH_PEOPLE_DATABASE_URL", f"{DATABASE_URL}_people")
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "1000000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
# BENCH_ONLY=web,submissions,match,sweeper,letters,dashboard (any of them, comma-separated) runs just
# those steps while working on one figure; the run of record runs them all. The bare view is always
# measured, since every figure is a ratio to it.
STEPS = ("web", "submissions", "match", "sweeper", "letters", "dashboard")
ONLY = {step.strip() for step in os.environ.get("BENCH_ONLY", ",".join(STEPS)).split(",") if step.strip()}
CONNECTIONS = 16
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 2))))
# The web processes publish to the shared Redis on the benchmark's own database number.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
LETTERS = 20

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["CELERY_BROKER_URL"] = "memory://"  # this process's own publishes are not measured


def ensure_database(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    url = database_url.rsplit("/", 1)
    connection = psycopg2.connect(f"{url[0]}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url[1]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url[1])))
            print(f"Created database {url[1]}")
    connection.close()


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        print("Installing wrk (Debian package)")
        apt = ["apt-get", "install", "-y", "-qq", "wrk"]
        subprocess.run(apt if os.geteuid() == 0 else ["sudo", *apt], check=True)
    return shutil.which("wrk")


ensure_database(DATABASE_URL)
ensure_database(PEOPLE_DATABASE_URL)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench import generate  # noqa: E402


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def prepare() -> dict:
    from agencies.authentication import api_token_create
    from agencies.models import Agency, Team
    from mash.codes import LawfulBasis
    from mash.models import User
    from triage.policy import current_policy

    heading("Database")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    have = generate.existing()
    if have >= REFERRALS:
        print(f"Reusing {have:,} generated referrals")
    else:
        if have:
            raise SystemExit(f"{have:,} generated referrals, not {REFERRALS:,}: drop the database and rerun")
        print(f"Generating {REFERRALS:,} referrals", flush=True)
        started = time.perf_counter()
        generate.generate(
            REFERRALS,
            policy=current_policy().pk,
            team=Team.objects.get(slug="assessment-2").pk,
            lead=User.objects.get(username="lead").pk,
            police=Agency.objects.get(slug="police").pk,
            basis=LawfulBasis.values[0],
        )
        print(f"Generated in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        for table in (
            "referrals_referral",
            "referrals_referralchild",
            "referrals_referraladult",
            "triage_childdecision",
            "agencies_informationrequest",
            "triage_deadline",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            print(f"  {table}: {cursor.fetchone()[0]:,}")
    call_command("collectstatic", interactive=False, verbosity=0)
    _, key = api_token_create(
        Agency.objects.get(slug="police"), name=f"bench {uuid.uuid4().hex[:6]}", by=None
    )
    return {"session": staff_session("screening"), "api_key": key}


def staff_session(username: str) -> str:
    """A session for a signed-in member of staff who has passed the second factor (as tests' login)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mash.models import User
    from security import sessions

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    sessions.start(session)
    session[DEVICE_ID_SESSION_KEY] = (
        TOTPDevice.objects.filter(user=user, confirmed=True).first().persistent_id
    )
    session.save()
    return session.session_key


# --- serving and loading -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CELERY_BROKER_URL": BROKER_URL, "PYTHONPATH": str(BASE)}
        command = [str(BASE / ".venv/bin/gunicorn"), "mash.wsgi:application", "-b", f"127.0.0.1:{self.port}"]
        command += ["-w", str(GUNICORN_WORKERS), "--worker-class", "sync", "--keep-alive", "5"]
        self.process = subprocess.Popen(command, cwd=BASE, env=env, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # every worker booted: each answers /healthz
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        time.sleep(3)
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def wrk(
    url: str, *, script: str = "report.lua", headers: dict | None = None, env: dict | None = None
) -> dict:
    command = [WRK, "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s"]
    command += ["-s", str(BASE / "bench" / script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def show(label: str, result: dict, bare: dict, extra: str = "") -> None:
    if not (bare["rps"] and bare["p95_ms"]):
        raise SystemExit(f"the bare view answered nothing: {bare}")
    print(
        f"{label:<44} {result['rps']:>8.1f} req/s ({result['rps'] / bare['rps']:>5.1%} of bare)"
        f"  p95 {result['p95_ms']:>7.2f} ms ({result['p95_ms'] / bare['p95_ms']:>5.1f}x bare)"
        f"  non-2xx {result['non2xx']}, errors {result['errors']}{extra}",
        flush=True,
    )


def web(context: dict) -> dict:
    heading(f"Web, gunicorn {GUNICORN_WORKERS} sync workers, wrk {CONNECTIONS} connections x {DURATION} s")
    server = Gunicorn()
    cookie = {"Cookie": f"sessionid={context['session']}"}
    try:
        wrk(f"{server.url}/healthz", env={"d": "warm"})  # warm every worker
        bare = wrk(f"{server.url}/healthz")
        print(f"{'bare Django view /healthz':<44} {bare['rps']:>8.1f} req/s  p95 {bare['p95_ms']:>7.2f} ms")
        runs = {
            "queue page, first page": "/triage/",
            "queue page, filtered (rag=amber, source=2A)": "/triage/?rag=amber&source=2A",
            "queue API, first page": "/api/v1/triage/queue/",
            "queue API, filtered (rag=amber, source=2A)": "/api/v1/triage/queue/?rag=amber&source=2A",
        }
        results = {"bare": bare}
        for label, path in runs.items() if "web" in ONLY else ():
            results[label] = wrk(f"{server.url}{path}", headers=cookie)
            show(label, results[label], bare)
        if "submissions" in ONLY:
            results["submissions"] = submissions(server, context, bare)
        return results
    finally:
        server.stop()


def submissions(server: Gunicorn, context: dict, bare: dict) -> dict:
    from referrals.models import Referral
    from tests.support.answers import api_body

    run = f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
        json.dump(api_body(), body)
    result = wrk(
        f"{server.url}/api/v1/referrals/",
        script="submit.lua",
        headers={"Authorization": f"Token {context['api_key']}"},
        env={"BENCH_RUN": run, "BENCH_BODY": body.name},
    )
    os.unlink(body.name)
    rows = Referral.objects.filter(idempotency_key__contains=f":{run}-").count()
    lost = max(result["created"] - rows, 0)
    show(
        "public referral submission (intake API)",
        result,
        bare,
        f"; {result['created']} accepted (201), {rows} rows, {lost} lost",
    )
    result.update(rows=rows, lost=lost)
    return result


# --- in-process figures ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def sweeper(bare: dict) -> None:
    """One tick with N open decision clocks, 100 of them due (50 to warn, 50 to breach). Everything
    runs in a transaction that is rolled back, so the data stays as generated."""
    from notifications.sweeper import sweep

    heading("Sweeper tick (100 clocks due; the rest open and not due)")
    for open_count in (100_000, 1_000_000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE triage_deadline SET met_at = NULL, warned_at = NULL, breached_at = NULL,
                       due_at = now() + interval '5 days', warn_at = now() + interval '4 days'
                WHERE id IN (SELECT id FROM triage_deadline WHERE kind = 'decision' ORDER BY id DESC LIMIT %s)
                """,
                [open_count],
            )
            cursor.execute(
                """
                UPDATE triage_deadline SET warn_at = now() - interval '1 minute',
                       due_at = CASE WHEN due.position <= 50 THEN now() - interval '1 minute' ELSE due_at END
                FROM (SELECT id, row_number() OVER (ORDER BY id DESC) AS position FROM triage_deadline
                      WHERE kind = 'decision' AND met_at IS NULL ORDER BY id DESC LIMIT 100) AS due
                WHERE triage_deadline.id = due.id
                """
            )
            # The benchmark's submissions queued acknowledgement e-mails that no worker consumed here;
            # in service a worker has sent them, so the tick measured is not a republishing backlog.
            cursor.execute(
                "UPDATE notifications_outboxmessage SET status = 'done', done_at = now()"
                " WHERE status IN ('pending', 'failed')"
            )
            # Fresh statistics for the planner, as autovacuum would give a table that changed this much.
            cursor.execute("ANALYZE triage_deadline")
            cursor.execute("SELECT count(*) FROM triage_deadline WHERE met_at IS NULL")
            opened = cursor.fetchone()[0]
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                result = sweep()
                timings.append((time.perf_counter() - started) * 1000)
                if len(timings) == 1:
                    first = result
            transaction.set_rollback(True)
        print(
            f"{opened:>9,} open clocks: tick {timings[0]:8.1f} ms"
            f" ({first.breached} breached, {first.warned} warned;"
            f" {timings[0] / bare['p95_ms']:.0f}x bare p95); next ticks, nothing due: "
            f"{timings[1]:.1f} ms, {timings[2]:.1f} ms",
            flush=True,
        )


def letters(bare: dict) -> None:
    """Render LETTERS outcome letters (median), then send them one after another as one worker does
    (render, SMTP to a loopback server, database writes) for letters per minute per worker."""
    from aiosmtpd.controller import Controller

    from mash.outbox.delivery import deliver_once
    from mash.outbox.models import OutboxMessage
    from notifications.letters import letter_enqueue_outcome, letter_render
    from referrals.models import Referral

    heading(f"Outcome letters ({LETTERS})")

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    try:
        referrals = list(Referral.objects.filter(status="outcome", reference__startswith="BENCH-")[:LETTERS])
        made = []
        for referral in referrals:
            with transaction.atomic():
                made.append(letter_enqueue_outcome(referral, by=None))
        renders = []
        for letter in made:
            started = time.perf_counter()
            letter_render(letter)
            renders.append((time.perf_counter() - started) * 1000)
        median = statistics.median(renders)
        print(
            f"render: median {median:.0f} ms, p95 {percentile(renders, 0.95):.0f} ms"
            f" ({median / bare['p95_ms']:.0f}x bare p95)"
        )
        messages = OutboxMessage.objects.filter(payload__letter_id__in=[letter.pk for letter in made])
        started = time.perf_counter()
        outcomes = [deliver_once(pk) for pk in messages.values_list("pk", flat=True)]
        elapsed = time.perf_counter() - started
        print(
            f"send (render + SMTP + writes), one worker: {len(outcomes) / elapsed * 60:.0f} letters/minute;"
            f" {outcomes.count('done')} of {len(outcomes)} done"
        )
    finally:
        controller.stop()


def helper_script(script: str, *arguments: str, database_url: str = DATABASE_URL) -> None:
    path = BASE / "bench" / script
    if not path.exists():
        print(f"({script} not present)")
        return
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mash.settings.local", "DJANGO_DEBUG": "false"}
    env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, str(path), *arguments], cwd=BASE, env=env, check=False)  # noqa: S603


def machine() -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    print(f"Machine: {os.cpu_count()} CPUs ({cpu}), {memory.split(':')[1].strip()}, PostgreSQL {postgres}")


def main() -> None:
    global WRK
    started = time.perf_counter()
    WRK = ensure_wrk()
    machine()
    context = prepare()
    results = web(context)
    if "match" in ONLY:
        heading(f"Known-child match over {PEOPLE:,} people (bench/match_person_index.py)")
        helper_script(
            "match_person_index.py",
            "--people",
            str(PEOPLE),
            "--probes",
            "300",
            database_url=PEOPLE_DATABASE_URL,
        )
    if "sweeper" in ONLY:
        sweeper(results["bare"])
    if "letters" in ONLY:
        letters(results["bare"])
    if "dashboard" in ONLY:
        heading("Performance dashboard (bench/reports_dashboard.py)")
        helper_script("reports_dashboard.py", "--repeat", "10")
    print(f"\nmake bench finished in {(time.perf_counter() - started) / 60:.1f} minutes")


WRK = ""

if __name__ == "__main__":
    main()
