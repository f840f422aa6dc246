"""The partner portal and API: an agency sees only its own requests and the minimum of the referral."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mash.models import AuditEvent
from tests.factories import AgencyFactory, InformationRequestFactory, referral_with_people
from triage.multiagency.models import InformationRequest

pytestmark = pytest.mark.django_db


def detail_url(request, api=False):
    name = "partners-api:request_detail" if api else "partners:request_detail"
    return reverse(name, kwargs={"public_id": request.public_id})


def test_the_list_shows_only_the_agencys_requests_and_is_audited(world, login):
    client = login(world.users["health"])
    response = client.get(reverse("partners:request_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quillon Marchbank" in body  # the child in health's request
    assert "Barnabas" not in body  # a referral only police were asked about
    assert "Policeanswer" not in body and world.referrals["gather"].reference not in body
    event = AuditEvent.objects.get(action="partner_portal.list", actor=world.users["health"])
    assert event.details["requests"] == [str(world.requests["health"].public_id)]


def test_the_detail_shows_the_people_and_question_but_not_the_referral(world, login):
    client = login(world.users["health"])
    body = client.get(detail_url(world.requests["health"])).content.decode()
    referral = world.referrals["gather"]
    assert "Healthquestion Zephyrine" in body
    assert "Ysolde Marchbank" in body and "Child Street" in body
    assert referral.concerns not in body and referral.reference not in body
    assert "Policeanswer" not in body
    assert AuditEvent.objects.filter(
        action="partner_portal.request", object_id=str(world.requests["health"].pk)
    ).exists()


@pytest.mark.parametrize("who", ["police", "education", "lead", "manager_a"])
def test_another_agencys_request_is_a_404_for_everyone_else(world, login, who):
    client = login(world.users[who])
    assert client.get(detail_url(world.requests["health"])).status_code == 404
    assert client.get(detail_url(world.requests["health"], api=True)).status_code == 404
    assert (
        client.get(reverse("partners:request_detail", kwargs={"public_id": uuid.uuid4()})).status_code == 404
    )


def date_boxes(day, name="date_checked") -> dict:
    """A date as a person types it into the GOV.UK date input's day, month and year boxes."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_a_partner_answers_through_the_form(world, login):
    client = login(world.users["health"])
    request = world.requests["health"]
    response = client.post(
        detail_url(request),
        {
            "known": "known",
            "summary": "Registered with Dr Ames; two missed immunisations",
            "risk_indicators": ["non_attendance"],
            **date_boxes(timezone.localdate()),
            "free_text": "",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.ANSWERED
    assert request.risk_indicators == ["non_attendance"]
    assert request.date_checked == timezone.localdate()


def open_police_request(world) -> InformationRequest:
    police = world.requests["police"]
    return InformationRequestFactory(
        referral=police.referral, agency=police.agency, requested_by=police.requested_by
    )


def test_the_answer_form_is_the_govuk_one(world, login):
    """Each risk indicator is a GOV.UK checkbox (the input carries the class, not its wrapper) and
    the date is three labelled boxes."""
    page = login(world.users["police"]).get(detail_url(open_police_request(world))).content.decode()
    assert page.count('<div class="govuk-checkboxes__item">') == len(InformationRequest.RiskIndicator.choices)
    assert 'class="govuk-checkboxes__input"' in page and 'type="checkbox"' in page
    assert (
        '<div class="govuk-checkboxes__input"' not in page and '<div class="govuk-radios__input"' not in page
    )
    assert 'class="govuk-date-input"' in page
    for box in ("Day", "Month", "Year"):
        assert f">{box}</label>" in page
    assert "---------" not in page


def test_a_refused_answer_keeps_what_was_ticked(world, login):
    client = login(world.users["police"])
    response = client.post(
        detail_url(open_police_request(world)), {"risk_indicators": ["violence"], "summary": "Known to us"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    ticked = page.split('value="violence"')[1].split(">")[0]
    assert "checked" in ticked
    assert "Choose whether the people are known to your agency" in page
    assert "Enter the date your records were checked" in page


@pytest.mark.parametrize(
    ("boxes", "message", "outlined"),
    [
        ({}, "Enter the date your records were checked", 3),
        ({"date_checked_0": "3", "date_checked_2": "2026"}, "Date checked must include a month", 1),
        ({"date_checked_0": "3"}, "Date checked must include a month and year", 2),
        ({"date_checked_0": "31", "date_checked_1": "2", "date_checked_2": "2026"}, "must be a real date", 3),
        ({"date_checked_0": "3", "date_checked_1": "x", "date_checked_2": "2026"}, "must be a real date", 3),
        ({"date_checked_0": "3", "date_checked_1": "11", "date_checked_2": "26"}, "must be a real date", 3),
        ({"date_checked": "23/11/2026"}, "Date checked must be a real date", 3),
    ],
)
def test_a_bad_date_checked_is_named_and_changes_nothing(world, login, boxes, message, outlined):
    client = login(world.users["health"])
    request = world.requests["health"]
    response = client.post(detail_url(request), {"known": "not_known", **boxes})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count(message) == 2
    # The summary links to the day box; the boxes the message is about are outlined in red.
    assert 'href="#id_date_checked_0"' in page
    assert page.count("govuk-input--error") == outlined
    assert "This field is required" not in page
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.REQUESTED


def test_a_date_checked_in_the_future_is_refused(world, login):
    client = login(world.users["health"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        detail_url(world.requests["health"]), {"known": "not_known", **date_boxes(tomorrow)}
    )
    assert response.status_code == 400
    assert "Date checked must be today or in the past" in response.content.decode()


def test_a_bad_answer_shows_errors_and_changes_nothing(world, login):
    client = login(world.users["health"])
    request = world.requests["health"]
    response = client.post(
        detail_url(request), {"known": "known", "summary": "", **date_boxes(timezone.localdate())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("There is a problem") == 1
    assert 'href="#id_summary"' in page
    # Once in the summary, once beside the box.
    assert page.count("Enter a summary of what your agency knows") == 2
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.REQUESTED


def test_a_refused_decline_opens_its_section_with_the_pages_one_summary(world, login):
    client = login(world.users["health"])
    url = reverse("partners:request_decline", kwargs={"public_id": world.requests["health"].public_id})
    page = client.post(url, {"reason": ""}).content.decode()
    assert page.count("There is a problem") == 1
    assert 'href="#id_reason"' in page and page.count("Enter why your agency is declining") == 2
    assert '<details class="govuk-details" open>' in page


def test_a_partner_declines_with_a_reason(world, login):
    client = login(world.users["health"])
    request = world.requests["health"]
    url = reverse("partners:request_decline", kwargs={"public_id": request.public_id})
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "The family are not registered with us"}).status_code == 302
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.DECLINED
    # Police cannot decline health's request: it does not exist for them.
    assert login(world.users["police"]).post(url, {"reason": "x"}).status_code == 404


def test_the_api_uses_the_same_selector(world, login):
    client = login(world.users["police"])
    rows = client.get(reverse("partners-api:request_list")).json()
    assert {row["id"] for row in rows} == {
        str(world.requests["police"].public_id),
        str(world.requests["police_b"].public_id),
    }
    assert all(set(row) >= {"children", "adults", "question"} for row in rows)
    assert "reference" not in rows[0] and "concerns" not in rows[0]
    answer = reverse("partners-api:request_answer", kwargs={"public_id": world.requests["health"].public_id})
    assert (
        client.post(
            answer, {"known": "not_known", "date_checked": "2026-01-01"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_api_answer_validates_and_answers(world, login):
    client = login(world.users["health"])
    url = reverse("partners-api:request_answer", kwargs={"public_id": world.requests["health"].public_id})
    bad = client.post(
        url, {"known": "perhaps", "date_checked": "2026-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 400
    ok = client.post(
        url, {"known": "not_known", "date_checked": "2026-01-01"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "answered"


def test_non_partners_get_a_404_from_the_portal_and_api(world, login):
    client = login(world.users["lead"])
    assert client.get(reverse("partners:request_list")).status_code == 404
    assert client.get(reverse("partners-api:request_list")).status_code == 404


def _more_requests(world, count):
    agency = world.agencies["police"]
    for _ in range(count):
        referral = referral_with_people(decided=True, children=2)
        InformationRequestFactory(referral=referral, agency=agency, requested_by=world.users["lead"])
    # Noise addressed elsewhere, which must cost nothing.
    other = AgencyFactory(slug="probation")
    for _ in range(count):
        InformationRequestFactory(
            referral=referral_with_people(decided=True), agency=other, requested_by=world.users["lead"]
        )


@pytest.mark.parametrize("url_name", ["partners:request_list", "partners-api:request_list"])
def test_the_portal_list_keeps_a_constant_query_count(world, login, django_assert_num_queries, url_name):
    client = login(world.users["police"])
    client.get(reverse(url_name))  # warm the session and the user's role cache paths
    _more_requests(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(small.captured_queries) <= 15
    _more_requests(world, 25)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_the_api_answers_an_unknown_or_malformed_id_with_a_404(world, login):
    client = login(world.users["police"])
    assert client.get("/api/v1/partners/requests/not-a-uuid/").status_code == 404
    response = client.get(reverse("partners-api:request_detail", kwargs={"public_id": uuid.uuid4()}))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
