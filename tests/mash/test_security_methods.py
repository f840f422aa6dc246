"""Every view declares the methods it serves and answers 405 to any other: pages, the API and the admin.

Generated from the URL resolver (tests/support/routes.py's walk, the permission matrix's too), so a
view added anywhere is covered.
No view of the service serves PUT, PATCH, DELETE or TRACE; a view that answered them as if they were
GET (or POST) would let a method slip past checks written for the methods the view expects.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import resolve, reverse

from mash.roles import Role
from security.middleware import API_PREFIX, is_exempt
from tests.support.routes import Route, all_routes

pytestmark = pytest.mark.django_db

UNSERVED = ("PUT", "PATCH", "DELETE", "TRACE")
# A plausible value for each path converter (mash/converters.py's "ref" for references) and for the
# admin's regex groups. No object need exist: the method is refused before anything is looked up.
CONVERTER_SAMPLES = {
    "ref": "MASH-2026-000123",
    "uuid": str(uuid.UUID(int=1)),
    "int": "1",
    "slug": "summary",
    "str": "child",
    "path": "1",
}
GROUP_SAMPLES = {"app_label": "mash", "url": "no-such-page/"}


def url_of(route: Route) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: GROUP_SAMPLES[m[1]], route.route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_SAMPLES[m[1] or "str"], path)
    return "/" + path.replace("^", "").replace("$", "")


def routes_with_urls() -> list[tuple[Route, str]]:
    """Each route with a URL that resolves to that very route (not to an earlier, wider one)."""
    pairs = [(route, url_of(route)) for route in all_routes()]
    misrouted = [
        f"{url} -> {resolve(url).route}"
        for route, url in pairs
        if resolve(url).route != route.route.replace("^", "")  # Django drops an included regex's "^"
    ]
    assert not misrouted, "Sample URLs reach another route; adjust the samples:\n" + "\n".join(misrouted)
    return pairs


def _label(route: Route) -> str:
    return route.name or f"(unnamed) /{route.route}"


def test_every_route_refuses_methods_it_does_not_serve_to_a_superuser(make_user, login):
    admin = make_user(Role.ADMINISTRATOR, username="root_ada", is_staff=True, is_superuser=True)
    client = login(admin, Client())
    problems = [
        f"{method} {url} ({_label(route)}): {status}"
        for route, url in routes_with_urls()
        for method in UNSERVED
        if (status := client.generic(method, url).status_code) != 405
    ]
    assert not problems, "Expected 405 Method Not Allowed:\n" + "\n".join(problems)


def reaches_the_view_anonymously(url: str) -> bool:
    """Staff pages send the anonymous to sign in before any view runs (security/middleware.py)."""
    return is_exempt(url) or url.startswith(API_PREFIX)


def test_every_route_refuses_methods_it_does_not_serve_to_the_public():
    client = Client()
    sign_in = reverse("login")
    problems = []
    for route, url in routes_with_urls():
        for method in UNSERVED:
            response = client.generic(method, url)
            sent_to_sign_in = response.status_code == 302 and response["Location"].startswith(sign_in)
            refused = response.status_code == 405 or (
                sent_to_sign_in and not reaches_the_view_anonymously(url)
            )
            if not refused:
                problems.append(f"{method} {url} ({_label(route)}): {response.status_code}")
    assert not problems, "Expected 405 (or sign-in for a staff page):\n" + "\n".join(problems)


def test_a_refusal_says_which_methods_the_view_serves(client):
    response = client.put("/healthz")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


def test_the_api_refuses_trace_in_its_own_error_shape_before_deciding_who_is_asking(client):
    response = client.generic("TRACE", reverse("partners-api:request_list"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_probes_still_answer_get_and_head(client):
    for url in ("/healthz", "/readyz"):
        assert client.get(url).status_code == 200
        assert client.head(url).status_code == 200
