"""`make run`'s banner: once the web server answers, say where MASH is, where its e-mail goes and how
to sign in as each demo role. Run by honcho beside web, worker and beat (Procfile.dev)."""

from __future__ import annotations

import signal
import time
import urllib.request
from urllib.error import URLError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from mash.celery import app as celery_app
from mash.roles import Role

from .seed_demo import AGENCIES, DEMO_PASSWORD, DEMO_TOTP_BASE32, TEAMS, USERS

WAIT_SECONDS = 180


def demo_roles() -> list[tuple[str, str]]:
    """(username, "role, team or agency") for every demo user, from the demo data itself."""
    places = {slug: name for name, slug, *_ in TEAMS} | {slug: name for name, slug, *_ in AGENCIES}
    rows = []
    for username, _first, _last, role, team, agency in USERS:
        place = places.get(team or agency or "", "")
        rows.append((username, f"{Role(role).label}{', ' + place if place else ''}"))
    return rows


def where_email_goes() -> str:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "filebased":
        return f"written to files in {settings.EMAIL_FILE_PATH}/ (one file per message; nothing is sent)"
    if backend == "smtp":
        return f"sent through the SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"handed to {settings.EMAIL_BACKEND}"


def where_data_lives() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite, {db['NAME']}"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]}, database {db['NAME']} on {db.get('HOST') or 'localhost'}"


def where_tasks_go() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        return f"filesystem, {settings.BROKER_DIR}/"
    return url.rsplit("@", 1)[-1]  # never the password


class Command(BaseCommand):
    help = "Wait for the web server, then print the URL, where e-mail goes and the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--exit", action="store_true", help="Exit after printing (honcho stops everything when one exits)"
        )

    def handle(self, *args, port: int, exit: bool, **options):
        base = f"http://127.0.0.1:{port}"
        if not self._wait_for(f"{base}/readyz"):
            raise CommandError(f"Nothing answered on {base} within {WAIT_SECONDS} s: see web.1 above.")
        worker = self._worker_answers()
        for line in self._banner(base, worker):
            self.stdout.write(line)
        self.stdout.flush()
        if not exit:
            signal.pause()  # stay up: honcho stops the whole system when any of its processes exits

    def _wait_for(self, url: str) -> bool:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                # Our own http://127.0.0.1 readiness URL, built above, never user input.
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  # nosec B310
                    if response.status == 200:
                        return True
            except (URLError, OSError):
                pass
            time.sleep(1)
        return False

    def _worker_answers(self) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if celery_app.control.ping(timeout=2):
                    return True
            except Exception:  # broker not ready yet; asked again until the deadline
                time.sleep(1)
        return False

    def _banner(self, base: str, worker: bool) -> list[str]:
        width = max(len(name) for name, _ in demo_roles()) + 2
        tasks = "the Celery worker answers, beat is running" if worker else "the worker has NOT answered yet"
        return [
            f"MASH is up on {base}/",
            f"  e-mail:   {where_email_goes()}",
            f"  database: {where_data_lives()}",
            f"  tasks:    {where_tasks_go()}; {tasks}",
            f"Sign in at {base}{reverse('login')} as any of these users, password {DEMO_PASSWORD}:",
            *(f"  {name.ljust(width)}{what}" for name, what in demo_roles()),
            "Then the 6-digit code: run `.venv/bin/python manage.py demo_code` (or add the secret",
            f"  {DEMO_TOTP_BASE32} to an authenticator app).",
            f"The Django admin is at {base}/admin/ (user admin).",
            "Ctrl-C stops all of it.",
        ]
