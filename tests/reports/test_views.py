"""Report pages: who may see them, that they show aggregates only, audit every view and export,
refuse bad input with a clear message, and keep a fixed number of queries."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mash.models import AuditEvent

from .world import CHILD_NAMES

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}
STATUTORY = {**PERIOD, "la_code": "831"}


def boxes(name: str, day: int, month: int, year: int) -> dict:
    """A date as typed into the GOV.UK date input's day, month and year boxes."""
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def _no_child_names(content: bytes) -> None:
    text = content.decode()
    for name in CHILD_NAMES:
        assert name not in text
    for reference in ("MASH-R1", "MASH-R2"):
        assert reference not in text


@pytest.mark.parametrize("who", ["performance", "lead", "manager_a"])
def test_managers_and_performance_officers_see_the_dashboard(world, login, who):
    client = login(world.users[who])
    response = client.get(reverse("reports:dashboard"), PERIOD)
    assert response.status_code == 200
    assert b"<svg" in response.content and b"<polyline" in response.content
    assert b"<script" not in response.content.split(b"</main>")[0].split(b"<main")[1]
    assert b' style="' not in response.content
    _no_child_names(response.content)
    event = AuditEvent.objects.get(action="reports.dashboard")
    assert (event.kind, event.actor, event.details) == ("read", world.users[who], PERIOD)


@pytest.mark.parametrize("who", ["partner", "worker", "screening"])
def test_others_are_refused(world, login, who):
    client = login(world.users[who])
    for url in (reverse("reports:dashboard"), reverse("reports:figure_csv", args=["by_rag"])):
        assert client.get(url, PERIOD).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="reports.").exists()


def test_signed_out_users_go_to_sign_in(world, client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302


def test_team_manager_sees_only_their_teams_numbers(world, login):
    client = login(world.users["manager_a"])
    response = client.get(reverse("reports:figure_csv", args=["summary"]), PERIOD)
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[1] == ["Referrals received", "2", ""]
    # A team filter outside their teams is not offered, so it is refused as an invalid choice.
    response = client.get(reverse("reports:dashboard"), {**PERIOD, "team": world.teams["B"].pk})
    assert response.status_code == 400
    assert b"Choose a team from the list" in response.content


def test_csv_has_the_tables_numbers_and_is_audited_as_an_export(world, login):
    client = login(world.users["performance"])
    response = client.get(reverse("reports:figure_csv", args=["timeliness"]), PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    assert list(csv.reader(StringIO(response.content.decode()))) == [
        ["Deadline", "Due", "Met on time", "Per cent on time"],
        ["Threshold decision", "5", "3", "60.0"],
        ["Partner response", "2", "1", "50.0"],
        ["Outcome letter", "2", "1", "50.0"],
    ]
    event = AuditEvent.objects.get(action="reports.figure_csv")
    assert event.kind == AuditEvent.Kind.EXPORT and event.details["figure"] == "timeliness"


def test_unknown_figure_is_404(world, login):
    client = login(world.users["performance"])
    assert client.get(reverse("reports:figure_csv", args=["names"]), PERIOD).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"start": "2026-10-31", "end": "2026-10-01"},
            b"End date must be the same as or after the start date",
        ),
        ({"start": "yesterday", "end": "2026-10-01"}, b"Start date must be a real date"),
        (
            {"start_0": "1", "start_2": "2026", **boxes("end", 31, 10, 2026)},
            b"Start date must include a month",
        ),
        ({**boxes("start", 31, 9, 2026), **boxes("end", 31, 10, 2026)}, b"Start date must be a real date"),
        (
            {"start": "2020-01-01", "end": "2026-10-01"},
            b"End date must be within two years of the start date",
        ),
        ({**PERIOD, "agency": "999999"}, b"Choose an agency from the list"),
    ],
)
def test_bad_filters_get_a_clear_message(world, login, query, message):
    client = login(world.users["performance"])
    response = client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 400
    assert message in response.content
    assert response.content.count(b"There is a problem") == 1
    assert b"This field is required" not in response.content
    assert not AuditEvent.objects.filter(action="reports.dashboard").exists()


def test_the_period_typed_into_the_date_boxes_filters_as_a_link_does(world, login):
    client = login(world.users["performance"])
    typed = client.get(
        reverse("reports:dashboard"), {**boxes("start", 1, 10, 2026), **boxes("end", 31, 10, 2026)}
    )
    assert typed.status_code == 200
    linked = client.get(reverse("reports:figure_csv", args=["summary"]), PERIOD)
    from_boxes = client.get(
        reverse("reports:figure_csv", args=["summary"]),
        {**boxes("start", 1, 10, 2026), **boxes("end", 31, 10, 2026)},
    )
    assert linked.content == from_boxes.content
    details = [e.details for e in AuditEvent.objects.filter(action="reports.dashboard")]
    assert details == [PERIOD]
    page = typed.content.decode()
    assert 'class="govuk-date-input"' in page and "---------" not in page
    assert 'name="start_0"' in page and 'value="1"' in page


