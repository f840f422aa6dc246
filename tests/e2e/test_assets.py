"""GOV.UK Frontend's assets, as the pages ask for them: every stylesheet a page links, every url(...)
inside it, served from /static/ (never redirected to sign-in, never a 404), and no GDS Transport font,
which is licensed for GOV.UK services only."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from playwright.sync_api import expect

from tests.e2e.browser import CHROMIUM, VIEWPORT, chromium, chromium_available
from tests.support.environment import require

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def linked_stylesheets(client) -> list[str]:
    page = client.get("/refer/")
    assert page.status_code == 200
    sheets = STYLESHEET.findall(page.content.decode())
    assert sheets, "the page links no stylesheet"
    return sheets


def static_file(url: str) -> str:
    path = urlparse(url).path
    assert path.startswith(settings.STATIC_URL), f"{url} is not under {settings.STATIC_URL}"
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    assert found, f"no static file for {url}"
    return found


def urls_in(sheet_url: str) -> list[str]:
    with open(static_file(sheet_url), encoding="utf-8") as css:
        text = css.read()
    assert "@font-face" not in text and "GDS Transport" not in text, f"{sheet_url} asks for GDS Transport"
    return [urljoin(sheet_url, url) for url in CSS_URL.findall(text) if not url.startswith("data:")]


def test_every_url_the_stylesheets_ask_for_is_a_static_file(client, db):
    asked = [url for sheet in linked_stylesheets(client) for url in urls_in(sheet)]

    assert asked, "GOV.UK Frontend's CSS asks for its images; none found: is it the built one?"
    for url in asked:
        static_file(url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_gets_every_asset_a_page_asks_for_without_a_redirect(live_server, client):
    require(chromium_available(), f"needs Debian's chromium at {CHROMIUM}")
    every_css_url = {url for sheet in linked_stylesheets(client) for url in urls_in(sheet)}
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, base_url=live_server.url)
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto("/accounts/login/")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        for url in sorted(every_css_url):
            # Fetched as the page would (same origin, no cookies needed): nothing behind sign-in.
            reply = page.request.get(url, max_redirects=0)
            assert reply.status == 200, f"{url}: {reply.status}"
            assert "text/html" not in reply.headers.get("content-type", ""), f"{url} answered a page"
        page.close()

    assets = [r for r in responses if r.request.resource_type != "document"]
    assert any(r.url.endswith("govuk-frontend.css") for r in assets)
    failing = [(r.url, r.status) for r in assets if r.status != 200]
    assert not failing, failing
