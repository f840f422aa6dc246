"""Second factor: enrolment, verification, recovery codes, and the rule that every staff URL
refuses a user without a verified second factor (generated from the URL resolver)."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.models import AuditEvent
from mash.roles import Role
from security.middleware import is_exempt
from tests.support.routes import all_paths

PASSWORD = "correct-horse-battery-staple"
STAFF_PATHS = [p for p in all_paths() if not is_exempt(p)]


def test_the_url_list_covers_staff_pages_admin_and_api():
    assert "/audit/" in STAFF_PATHS and "/admin/" in STAFF_PATHS
    assert any(p.startswith("/admin/mash/user/") for p in STAFF_PATHS)
    # Public and sign-in pages are exempt, and nothing else is.
    assert not any(
        p.startswith(("/refer/who/", "/accounts/login/", "/api/v1/referrals/")) for p in STAFF_PATHS
    )
    # Staff pages inside the public form's prefix are not exempt.
    assert {"/refer/record/", "/refer/consultation/"} <= set(STAFF_PATHS)


@pytest.mark.django_db
@pytest.mark.parametrize("path", STAFF_PATHS)
def test_every_staff_url_refuses_a_user_without_a_verified_second_factor(client, login, make_user, path):
    user = make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    login(user, verified=False)
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith("/api/"):
            assert response.status_code == 403, (path, response.status_code)
            assert response.json()["code"] == "second_factor_required"
        else:
            assert response.status_code == 302, (path, response.status_code)
            assert response["Location"].startswith("/accounts/two-factor/"), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in STAFF_PATHS if not p.startswith("/api/")])
def test_every_staff_page_sends_an_anonymous_visitor_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_unverified_session_counts_as_anonymous_on_the_token_api(client, login, make_user):
    login(make_user(Role.SCREENING_OFFICER), verified=False)
    response = client.get("/api/v1/referrals/")
    # Whatever the intake API does with an anonymous caller, it never sees the session's user.
    assert response.status_code in (401, 403, 404, 405)


@pytest.mark.django_db
def test_verified_administrator_reaches_the_admin(client, login, make_user):
    login(make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


def _password_sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "/audit/"}
    )
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_then_recovery_codes_once_and_verifies_the_session(client, make_user):
    user = make_user(Role.ADMINISTRATOR)
    response = _password_sign_in(client, user)
    assert response["Location"].startswith("/accounts/two-factor/")
    setup = client.get(client.get(response["Location"])["Location"])
    assert setup.status_code == 200 and b"<svg" in setup.content and b"<script>" not in setup.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post("/accounts/two-factor/set-up/", {"token": "000000", "next": "/audit/"})
    assert wrong.status_code == 200 and b"govuk-error-summary" in wrong.content
    assert client.get("/audit/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles after a failure; step past it for the test

    done = client.post("/accounts/two-factor/set-up/", {"token": totp(device.bin_key), "next": "/audit/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(codes)
    assert client.get("/audit/").status_code == 200
    # Shown once: the enrolment page now sends an enrolled user to the verify step instead.
    assert client.get("/accounts/two-factor/set-up/").status_code == 302
    assert AuditEvent.objects.filter(actor=user, action="auth.second_factor_enrolled").exists()


@pytest.mark.django_db
def test_recovery_code_verifies_once(client, make_user):
    from security import two_factor

    user = make_user(Role.ADMINISTRATOR)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    code = two_factor.recovery_codes_issue(user, by=user)[0]
    _password_sign_in(client, user)
    assert client.post("/accounts/two-factor/", {"token": code, "next": "/audit/"})["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    client.post("/accounts/logout/")
    _password_sign_in(client, user)
    again = client.post("/accounts/two-factor/", {"token": code, "next": "/audit/"})
    assert again.status_code == 200 and b"The security code is wrong" in again.content
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.django_db
def test_totp_code_verifies_and_a_wrong_one_is_audited(client, make_user):
    user = make_user(Role.MASH_LEAD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _password_sign_in(client, user)
    client.post("/accounts/two-factor/", {"token": "123456"})
    assert AuditEvent.objects.filter(actor=user, action="auth.second_factor_failed").count() == 1
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles after a failure; step past it for the test
    response = client.post("/accounts/two-factor/", {"token": totp(device.bin_key), "next": "/break-glass/"})
    assert response["Location"] == "/break-glass/"
    assert client.get("/break-glass/").status_code == 200


@pytest.mark.django_db
def test_next_cannot_send_a_user_off_site(client, make_user):
    user = make_user(Role.MASH_LEAD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _password_sign_in(client, user)
    response = client.post(
        "/accounts/two-factor/", {"token": totp(device.bin_key), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/triage/"  # not off site: to the lead's own work instead


@pytest.mark.django_db
def test_recovery_codes_can_be_replaced_by_a_verified_user(client, login, make_user):
    user = make_user(Role.MASH_LEAD)
    login(user)
    assert client.get("/accounts/recovery-codes/").status_code == 200
    response = client.post("/accounts/recovery-codes/")
    assert len(response.context["codes"]) == 10


@pytest.mark.django_db
def test_demo_users_sign_in_with_the_documented_authenticator_secret(client, settings):
    from io import StringIO

    from django.core.management import call_command

    from web.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_BASE32

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent: still one device each
    assert TOTPDevice.objects.filter(user__username="lead").count() == 1
    code = StringIO()
    call_command("demo_code", stdout=code)
    assert DEMO_TOTP_BASE32 in open("README.md").read()
    client.post("/accounts/login/", {"username": "lead", "password": DEMO_PASSWORD})
    response = client.post("/accounts/two-factor/", {"token": code.getvalue().strip(), "next": "/triage/"})
    assert response["Location"] == "/triage/"