def test_dashboard_queries_do_not_grow_with_the_data(world, login, django_assert_max_num_queries):
    client = login(world.users["performance"])
    client.get(reverse("reports:dashboard"), PERIOD)  # warm the session and user caches
    # Session, user, device, groups, 13 figure queries, the audit row, the filters' teams and agencies.
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("reports:dashboard"), PERIOD)
    from tests.reports.world import _child, _referral, at

    for n in range(20):
        _child(_referral(f"X{n}", at("2026-10-09")), f"Extra{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("reports:dashboard"), PERIOD)


def test_statutory_exports_for_performance_officers(world, login):
    client = login(world.users["performance"])
    page = client.get(reverse("reports:statutory"), STATUTORY)
    assert page.status_code == 200
    assert b"8675Q" in page.content and b"LA0001" in page.content
    _no_child_names(page.content)

    xlsx = client.get(reverse("reports:annex_a"), STATUTORY)
    assert xlsx.status_code == 200
    book = load_workbook(BytesIO(xlsx.content))
    assert book["List 3 Referrals"].max_row == 3

    xml = client.get(reverse("reports:cin_census"), STATUTORY)
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert b"<LEA>831</LEA>" in xml.content
    _no_child_names(xml.content)
    kinds = dict(AuditEvent.objects.filter(action__startswith="reports.").values_list("action", "kind"))
    assert kinds == {
        "reports.statutory_check": "read",
        "reports.annex_a": "export",
        "reports.cin_census": "export",
    }


@pytest.mark.parametrize("who", ["manager_a", "partner", "worker", "screening"])
def test_statutory_exports_are_refused_to_others(world, login, who):
    client = login(world.users[who])
    for name in ("reports:statutory", "reports:annex_a", "reports:cin_census"):
        assert client.get(reverse(name), STATUTORY).status_code == 403


def test_census_extract_is_refused_while_a_rule_error_stands(world, login):
    from triage.models import Outcome

    Outcome.objects.filter(referral=world.referrals["R2"]).update(primary_need="")
    world.children["c2"].decisions.update(primary_need="")
    client = login(world.users["performance"])
    response = client.get(reverse("reports:cin_census"), STATUTORY)
    assert response.status_code == 422
    assert b"8610" in response.content
    assert b"Primary Need code is missing for a referral which led to further action." in response.content
    assert not AuditEvent.objects.filter(action="reports.cin_census").exists()
    # The refusal shows child ids and their breaches: audited as a read.
    event = AuditEvent.objects.get(action="reports.statutory_check")
    assert event.kind == AuditEvent.Kind.READ and event.details["refused"] is True


def test_census_extract_of_an_empty_period_says_so(world, login):
    client = login(world.users["performance"])
    response = client.get(
        reverse("reports:cin_census"), {"start": "2025-01-01", "end": "2025-01-31", "la_code": "831"}
    )
    assert response.status_code == 422
    assert b"there are no CIN referrals in the period" in response.content


def test_bad_la_code(world, login):
    client = login(world.users["performance"])
    response = client.get(reverse("reports:annex_a"), {**PERIOD, "la_code": "83"})
    assert response.status_code == 400
    assert b"Enter the three-digit local authority number" in response.content


def test_statutory_exports_keep_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    from tests.reports.world import _child, _decide, _referral, at

    client = login(world.users["performance"])
    client.get(reverse("reports:statutory"), STATUTORY)
    counts = {}
    for name in ("reports:statutory", "reports:annex_a", "reports:cin_census"):
        # Annex A reads three sets (contacts, early help, children in need), each with its prefetches.
        with django_assert_max_num_queries(30) as captured:
            assert client.get(reverse(name), STATUTORY).status_code == 200
        counts[name] = len(captured.captured_queries)
    for n in range(10):
        child = _child(_referral(f"Y{n}", at("2026-10-14")), f"More{n}", sex="F")
        _decide(child, "red", 4, world.users["lead"], "N2")
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(reverse(name), STATUTORY).status_code == 200


def test_census_extract_is_refused_when_it_would_fail_the_departments_schema(world, login):
    from reports import cin_census
    from tests.support.environment import require

    require(
        cin_census.schema_text(2027) is not None,
        "the census XSD needs liiatools (make setup installs it)",
    )
    world.children["c2"].__class__.objects.filter(pk=world.children["c2"].pk).update(ethnicity="")
    client = login(world.users["performance"])
    response = client.get(reverse("reports:cin_census"), STATUTORY)
    assert response.status_code == 422
    assert b"XSD" in response.content and b"Ethnicity" in response.content
    assert not AuditEvent.objects.filter(action="reports.cin_census").exists()
