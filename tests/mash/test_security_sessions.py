"""Failed-login lockout (forged X-Forwarded-For included), session limits, sign-out, password
change ending other sessions, and the security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from mash.roles import Role

PASSWORD = "correct-horse-battery-staple"
PROXY = "10.0.0.1"
REAL_CLIENT = "203.0.113.7"


def _attempt(client, username, password, forged):
    # One trusted proxy appends the real client's address to whatever the client sent.
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{forged}, {REAL_CLIENT}",
    )


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3, AXES_IPWARE_PROXY_COUNT=1)
def test_address_is_locked_out_after_the_limit_even_with_a_forged_forwarded_for(client, make_user):
    make_user(username="victim")
    for n in range(3):
        # A different username and a different forged address every time: neither helps.
        response = _attempt(client, f"guess{n}", "wrong-password", forged=f"198.51.100.{n}")
        assert response.status_code in (200, 429)
    locked = _attempt(client, "victim", PASSWORD, forged="192.0.2.99")
    assert locked.status_code == 429
    assert b"Sign-in is locked" in locked.content
    # Another real client behind the same proxy is not locked out.
    other = client.post(
        "/accounts/login/",
        {"username": "victim", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert other.status_code == 302


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_username_is_locked_out_from_any_address(client, make_user):
    make_user(username="victim")
    for n in range(3):
        client.post(
            "/accounts/login/", {"username": "victim", "password": "nope"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
    response = client.post(
        "/accounts/login/", {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3, AXES_IPWARE_PROXY_COUNT=0)
def test_without_proxies_the_forwarded_for_header_is_ignored(client, make_user):
    make_user(username="victim")
    for n in range(3):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR=REAL_CLIENT,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    locked = client.post(
        "/accounts/login/", {"username": "victim", "password": PASSWORD}, REMOTE_ADDR=REAL_CLIENT
    )
    assert locked.status_code == 429


def _staff_page_status(client) -> int:
    return client.get("/accounts/recovery-codes/").status_code


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=900, SESSION_ABSOLUTE_TIMEOUT=36000)
def test_idle_session_expires(client, login, make_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        login(make_user(Role.MASH_LEAD))
        assert _staff_page_status(client) == 200
        traveller.shift(timedelta(seconds=899))
        assert _staff_page_status(client) == 200  # activity restarts the idle clock
        traveller.shift(timedelta(seconds=899))
        assert _staff_page_status(client) == 200
        key = client.session.session_key
        traveller.shift(timedelta(seconds=901))
        response = client.get("/accounts/recovery-codes/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert not Session.objects.filter(session_key=key).exists()
        assert client.get("/accounts/recovery-codes/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=900, SESSION_ABSOLUTE_TIMEOUT=3600)
def test_absolute_session_limit_ends_even_an_active_session(client, login, make_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(make_user(Role.MASH_LEAD))
        for _ in range(6):  # active every 10 minutes for an hour
            traveller.shift(timedelta(seconds=600))
            assert _staff_page_status(client) == 200
        traveller.shift(timedelta(seconds=600))
        assert _staff_page_status(client) == 302


@pytest.mark.django_db
def test_expired_session_on_the_api_is_401(client, login, make_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(make_user(Role.MASH_LEAD))
        traveller.shift(timedelta(seconds=3600))
        response = client.get("/api/v1/anything/")
        assert response.status_code == 401 and response.json()["code"] == "session_expired"


@pytest.mark.django_db
def test_sign_out_ends_the_session_on_the_server(client, login, make_user):
    login(make_user(Role.MASH_LEAD))
    cookie = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/accounts/recovery-codes/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_password_change_keeps_this_session_and_ends_the_others(client, login, make_user):
    user = make_user(Role.MASH_LEAD)
    other = login(user, Client())
    login(user)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert (
        weak.status_code == 200 and b"govuk-error-summary" in weak.content
    )  # validators: too short, too common
    new = "a-much-longer-passphrase-2026"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert _staff_page_status(client) == 200
    assert other.get("/accounts/recovery-codes/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/refer/")  # the public start page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert b"<script>" not in response.content and b" style=" not in response.content


def test_production_settings_turn_on_secure_cookies_and_hsts(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("SERVICE_BASE_URL", "https://mash.example.gov.uk")
    production = importlib.import_module("mash.settings.production")
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_HSTS_SECONDS >= 31536000 and production.SECURE_SSL_REDIRECT
    assert production.DEBUG is False


def test_production_refuses_to_start_without_the_address_letters_give(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("SERVICE_BASE_URL", raising=False)
    monkeypatch.delitem(sys.modules, "mash.settings.production", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SERVICE_BASE_URL"):
        importlib.import_module("mash.settings.production")
    monkeypatch.delitem(sys.modules, "mash.settings.production", raising=False)


@override_settings(AXES_IPWARE_PROXY_COUNT=1)
def test_client_address_takes_the_entry_the_trusted_proxy_wrote(rf):
    from django_ratelimit.core import _get_ip

    from mash.ip import client_ip

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {REAL_CLIENT}")
    assert client_ip(request) == REAL_CLIENT
    assert _get_ip(request) == REAL_CLIENT  # the public form's rate limit counts the same address
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY)) == PROXY  # no header: the request bypassed the proxy
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")) == PROXY


def test_log_lines_lose_query_strings_and_personal_fields():
    import logging

    from security.logging import ScrubPersonalData

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /audit/?username=bob HTTP/1.1", 200),
        None,
    )
    assert ScrubPersonalData().filter(record)
    assert record.getMessage() == '"GET /audit/?[scrubbed] HTTP/1.1" 200'
    record = logging.LogRecord(
        "referrals",
        logging.WARNING,
        __file__,
        1,
        "match failed first_name=%s nhs_number=%s",
        ("Amy", "9434765919"),
        None,
    )
    ScrubPersonalData().filter(record)
    assert "Amy" not in record.getMessage() and "9434765919" not in record.getMessage()


@pytest.mark.django_db
def test_api_docs_run_under_the_csp_without_inline_script(client):
    import base64
    import hashlib
    import re

    from security.api_docs import SWAGGER_STYLE_HASH

    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert not re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>", page.content)  # every script is a file
    styles = re.findall(rb"<style>(.*?)</style>", page.content, re.S)
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in styles}
    assert hashes == {SWAGGER_STYLE_HASH} and SWAGGER_STYLE_HASH in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert client.get("/api/docs/", {"script": ""})["Content-Type"].startswith("application/javascript")
