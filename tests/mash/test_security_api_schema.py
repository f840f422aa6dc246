"""Schemathesis against /api/schema/: every phase (the schema's examples, the coverage phase's
boundary and negative cases, and at least 100 generated cases per operation), real identifiers so
every operation reaches its logic, and every kind of caller. No 5xx; every response matches the
schema (status code, content type, headers, body); a request the schema forbids is refused; and a
request the schema allows is refused only by a rule of the service (see ``refused_only_by_a_rule``).
The run's figures are printed at the end of the session (tests/mash/conftest.py).
Also: an agency token reaches the intake API only."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.meta import negated_parameters
from schemathesis.specs.openapi.checks import positive_data_acceptance

from mash.roles import Role
from tests.factories import InformationRequestFactory, TeamFactory
from tests.support.routes import all_paths
from tests.support.security import make_referral

MAX_EXAMPLES = 100
STATEFUL_SCENARIOS = 50  # chains of up to 6 calls each
CSRF = "x" * 32
# Who reaches each API's logic: every case is sent as them; the other callers take turns, so
# each operation meets every caller while the run stays within CI's time.
OWNERS = {"/api/v1/referrals/": "agency token", "/api/v1/partners/": "agency_partner"}
TRIAGE_OWNER = Role.MASH_LEAD.value


def _phases() -> dict:
    # The stateful phase runs in its own test below (the state machine follows the schema's links).
    return {phase: {"enabled": True} for phase in ("examples", "coverage", "fuzzing")}


@pytest.fixture
def api_world(db, make_user, login):
    """Rows the operations can find: a domestic abuse referral held by a team (with a partner's
    information request on it), an out-of-hours referral flagged to the EDT, a standard-risk
    notification with consent (a batch decision can take it); a signed-in, verified user of every
    role (the partner in the police, the team roles in the referral's team) and a police API key."""
    from agencies.authentication import api_token_create
    from agencies.models import Agency
    from referrals.models import Referral
    from triage.models_decisions import EdtFlag

    users = {role: make_user(role) for role in Role}
    team = TeamFactory(members=[users[Role.TEAM_MANAGER], users[Role.SOCIAL_WORKER]])
    police = Agency.objects.create(name="Police", slug="police", kind=Agency.Kind.POLICE)
    police.members.add(users[Role.AGENCY_PARTNER])
    _, key = api_token_create(police, name="schemathesis", by=None)
    held = make_referral(domestic_abuse_risk="high", team=team)
    flagged = make_referral(out_of_hours=True)
    EdtFlag.objects.create(referral=flagged, raised_at=timezone.now(), reason="Received out of hours")
    standard = make_referral(domestic_abuse_risk="standard", consent=Referral.Consent.GIVEN)
    request = InformationRequestFactory(referral=held, agency=police, requested_by=users[Role.MASH_LEAD])
    callers = {"anonymous": ({}, {}), "agency token": ({"Authorization": f"Token {key}"}, {})}
    for role, user in users.items():
        session = login(user, Client()).cookies["sessionid"].value
        callers[role.value] = ({"X-CSRFToken": CSRF}, {"sessionid": session, "csrftoken": CSRF})
    referrals = [held, flagged, standard]
    return {
        "callers": callers,
        "references": [r.reference for r in referrals],
        "children": [c.pk for r in referrals for c in r.children.all()],
        "staff": [users[Role.MASH_LEAD].username, users[Role.SCREENING_OFFICER].username],
        "public_id": str(request.public_id),
    }


def _config(world: dict) -> SchemathesisConfig:
    """Every phase, at least MAX_EXAMPLES generated cases per operation, and the real identifiers:
    path parameters always (so the cases reach the logic, not the 404), body identifiers most of
    the time (the rest still tries what the schema allows)."""
    return SchemathesisConfig.from_dict(
        {
            "phases": _phases(),
            "generation": {"max-examples": MAX_EXAMPLES},
            "dictionaries": {
                "references": {"values": world["references"]},
                "children": {"values": world["children"]},
                "staff": {"values": world["staff"]},
            },
            "parameters": {
                "path.reference": {"dictionary": "references"},
                "path.public_id": world["public_id"],
                "body.references[*]": {"dictionary": "references", "probability": 0.9},
                "body.decisions[*].child_id": {"dictionary": "children", "probability": 0.9},
                "body.child_id": {"dictionary": "children", "probability": 0.9},
                "body.to": {"dictionary": "staff", "probability": 0.9},
            },
        }
    )


@pytest.fixture
def api_schema(api_world):
    # Called as a raw WSGI app, Django would close the test's database connection after each
    # request (PostgreSQL then loses the test transaction); Django's own test client does the same.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=_config(api_world))
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def refused_only_by_a_rule(ctx, response, case):
    """Schemathesis's positive_data_acceptance, except for a rule JSON Schema cannot state (the
    referral's state, the consent policy, a date relative to today, an NHS number's check digit,
    whether a username is MASH staff): the service refuses those with a domain error, a 400 of
    ``{"code", "detail"}``. A 400 in DRF's field-error shape for a request the schema allows means
    the schema is looser than the serializer, and fails."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if response.status_code == 400 and _is_domain_error(response):
            return None
        raise


def _is_domain_error(response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and all(isinstance(body.get(key), str) for key in ("code", "detail"))


_turns = defaultdict(itertools.count)


def _owner(case) -> str:
    path = case.operation.path
    return next((who for prefix, who in OWNERS.items() if path.startswith(prefix)), TRIAGE_OWNER)


def _callers_for(case, callers: dict) -> list[str]:
    """The operation's owner on every case, and one other caller in turn."""
    owner = _owner(case)
    others = [label for label in callers if label != owner]
    return [owner, others[next(_turns[case.operation.label]) % len(others)]]


def _credentials(case, headers: dict, cookies: dict) -> tuple[dict, dict, dict]:
    """Headers and cookies to send, and the headers to tell Schemathesis were sent. A negative case
    that takes the credential away is sent without it (as Schemathesis does with its own auth).
    Werkzeug sends cookies from its jar, so they go as cookies and are named to the checks as a
    Cookie header: the checks then know the credential was the caller's, not generated."""
    taken = {name.lower() for name, _ in negated_parameters(case.meta)}
    if "sessionid" in taken:
        cookies = {}
    if "authorization" in taken:
        headers = {k: v for k, v in headers.items() if k != "Authorization"}
    seen = dict(headers)
    if cookies:
        seen["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return headers, cookies, seen


def _status_class(code: int) -> str:
    return f"{code // 100}xx"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_matches_its_schema_for_every_caller(case, api_world, schemathesis_figures):
    figures = schemathesis_figures
    figures.operations.add(case.operation.label)
    figures.cases[case.meta.phase.name.value if case.meta else "explicit"] += 1
    for label in _callers_for(case, api_world["callers"]):
        headers, cookies, seen = _credentials(case, *api_world["callers"][label])
        response = case.call(headers=headers, cookies=cookies)
        figures.responses[_status_class(response.status_code)] += 1
        figures.statuses[response.status_code] += 1
        try:
            case.validate_response(
                response,
                headers=seen,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[refused_only_by_a_rule],
                transport_kwargs={"headers": headers, "cookies": cookies},
            )
        except FailureGroup as failures:
            for failure in failures.exceptions:
                figures.failures[failure.title] += 1
            raise AssertionError(f"as {label}: {failures}") from failures


def test_operations_chained_by_the_schemas_links(api_schema, api_world, schemathesis_figures):
    """The stateful phase: Schemathesis follows the schema's links (a referral sent through the
    intake, read and acted on by triage; a partner's request listed, read and answered), each step
    sent as the operation's owner, with every check the stateless run holds."""
    callers = api_world["callers"]
    figures = schemathesis_figures
    machine = api_schema.as_state_machine()
    assert machine._transitions.operations, "the schema declares no links"

    class Workflow(machine):
        # Each scenario starts from the same world: Hypothesis replays scenarios, and one that found
        # a referral already claimed by the last would generate differently (a flaky strategy).
        def setup(self):
            cache.clear()  # rate limits and throttles
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            headers, cookies, _seen = _credentials(case, *callers[_owner(case)])
            return {"headers": headers, "cookies": cookies}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            figures.cases["stateful"] += 1
            figures.operations.add(case.operation.label)
            figures.responses[_status_class(response.status_code)] += 1
            figures.statuses[response.status_code] += 1
            _headers, _cookies, seen = _credentials(case, *callers[_owner(case)])
            try:
                case.validate_response(
                    response,
                    headers=seen,
                    excluded_checks=[positive_data_acceptance],
                    additional_checks=[refused_only_by_a_rule],
                    transport_kwargs=kwargs,
                )
            except FailureGroup as failures:
                for failure in failures.exceptions:
                    figures.failures[failure.title] += 1
                raise

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.django_db
def test_the_schema_declares_the_links_a_referral_follows(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    received = paths["/api/v1/referrals/"]["post"]["responses"]["201"]["links"]
    assert received["TriageReferralsRetrieve"] == {
        "operationId": "v1_triage_referrals_retrieve",
        "parameters": {"reference": "$response.body#/reference"},
    }
    read = paths["/api/v1/triage/referrals/{reference}/"]["get"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in read.values()} >= {
        "v1_triage_referrals_claim_create",
        "v1_triage_referrals_decisions_create",
    }


@pytest.mark.django_db
def test_the_schema_states_the_serializers_rules(client):
    """What the serializers refuse, the schema forbids: an empty batch, a blank reason, a NUL."""
    components = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    batch = components["DaBatchInput"]["properties"]
    assert batch["references"]["minItems"] == 1
    assert batch["references"]["items"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"
    assert components["DecideInput"]["properties"]["decisions"]["minItems"] == 1
    reason = components["ReasonInput"]["properties"]["reason"]
    assert reason["minLength"] == 1 and re.fullmatch(reason["pattern"], "Consent refused")
    assert not re.fullmatch(reason["pattern"], "   ") and not re.fullmatch(reason["pattern"], "a\x00")
    assert components["ChildDecisionInput"]["properties"]["level_of_need"]["type"] == "integer"


def _api_paths() -> list[str]:
    return [
        p for p in all_paths() if p.startswith("/api/") and not p.startswith(("/api/schema/", "/api/docs/"))
    ]


@pytest.mark.django_db
def test_an_agency_token_reaches_only_the_intake_api(client, api_world):
    token_headers, _ = api_world["callers"]["agency token"]
    for path in _api_paths():
        if path.startswith("/api/v1/referrals/"):
            continue
        for method in (client.get, client.post):
            response = method(path, HTTP_AUTHORIZATION=token_headers["Authorization"])
            # 405: a method the view does not serve is refused before anyone is authenticated.
            assert response.status_code in (401, 403, 405), (path, response.status_code)


@pytest.mark.django_db
def test_unmatched_api_paths_answer_in_json_and_pages_in_html(client):
    api = client.get("/api/v1/partners/requests/not-a-uuid/")
    assert api.status_code == 404 and api.json() == {"code": "not_found", "detail": "Not found."}
    page = client.get("/no-such-page/")  # anonymous: the second-factor middleware sends it to sign in
    assert page.status_code == 302
