"""Schemathesis against /api/schema/ for every kind of caller: no 5xx, and every response matches
the schema (status code, content type, body). Also: an agency token reaches the intake API only."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mash.roles import Role
from tests.support.security import make_referral

# Examples from the schema plus a few generated cases per operation and caller, positive and
# negative; the exhaustive "coverage" phase is left to a dedicated run (it takes minutes here).
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db):
    # Called as a raw WSGI app, Django would close the test's database connection after each
    # request (PostgreSQL then loses the test transaction); Django's own test client does the same.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, make_user, login):
    """(label, headers, cookies) for: no credentials, an agency's API key, and a verified session
    of every role (the staff and partner APIs authenticate with the session)."""
    from agencies.authentication import api_token_create
    from agencies.models import Agency

    make_referral()  # something for list and detail endpoints to find
    police = Agency.objects.create(name="Police", slug="police", kind=Agency.Kind.POLICE)
    _, key = api_token_create(police, name="schemathesis", by=None)
    result = [("anonymous", {}, {}), ("agency token", {"Authorization": f"Token {key}"}, {})]
    for role in Role:
        client = login(make_user(role), Client())
        cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": "x" * 32}
        result.append((role.value, {"X-CSRFToken": "x" * 32}, cookies))
    return result


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_its_schema_for_every_caller(case, callers):
    for label, headers, cookies in callers:
        try:
            case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
        except Exception as error:
            raise AssertionError(f"as {label}: {error}") from error


def _api_paths() -> list[str]:
    from tests.mash.test_security_two_factor import all_paths

    return [
        p for p in all_paths() if p.startswith("/api/") and not p.startswith(("/api/schema/", "/api/docs/"))
    ]


@pytest.mark.django_db
def test_an_agency_token_reaches_only_the_intake_api(client, callers):
    token_headers = next(headers for label, headers, _ in callers if label == "agency token")
    for path in _api_paths():
        if path.startswith("/api/v1/referrals/"):
            continue
        for method in (client.get, client.post):
            response = method(path, HTTP_AUTHORIZATION=token_headers["Authorization"])
            assert response.status_code in (401, 403), (path, response.status_code)


@pytest.mark.django_db
def test_unmatched_api_paths_answer_in_json_and_pages_in_html(client):
    api = client.get("/api/v1/partners/requests/not-a-uuid/")
    assert api.status_code == 404 and api.json() == {"code": "not_found", "detail": "Not found."}
    page = client.get("/no-such-page/")  # anonymous: the second-factor middleware sends it to sign in
    assert page.status_code == 302
