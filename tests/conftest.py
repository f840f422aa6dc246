"""Shared fixtures: services and personas; the hooks that apply tests/support/environment.py's rule
for tests that need something the machine lacks."""

from __future__ import annotations

import pytest
from django.conf import settings

from mash.roles import Role
from tests.factories import UserFactory
from tests.support.environment import IN_CI, require, using_postgres

# A plugin rather than tests/mash/conftest.py: under pytest-xdist only the root conftest is loaded by
# the controller, which adds up the workers' Schemathesis figures and prints them.
pytest_plugins = ["tests.support.schemathesis_figures"]


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
def officer(make_user):
    """The screening officer, Sol Officer ("sol")."""
    return make_user(Role.SCREENING_OFFICER, username="sol", first_name="Sol", last_name="Officer")


@pytest.fixture
def lead(make_user):
    """The MASH lead, Lee Lead ("lee")."""
    return make_user(Role.MASH_LEAD, username="lee", first_name="Lee", last_name="Lead")


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


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """A real OpenID provider on loopback for single sign-on (tests/support/oidc_provider.py)."""
    from tests.support import oidc_provider as provider

    running = provider.start(tmp_path_factory.mktemp("oidc-provider"), live_server.url)
    yield running
    running.stop()


@pytest.fixture
def sso(settings, oidc_provider, make_user):
    """The service signing staff in through ``oidc_provider`` (its settings for this test)."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider
