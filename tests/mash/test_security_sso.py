"""Single sign-on against a real OpenID provider: tests/sso_provider (django-oauth-toolkit) runs as
its own process on loopback, the service as pytest-django's live server, and each test's browser is
a requests session that follows their redirects, types into the provider's sign-in form and posts
the service's forms. Nothing is mocked: the service fetches tokens and keys from the provider."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.models import AuditEvent, User
from mash.roles import Role

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def _start(browser, live_server):
    """Press "Sign in with your council account" on the service's sign-in page."""
    page = browser.get(f"{live_server.url}/accounts/login/", timeout=30)
    button = re.search(r'href="(/accounts/sso/start/[^"]*)"[^>]*>\s*Sign in with your council', page.text)
    assert button, page.text
    return browser.get(live_server.url + button.group(1).replace("&amp;", "&"), timeout=30)


def sign_in(browser, live_server, sso, username):
    return sso.sign_in(browser, _start(browser, live_server), username)


def _path(response) -> str:
    return urlsplit(response.url).path


def _signed_in_as_staff(browser, live_server) -> bool:
    page = browser.get(f"{live_server.url}/triage/", timeout=30, allow_redirects=False)
    return page.status_code == 200


def test_first_sign_in_matches_by_email_and_stores_the_subject(browser, live_server, sso, make_user):
    ada = make_user(Role.SCREENING_OFFICER, username="ada.o", email="Ada@Council.example")
    landed = sign_in(browser, live_server, sso, "ada")
    assert landed.status_code == 200
    assert landed.url.startswith(live_server.url) and _path(landed) == "/triage/"
    assert "Sign out" in landed.text
    ada.refresh_from_db()
    assert ada.oidc_subject  # the provider's subject, for next time
    actions = set(AuditEvent.objects.filter(actor=ada).values_list("action", flat=True))
    assert {"auth.sso_subject_linked", "auth.sso_accepted", "auth.second_factor_verified"} <= actions


def test_a_known_subject_is_found_even_after_the_email_changed(browser, live_server, sso, make_user):
    ada = make_user(Role.SCREENING_OFFICER, username="ada.o", email="ada@council.example")
    sign_in(browser, live_server, sso, "ada")
    subject = User.objects.get(pk=ada.pk).oidc_subject
    User.objects.filter(pk=ada.pk).update(email="ada.okafor@elsewhere.example")
    other = requests.Session()
    landed = sign_in(other, live_server, sso, "ada")
    assert _path(landed) == "/triage/"
    assert User.objects.get(pk=ada.pk).oidc_subject == subject


def test_a_person_without_a_role_is_refused_and_told_who_to_ask(
    browser, live_server, sso, make_user, settings
):
    settings.SSO_ACCESS_CONTACT = "the MASH business support team (mash-support@council.example)"
    cat = make_user(username="cat", email="cat@council.example")
    refused = sign_in(browser, live_server, sso, "cat")
    assert refused.status_code == 403
    assert "You do not have access to this service yet" in refused.text
    assert "mash-support@council.example" in refused.text
    assert not _signed_in_as_staff(browser, live_server)
    assert list(cat.groups.all()) == []
    assert AuditEvent.objects.filter(actor=cat, action="auth.sso_no_role").exists()


def test_a_person_the_service_does_not_know_is_refused(browser, live_server, sso):
    refused = sign_in(browser, live_server, sso, "eve")
    assert refused.status_code == 403
    assert "There is no account for your council sign-in" in refused.text
    assert not User.objects.filter(email="eve@council.example").exists()


def test_a_disabled_account_is_refused(browser, live_server, sso, make_user):
    make_user(Role.SOCIAL_WORKER, username="dan", email="dan@council.example", is_active=False)
    refused = sign_in(browser, live_server, sso, "dan")
    assert refused.status_code == 403
    assert "Your account for this service has been switched off" in refused.text
    assert not _signed_in_as_staff(browser, live_server)


def test_the_providers_second_factor_lets_a_person_straight_in(browser, live_server, sso, make_user):
    make_user(Role.SCREENING_OFFICER, username="ada", email="ada@council.example")
    landed = sign_in(browser, live_server, sso, "ada")  # amr says mfa
    assert _path(landed) == "/triage/"
    assert "security code" not in landed.text.lower()


def test_without_the_providers_second_factor_the_service_asks_for_its_own(
    browser, live_server, sso, make_user
):
    ben = make_user(Role.SCREENING_OFFICER, username="ben", email="ben@council.example")
    device = TOTPDevice.objects.create(user=ben, name="Authenticator app", confirmed=True)
    asked = sign_in(browser, live_server, sso, "ben")  # amr is only pwd
    assert _path(asked) == "/accounts/two-factor/"
    assert not _signed_in_as_staff(browser, live_server)
    token = CSRF.search(asked.text).group(1)
    done = browser.post(
        asked.url, data={"csrfmiddlewaretoken": token, "token": totp(device.bin_key)}, timeout=30
    )
    assert _path(done) == "/triage/"


