"""Every per-referral route parses its reference strictly: an odd identifier is a 404 for every caller,
pages and API, never a server error (superscript digits, NUL bytes, other scripts' numerals)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from mash.roles import Role
from tests.support.security import make_referral

ODD = ["%C2%B2", "MASH-2026%00", "%D9%A3", "MASH-2026-000001%E2%80%AE", "%00", "a" * 41]


def _reference_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route whose pattern takes a reference, with the other parts filled in with valid values."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes.extend(_reference_routes(entry.url_patterns, text))
        elif isinstance(entry, URLPattern) and "<ref:reference>" in text:
            routes.append(
                text.replace("<uuid:public_id>", "00000000-0000-0000-0000-000000000000")
                .replace("<str:kind>", "child")
                .replace("<int:subject_id>", "1")
                .replace("<int:person_id>", "1")
                .lstrip("^")
            )
    return routes


ROUTES = _reference_routes()


def test_the_routes_were_found():
    # Pages and API alike, across triage, the MASH stage, casework and the person index.
    assert len(ROUTES) >= 20
    assert any(r.startswith("api/") for r in ROUTES) and any(r.startswith("people/") for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES)
def test_an_odd_reference_is_a_404_for_a_lead(client, make_user, login, route):
    make_referral()
    login(make_user(Role.MASH_LEAD))
    for odd in ODD:
        url = "/" + route.replace("<ref:reference>", odd)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_a_superscript_digit_never_reaches_the_id_lookup(db, make_user):
    from mash.exceptions import NotFound
    from triage.selectors import access_referral

    with pytest.raises(NotFound):
        access_referral(make_user(Role.MASH_LEAD), "²")
