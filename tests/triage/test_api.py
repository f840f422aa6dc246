"""The triage staff API: the same rules and errors as the pages, and a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Team
from mash.codes import DomesticAbuseRisk
from mash.models import AuditEvent
from mash.roles import Role
from referrals.states import Rag, Status
from tests.factories import ChildFactory, TeamFactory, referral_with_people
from triage import decisions as d
from triage.models import ChildDecision

API = "/api/v1/triage"


def body(child, rag="amber", **extra) -> dict:
    return {
        "child_id": child.pk,
        "rag": rag,
        # A level that agrees with the RAG under the default (Durham) policy's levels of need.
        "level_of_need": {"green": 2, "blue": 1}.get(rag, 3),
        "rationale": "Reasons",
        "consent_basis": "given",
        "primary_need": "N1",
        **extra,
    }


def test_queue_api_lists_rows_in_deadline_order(login, officer):
    now = timezone.now()
    later = referral_with_people(next_due_at=now + timedelta(hours=3))
    overdue = referral_with_people(
        next_due_at=now - timedelta(hours=1), domestic_abuse_risk=DomesticAbuseRisk.HIGH
    )
    response = login(officer).get(f"{API}/queue/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["reference"] for r in results] == [overdue.reference, later.reference]
    first = results[0]
    assert first["overdue"] is True and first["time_left"].startswith("Overdue by")
    assert first["domestic_abuse_risk"] == "high"
    assert first["children"][0]["name"].endswith("Jones") and first["children"][0]["age"].endswith("years")
    assert AuditEvent.objects.filter(action="triage.api_queue_view", actor=officer).exists()


def test_queue_api_filters_and_rejects_bad_filters(login, officer):
    referral_with_people(rag=Rag.RED, status=Status.DECIDED)
    referral_with_people()
    client = login(officer)
    assert [r["rag"] for r in client.get(f"{API}/queue/?rag=red").json()["results"]] == ["red"]
    response = client.get(f"{API}/queue/?rag=purple")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_queue_api_keeps_a_constant_number_of_queries(login, officer, django_assert_num_queries):
    client = login(officer)
    for _ in range(5):
        d.referral_claim(referral_with_people(children=2), by=officer)
    client.get(f"{API}/queue/")
    with CaptureQueriesContext(connection) as at_five:
        assert len(client.get(f"{API}/queue/").json()["results"]) == 5
    assert len(at_five) <= 10, [q["sql"][:80] for q in at_five.captured_queries]
    for _ in range(45):
        d.referral_claim(referral_with_people(children=2), by=officer)
    with django_assert_num_queries(len(at_five)):
        assert len(client.get(f"{API}/queue/").json()["results"]) == 50


def test_claim_api_409_names_the_claimant(login, officer, make_user):
    referral = referral_with_people()
    assert login(officer).post(f"{API}/referrals/{referral.reference}/claim/").json()["claimed_by"] == "sol"
    other = login(make_user(Role.SCREENING_OFFICER, username="ola"))
    response = other.post(f"{API}/referrals/{referral.reference}/claim/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "already_claimed",
        "detail": f"Sol Officer has already claimed referral {referral.reference}.",
    }


def test_reassign_api_is_for_leads(login, officer, lead):
    referral = referral_with_people()
    d.referral_claim(referral, by=officer)
    data = {"to": "lee", "reason": "Cover"}
    assert (
        login(officer)
        .post(f"{API}/referrals/{referral.reference}/reassign/", data, content_type="application/json")
        .status_code
        == 403
    )
    response = login(lead).post(
        f"{API}/referrals/{referral.reference}/reassign/", data, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["claimed_by"] == "lee"
    bad = login(lead).post(
        f"{API}/referrals/{referral.reference}/reassign/",
        {"to": "nobody", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_decide_api_per_child_with_the_consent_rules(login, lead):
    referral = referral_with_people(children=2, consent="not_sought")
    a, b = referral.children.all()
    client = login(lead)
    url = f"{API}/referrals/{referral.reference}/decisions/"
    green = client.post(
        url,
        {"decisions": [body(a, "green", consent_basis="reason", consent_reason="x")]},
        content_type="application/json",
    )
    assert green.status_code == 400
    assert green.json() == {
        "code": "invalid",
        "detail": d.CONSENT_MESSAGES["consent_required"].format(rag="Green"),
    }
    shape = client.post(url, {"decisions": [{"child_id": a.pk}]}, content_type="application/json")
    assert shape.status_code == 400 and "rag" in shape.json()["decisions"][0]
    ok = client.post(
        url,
        {
            "decisions": [
                body(
                    a,
                    "red",
                    consent_basis="risk",
                    consent_reason="Asking would alert the abuser",
                    level_of_need=4,
                ),
                body(b, "amber", consent_basis="reason", consent_reason="Mother unreachable"),
            ]
        },
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["status"], ok.json()["rag"]) == ("decided", "red")
    detail = client.get(f"{API}/referrals/{referral.reference}/").json()
    assert {x["rag"] for x in detail["decisions"]} == {"red", "amber"}
    assert "change_rag" in detail["allowed_actions"]
    assert [c["to_status"] for c in detail["status_history"]] == ["screening", "decided"]
    change = client.post(
        f"{API}/referrals/{referral.reference}/rag/",
        {**body(b, "red", consent_basis="risk", consent_reason="r"), "reason": "Police information"},
        content_type="application/json",
    )
    assert change.status_code == 200
    assert ChildDecision.objects.filter(child=b).count() == 2


def test_api_hides_what_the_user_cannot_see(login, make_user):
    referral = referral_with_people()
    worker = login(make_user(Role.SOCIAL_WORKER, username="sw"))
    response = worker.get(f"{API}/referrals/{referral.reference}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert worker.post(f"{API}/referrals/{referral.reference}/claim/").status_code == 404


def test_return_and_step_up_api(login, lead, officer):
    referral = referral_with_people(consent="refused")
    client = login(officer)
    assert (
        client.post(
            f"{API}/referrals/{referral.reference}/return/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    response = client.post(
        f"{API}/referrals/{referral.reference}/return/",
        {"reason": "Consent refused"},
        content_type="application/json",
    )
    assert response.json()["status"] == "returned"
    again = client.post(
        f"{API}/referrals/{referral.reference}/return/", {"reason": "again"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    amber = referral_with_people()
    d.referral_decide(
        amber,
        decisions=[d.ChildDecisionInput(**{k: v for k, v in body(amber.children.get()).items()})],
        by=lead,
    )
    step = login(lead).post(
        f"{API}/referrals/{amber.reference}/step-up/", {"reason": "x"}, content_type="application/json"
    )
    assert step.status_code == 409


def test_domestic_abuse_api_and_batch(login, lead):
    standard = [referral_with_people(domestic_abuse_risk="standard") for _ in range(2)]
    high = referral_with_people(domestic_abuse_risk="high")
    client = login(lead)
    listed = client.get(f"{API}/domestic-abuse/").json()["results"]
    assert [r["reference"] for r in listed] == [high.reference, *(r.reference for r in standard)]
    data = {"rag": "blue", "level_of_need": 1, "rationale": "Notification", "advice_given": "Letter"}
    refused = client.post(
        f"{API}/domestic-abuse/batch-decide/",
        {**data, "references": [high.reference]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "standard-risk" in refused.json()["detail"]
    missing = client.post(
        f"{API}/domestic-abuse/batch-decide/",
        {**data, "references": ["NOPE"]},
        content_type="application/json",
    )
    assert missing.status_code == 404
    response = client.post(
        f"{API}/domestic-abuse/batch-decide/",
        {**data, "references": [r.reference for r in standard]},
        content_type="application/json",
    )
    assert response.json() == {"decided": 2}
    assert [r["reference"] for r in client.get(f"{API}/domestic-abuse/").json()["results"]] == [
        high.reference
    ]


def test_edt_and_early_help_api(login, make_user, lead):
    assert login(make_user(Role.SOCIAL_WORKER, username="sw")).get(f"{API}/edt/").status_code == 403
    assert login(lead).get(f"{API}/early-help/").json()["results"] == []
    partner = login(make_user(Role.AGENCY_PARTNER, username="pat"))
    for path in ("queue", "early-help", "edt", "domestic-abuse"):
        response = partner.get(f"{API}/{path}/")
        assert response.status_code == 403 and response.json()["code"] == "not_permitted", path


def test_queue_api_searches_like_the_page_and_audits_the_search(login, officer, make_user):
    amy = referral_with_people(children=0)
    ChildFactory(referral=amy, first_name="Amy", last_name="Smith", date_of_birth=date(2018, 3, 27))
    referral_with_people()
    client = login(officer)
    for search in ("smith", "27/3/2018", amy.reference.lower()):
        response = client.get(f"{API}/queue/", {"q": search})
        assert [r["reference"] for r in response.json()["results"]] == [amy.reference], search
    event = AuditEvent.objects.filter(action="triage.api_queue_search").latest("pk")
    assert event.details == {"referrals": [amy.pk], "search": amy.reference.lower()}
    # Another team's manager finds nothing, even by the exact reference.
    manager = make_user(Role.TEAM_MANAGER, username="tm")
    TeamFactory(members=[manager])
    assert login(manager).get(f"{API}/queue/", {"q": amy.reference}).json()["results"] == []


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("\x00", "The search can only contain letters, numbers and punctuation"),
        ("x" * 101, "The search must be 100 characters or fewer"),
        ("30/2/2020", "Enter a real date of birth in the search"),
    ],
)
def test_queue_api_refuses_a_bad_search_naming_it(search, message, login, officer):
    response = login(officer).get(f"{API}/queue/", {"q": search})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and message in response.json()["detail"]


def test_queue_api_search_costs_no_more_queries(login, officer, django_assert_num_queries):
    client = login(officer)
    for _ in range(5):
        d.referral_claim(referral_with_people(children=2), by=officer)
    client.get(f"{API}/queue/")
    with CaptureQueriesContext(connection) as plain:
        assert len(client.get(f"{API}/queue/").json()["results"]) == 5
    with django_assert_num_queries(len(plain)):
        assert len(client.get(f"{API}/queue/", {"q": "Jones"}).json()["results"]) == 5


def test_edt_api_finds_acknowledged_referrals_until_the_day_team_takes_them(login, make_user, officer):
    eddie = make_user(Role.EMERGENCY_DUTY, username="eddie")
    TeamFactory(kind=Team.Kind.EMERGENCY_DUTY, email="edt@example.gov.uk", members=[eddie])
    referral = referral_with_people(
        received_at=timezone.now() - timedelta(hours=2), out_of_hours=True, significant_harm=True
    )
    d.referral_route_out_of_hours(referral)
    d.referral_edt_acknowledge(referral, by=eddie)
    client = login(eddie)
    assert client.get(f"{API}/edt/").json()["results"] == []
    [row] = client.get(f"{API}/edt/", {"acknowledged": "yes"}).json()["results"]
    assert row["reference"] == referral.reference and row["edt_acknowledged_at"] is not None
    assert client.get(f"{API}/edt/", {"acknowledged": "perhaps"}).status_code == 400
    d.referral_claim(referral, by=officer)
    assert client.get(f"{API}/edt/", {"acknowledged": "yes"}).json()["results"] == []