def test_without_a_device_the_service_asks_to_set_one_up(browser, live_server, sso, make_user):
    make_user(Role.SCREENING_OFFICER, username="ben", email="ben@council.example")
    asked = sign_in(browser, live_server, sso, "ben")
    assert _path(asked) == "/accounts/two-factor/set-up/"


def test_a_forged_state_is_refused(browser, live_server, sso, make_user):
    make_user(Role.SCREENING_OFFICER, username="ada", email="ada@council.example")
    page = _start(browser, live_server)
    answer = sso.sign_in(browser, page, "ada", allow_redirects=False)
    while not answer.headers["Location"].startswith(f"{live_server.url}/accounts/sso/callback/"):
        answer = browser.get(requests.compat.urljoin(answer.url, answer.headers["Location"]),
                             allow_redirects=False, timeout=30)  # fmt: skip
    callback = urlsplit(answer.headers["Location"])
    query = parse_qs(callback.query)
    forged = urlunsplit(callback._replace(query=urlencode({"code": query["code"][0], "state": "forged"})))
    refused = browser.get(forged, timeout=30)
    assert refused.status_code == 403
    assert "The sign-in could not be checked" in refused.text
    assert not _signed_in_as_staff(browser, live_server)
    assert AuditEvent.objects.filter(action="auth.sso_refused", details__reason="state").exists()


def test_sign_out_ends_the_providers_session_too(browser, live_server, sso, make_user):
    make_user(Role.SCREENING_OFFICER, username="ada", email="ada@council.example")
    landed = sign_in(browser, live_server, sso, "ada")
    token = CSRF.search(landed.text).group(1)
    out = browser.post(f"{live_server.url}/accounts/logout/", data={"csrfmiddlewaretoken": token}, timeout=30)
    assert any(step.url.startswith(f"{sso.url}/o/logout/") for step in out.history)
    assert out.url.startswith(f"{live_server.url}/accounts/login/")
    assert not _signed_in_as_staff(browser, live_server)
    again = _start(browser, live_server)  # the provider asks for the password again
    assert again.url.startswith(f"{sso.url}/accounts/login/")


def test_local_passwords_switched_off(client, settings, make_user):
    settings.LOCAL_PASSWORDS = False
    settings.OIDC_RP_CLIENT_ID = "mash"
    make_user(Role.SCREENING_OFFICER, username="sol", password="correct-horse-battery-staple")
    page = client.get("/accounts/login/")
    assert b"Sign in with your council account" in page.content
    assert b'name="password"' not in page.content
    refused = client.post("/accounts/login/", {"username": "sol", "password": "correct-horse-battery-staple"})
    assert refused.status_code == 403
    assert b"does not use passwords" in refused.content
    assert "_auth_user_id" not in client.session
    # The backend refuses the password too, whatever view asks it.
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="sol", password="correct-horse-battery-staple") is None
    settings.LOCAL_PASSWORDS = True
    assert authenticate(request, username="sol", password="correct-horse-battery-staple") is not None


def test_without_sso_the_sign_in_page_has_no_button_and_its_urls_are_not_found(client):
    page = client.get("/accounts/login/")
    assert b"council account" not in page.content
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_roles_follow_the_providers_groups_when_mapped(browser, live_server, sso, settings, make_user):
    settings.OIDC_CREATE_USER = True
    settings.OIDC_GROUP_ROLES = {"MASH-Screening": "screening_officer", "MASH-Leads": "mash_lead"}
    landed = sign_in(browser, live_server, sso, "eve")  # unknown here; in MASH-Screening there
    assert _path(landed) == "/triage/"
    eve = User.objects.get(email="eve@council.example")
    assert eve.oidc_subject and not eve.has_usable_password()
    assert set(eve.groups.values_list("name", flat=True)) == {"screening_officer"}
    # A role the groups no longer give is taken away at the next sign-in.
    eve.groups.add(Group.objects.get(name="mash_lead"))
    sign_in(requests.Session(), live_server, sso, "eve")
    assert set(eve.groups.values_list("name", flat=True)) == {"screening_officer"}
    assert AuditEvent.objects.filter(object_id=str(eve.pk), action="auth.roles_from_provider").count() == 2


def test_a_new_person_whose_groups_map_to_no_role_gets_the_no_role_page(browser, live_server, sso, settings):
    settings.OIDC_CREATE_USER = True
    settings.OIDC_GROUP_ROLES = {"MASH-Screening": "screening_officer"}
    refused = sign_in(browser, live_server, sso, "ben")
    assert refused.status_code == 403
    assert "You do not have access to this service yet" in refused.text
    assert not User.objects.get(email="ben@council.example").groups.exists()
