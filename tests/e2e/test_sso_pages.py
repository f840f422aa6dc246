"""Single sign-on in Debian's chromium, against the real provider on loopback: the sign-in page's
button, the provider's form, the service's pages after it (straight in, no role, refused), and
sign-out through the provider. Each page is checked by axe-core and photographed into
var/sso-shots/ for a person to look at."""

from __future__ import annotations

import copy

import pytest
from playwright.sync_api import expect

from mash.roles import Role
from tests.e2e.browser import CHROMIUM, Accessibility, chromium, chromium_available, fill_in
from tests.support.environment import require
from tests.support.oidc_provider import PASSWORD, ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "sso-shots"


@pytest.fixture
def page(live_server, sso, settings, monkeypatch):
    require(chromium_available(), f"needs Debian's chromium at {CHROMIUM}")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # As the settings derive it from OIDC_OP_LOGOUT_ENDPOINT: sign-out's form may end at the provider.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], sso.url]
    settings.CONTENT_SECURITY_POLICY = policy
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()


def _look(page, name: str, accessibility: Accessibility) -> None:
    accessibility.check(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _through_the_provider(page, live_server, username: str, accessibility: Accessibility) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    _look(page, "sign-in-with-sso", accessibility)
    page.get_by_role("button", name="Sign in with your council account").click()
    expect(page.get_by_role("heading", name="Council sign-in")).to_be_visible()
    fill_in(page, "Username", username)
    fill_in(page, "Password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_signed_in_through_the_provider_and_out_of_both(page, live_server, make_user):
    make_user(Role.SCREENING_OFFICER, username="ada", email="ada@council.example", first_name="Ada")
    accessibility = Accessibility()
    _through_the_provider(page, live_server, "ada", accessibility)
    expect(page.get_by_role("heading", name="Triage queue")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    expect(page.get_by_role("heading", name="Council sign-in")).to_be_visible()  # asked again
    accessibility.assert_clean()


def test_no_role_and_refused_pages(page, live_server, make_user):
    make_user(username="cat", email="cat@council.example")
    make_user(Role.SOCIAL_WORKER, username="dan", email="dan@council.example", is_active=False)
    accessibility = Accessibility()
    _through_the_provider(page, live_server, "cat", accessibility)
    expect(page.get_by_role("heading", name="You do not have access to this service yet")).to_be_visible()
    _look(page, "sso-no-role", accessibility)
    page.context.clear_cookies()
    _through_the_provider(page, live_server, "dan", accessibility)
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    expect(page.get_by_text("Your account for this service has been switched off")).to_be_visible()
    _look(page, "sso-refused-disabled", accessibility)
    page.goto(f"{live_server.url}/accounts/sso/callback/?code=made-up&state=forged")
    expect(page.get_by_text("The sign-in could not be checked")).to_be_visible()
    _look(page, "sso-refused-state", accessibility)
    accessibility.assert_clean()


def test_sign_in_page_without_local_passwords(page, live_server, settings):
    settings.LOCAL_PASSWORDS = False
    accessibility = Accessibility()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with your council account")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    _look(page, "sign-in-sso-only", accessibility)
    accessibility.assert_clean()
