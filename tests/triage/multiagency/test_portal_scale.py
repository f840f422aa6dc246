"""At scale (PostgreSQL): the partner list stays a few indexed queries however many requests exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mash.codes import LawfulBasis, ReferralSource
from referrals.models import Referral, ReferralChild
from tests.factories import AgencyFactory
from triage.multiagency.models import InformationRequest
from triage.multiagency.request_selectors import partner_request_list

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = 10_000


def _bulk(world, count: int) -> None:
    """``count`` referrals, each with a child and a request to another agency; 20 of them also to police."""
    now = timezone.now()
    referrals = Referral.objects.bulk_create(
        Referral(
            reference=f"SC{n:08d}",
            referrer_type="professional",
            source=ReferralSource.SCHOOLS,
            concerns="c",
            consent="given",
            status="information_gathering",
            rag="amber",
            received_at=now,
        )
        for n in range(count)
    )
    ReferralChild.objects.bulk_create(
        ReferralChild(referral=r, first_name="Scale", last_name=f"C{r.pk}") for r in referrals
    )
    others = [AgencyFactory(slug=f"scale-{n}") for n in range(12)]
    common = dict(
        question="q",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        requested_by=world.users["lead"],
        requested_at=now,
    )
    InformationRequest.objects.bulk_create(
        InformationRequest(
            referral=r, agency=others[n % len(others)], due_at=now + dt.timedelta(hours=n % 48), **common
        )
        for n, r in enumerate(referrals)
    )
    InformationRequest.objects.bulk_create(
        InformationRequest(referral=r, agency=world.agencies["police"], due_at=now, **common)
        for r in referrals[:20]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_the_partner_list_at_ten_thousand_requests(world, login, django_assert_num_queries):
    client = login(world.users["police"])
    url = reverse("partners:request_list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    _bulk(world, ROWS)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["open_rows"]) + len(response.context["closed_rows"]) == 20 + 2
    # The relationship filter is answered from the (agency, status, due_at) index, not a scan.
    sql, params = partner_request_list(world.users["police"]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on agencies_informationrequest" not in plan, plan
