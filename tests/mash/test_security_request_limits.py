"""JSON bodies too large or nested too deep are refused before they are parsed, in the API's error
shape, on every JSON endpoint; and no answer of the service may be kept by a cache."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from agencies.authentication import api_token_create
from mash.roles import Role
from referrals.models import Referral
from security.request_limits import nesting_depth
from tests.factories import AgencyFactory
from tests.support.security import make_referral

INTAKE = "/api/v1/referrals/"


@pytest.fixture
def intake_key(db):
    police = AgencyFactory(name="Durham Constabulary", slug="durham-police", referral_source="6")
    return api_token_create(police, name="limits", by="test")[1]


def send(client, body: str, key: str):
    return client.post(
        INTAKE,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_IDEMPOTENCY_KEY="x1",
    )


def test_a_body_nested_a_thousand_levels_deep_is_a_clear_400_not_a_server_error(client, intake_key):
    response = send(client, "[" * 1000 + "]" * 1000, intake_key)
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_an_oversize_body_is_refused_with_413_without_being_parsed(client, intake_key, settings):
    settings.API_MAX_BODY_BYTES = 10_000
    response = send(client, json.dumps({"concerns": "x" * 20_000}), intake_key)
    assert response.status_code == 413
    assert "larger than 10,000 bytes" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_body_that_is_not_utf8_is_refused_in_the_apis_one_error_shape(client, intake_key):
    response = client.post(
        INTAKE,
        b"\xff",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {intake_key}",
        HTTP_IDEMPOTENCY_KEY="x1",
    )
    assert response.status_code == 400
    assert response.json() == {"code": "parse_error", "detail": "The request body is not valid utf-8."}
    assert not Referral.objects.exists()


def test_a_staff_json_endpoint_is_bounded_too(client, make_user, login):
    login(make_user(Role.MASH_LEAD))
    url = reverse("triage-api:reassign", kwargs={"reference": make_referral().reference})
    response = client.post(url, "{" * 500 + "}" * 500, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ('{"a": [1, {"b": []}]}', 4), ('"[[[[[["', 0), (r'["\"[[[", [[]]]', 3), ("", 0)],
)
def test_brackets_inside_strings_do_not_count(text, depth):
    assert nesting_depth(text, 100) == depth


@pytest.mark.parametrize("path", ["/", "/refer/", "/healthz", "/login/"])
def test_no_answer_of_the_service_is_cached(client, db, path):
    response = client.get(path, follow=False)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_staff_page_with_childrens_data_is_not_cached(client, make_user, login):
    login(make_user(Role.MASH_LEAD))
    response = client.get(reverse("triage:queue"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_are_answered_before_the_no_store_rule(settings):
    # WhiteNoise answers static files itself, so their long-lived caching is never overwritten.
    order = settings.MIDDLEWARE
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(
        "security.caching.NoStoreMiddleware"
    )
