"""Shared fixtures: services, personas and the rule for tests that need something the machine lacks.

Under plain `make test` such a test is skipped with the reason; with CI=true it fails instead,
so CI proves everything.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a needed server or browser is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must prove this, but: {reason}")
    pytest.skip(reason)


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} (test database of {db['NAME']})",
        f"celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
        f"CI={IN_CI}",
    ]


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(
            using_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash"
        )


@pytest.fixture
def roles(db):
    from mash.roles import ensure_role_groups

    ensure_role_groups()


@pytest.fixture
def make_user(roles):
    """make_user(Role.MASH_LEAD, username="lee") -> a user in that role's group."""

    def make(*role_list, **fields):
        return UserFactory(roles=role_list, **fields)

    return make


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as a fully authenticated member of staff.

    Use this rather than client.force_login: it also completes whatever the service demands of
    staff sign-in (for example a verified second factor), so tests keep working as that grows.
    """

    def sign_in(user, c=None, *, verified=True):
        c = c or client
        c.force_login(user)
        session = c.session
        # Session clocks start now (security/sessions.py); verified=False stops after the password.
        from security import sessions

        sessions.start(session)
        if verified:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return c

    return sign_in
