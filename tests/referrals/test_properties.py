"""Property tests: arbitrary input in every field of the form and of the API never causes a server
error and never saves part of a referral (either one whole referral is saved, or nothing is)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.authentication import api_token_create
from referrals.fields import PARTS, DatePartsField
from referrals.forms import AdultForm, ChildForm
from referrals.intake import form_class_for
from referrals.models import Referral, ReferralAdult, ReferralChild
from tests.factories import AgencyFactory
from tests.support import answers
from tests.support.answers import api_body
from tests.support.journey import REFER

# Modest numbers of examples keep the suite fast; raise them locally when changing the rules.
FORM_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(min_size=140, max_size=600),
    st.sampled_from(
        ["", " ", "\x00", "0", "-1", "31", "2026-13-45", "<script>alert(1)</script>", "x" * 5001]
    ),
)

# The pages of the online form, in order, with the answers that pass them.
PAGES = [
    ("who/", "route", lambda: {"referrer_type": "professional"}),
    ("about-you/", "referrer", answers.professional_answers),
    ("children/add/", None, answers.child_answers),
    ("children/", None, lambda: {"add_another": "no"}),
    ("adults/add/", None, answers.adult_answers),
    ("adults/", None, lambda: {"add_another": "no"}),
    ("concern/", "concern", answers.concern_answers),
    ("what-has-been-tried/", "support", answers.support_answers),
    ("views/", "voices", answers.voices_answers),
    ("consent/", "consent", answers.consent_answers),
]


def _input_names(form_class) -> list[str]:
    names = []
    for name, field in form_class().fields.items():
        names.extend([f"{name}_{part}" for part in PARTS] if isinstance(field, DatePartsField) else [name])
    return names


def _fields_of_page(page: str, topic: str | None) -> list[str]:
    if topic:
        return _input_names(form_class_for(topic, "professional"))
    return {"children/add/": _input_names(ChildForm), "adults/add/": _input_names(AdultForm)}.get(
        page, ["add_another"]
    )


FORM_INPUTS = [(page, name) for page, topic, _ in PAGES for name in _fields_of_page(page, topic)]


def _counts() -> tuple[int, int, int]:
    return Referral.objects.count(), ReferralChild.objects.count(), ReferralAdult.objects.count()


def _assert_whole_or_nothing(before, after, children: int = 1, adults: int = 1) -> None:
    added = tuple(b - a for a, b in zip(before, after, strict=True))
    assert added in {(0, 0, 0), (1, children, adults)}, added


@pytest.mark.parametrize("page", [page for page, _topic, _answers in PAGES])
@FORM_SETTINGS
@given(data=st.data())
def test_online_form_never_errors_and_saves_whole_or_nothing(db, page, data):
    cache.clear()
    client = Client()
    name = data.draw(st.sampled_from([n for p, n in FORM_INPUTS if p == page]), label="field")
    value = data.draw(TEXT, label="value")
    before = _counts()
    assert client.post(REFER).status_code == 302
    for path, _topic, valid in PAGES:
        posted = valid()
        if path == page:
            posted[name] = value
        response = client.post(f"{REFER}{path}", posted)
        assert response.status_code in (200, 302)
    check = client.get(f"{REFER}check/")
    assert check.status_code in (200, 302)
    expected = (0, 0, 0)
    if check.status_code == 200:
        wizard = check.context["wizard"]
        expected = (1, len(wizard.people("children")), len(wizard.people("adults")))
        submitted = client.post(f"{REFER}check/", {"idempotency_key": wizard.key})
        assert submitted.status_code == 302
    added = tuple(b - a for a, b in zip(before, _counts(), strict=True))
    assert added in {(0, 0, 0), expected}, added


API_FIELDS = (
    list(api_body())
    + [f"children.{n}" for n in api_body()["children"][0]]
    + [f"adults.{n}" for n in api_body()["adults"][0]]
)
JSON_VALUES = st.one_of(
    TEXT,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)


@pytest.fixture
def api_key(db):
    _token, key = api_token_create(AgencyFactory(slug="prop-police"), name="property test", by="test")
    return key


@PROPERTY_SETTINGS
@given(field=st.sampled_from(API_FIELDS), value=JSON_VALUES, key=st.text(max_size=70))
def test_api_never_errors_and_saves_whole_or_nothing(api_key, field, value, key):
    body = api_body()
    if "." in field:
        kind, name = field.split(".")
        body[kind][0][name] = value
    else:
        body[field] = value
    before = _counts()
    response = Client().post(
        "/api/v1/referrals/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_key}",
        HTTP_IDEMPOTENCY_KEY=key.encode("utf-8", "ignore").decode("latin-1"),
    )
    assert response.status_code in (200, 201, 400, 409), response.content
    _assert_whole_or_nothing(before, _counts())
    if response.status_code == 201:
        assert Referral.objects.get(reference=response.json()["reference"]).children.count() == 1


CONSULTATION = {
    "caller_name": "Sam",
    "caller_organisation": "Hilltop Primary",
    "source": "2A",
    "summary": "Asked whether a bruise needs a referral.",
    "advice_given": "Talk to the school's safeguarding lead.",
}


@pytest.fixture
def officer_client(make_user, login):
    from mash.roles import Role

    return login(make_user(Role.SCREENING_OFFICER), Client())


@PROPERTY_SETTINGS
@given(field=st.sampled_from([*CONSULTATION, "channel"]), value=TEXT)
def test_staff_pages_never_error(officer_client, field, value):
    from referrals.models import Consultation

    before = Consultation.objects.count()
    if field == "channel":
        response = officer_client.post(f"{REFER}record/", {"channel": value})
        assert response.status_code in (200, 302)
        return
    response = officer_client.post(f"{REFER}consultation/", {**CONSULTATION, field: value})
    assert response.status_code == 200
    assert Consultation.objects.count() - before in (0, 1)
