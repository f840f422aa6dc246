"""The world the browser journeys run in: the app on pytest-django's live server (PostgreSQL,
transactional), a real Celery worker process on the same test database, a Redis broker of the
tests' own and a real SMTP server on loopback. Every piece is started here and stopped after.

Workers share the live test database, which an in-memory SQLite database cannot do: these tests
are PostgreSQL-only (skipped locally on SQLite, required in CI).
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from tests.e2e.browser import CHROMIUM, Accessibility, chromium, chromium_available
from tests.e2e.steps import Journey
from tests.support.environment import require
from tests.support.servers import REDIS_SERVER, RedisServer, SmtpServer, Worker, celery_publishing_to

# Long enough for a PDF letter on a busy two-core machine; the journeys never kill a worker.
WORKER_VISIBILITY_TIMEOUT = 120


@pytest.fixture
def redis_broker(tmp_path, settings):
    require(os.access(REDIS_SERVER, os.X_OK), f"needs {REDIS_SERVER}")
    server = RedisServer(tmp_path)
    server.start()
    settings.CELERY_BROKER_URL = server.url
    # The live server runs in this process: its outbox publishes through this Celery app.
    with celery_publishing_to(server.url, visibility_timeout=WORKER_VISIBILITY_TIMEOUT):
        yield server
    server.stop()


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    # The live server's own sends (none today, but any would) go to the same loopback server.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.fixture
def demo_council(transactional_db, settings):
    """seed_demo's council: the policy, teams, agencies and one user per role, each with the
    documented local-only authenticator key."""
    settings.ALLOW_DEMO_DATA = True
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def celery_worker(demo_council, redis_broker, smtp_server, tmp_path):
    worker = Worker(
        broker_url=redis_broker.url,
        email_url=smtp_server.url,
        logdir=tmp_path,
        visibility_timeout=WORKER_VISIBILITY_TIMEOUT,
    )
    worker.start()
    yield worker
    worker.stop()  # before pytest-django flushes the database the worker is connected to


def _journey(live_server, monkeypatch):
    require(chromium_available(), f"needs Debian's chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads are
    # synchronous and safe here (Django refuses them in an event loop unless told).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        yield Journey(browser, live_server.url, Accessibility())


@pytest.fixture
def journey(live_server, celery_worker, monkeypatch):
    yield from _journey(live_server, monkeypatch)


@pytest.fixture
def pages_journey(live_server, demo_council, monkeypatch):
    """The walk over every page needs no worker: no page waits for a letter."""
    yield from _journey(live_server, monkeypatch)
