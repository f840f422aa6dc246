"""POST /api/v1/referrals/: agency keys, the shared validation, idempotency."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.authentication import api_token_create, api_token_revoke, hash_key
from agencies.models import ApiToken
from mash.models import AuditEvent
from mash.outbox.models import OutboxMessage
from referrals.models import Referral, ReferralAdult, ReferralChild
from tests.factories import AgencyFactory
from tests.support.answers import api_body

URL = "/api/v1/referrals/"


@pytest.fixture
def police(db):
    return AgencyFactory(name="Durham Constabulary", slug="durham-police", referral_source="6")


@pytest.fixture
def key(police):
    _token, key = api_token_create(police, name="DA notifications", by="test")
    return key


def post(client, body, *, key, idem="n-1", **extra):
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(URL, body, content_type="application/json", **headers, **extra)


def test_url_name_resolves():
    assert reverse("referrals-api:create") == URL


def test_token_is_stored_hashed_and_shown_once(police):
    token, key = api_token_create(police, name="Case system", by="test")
    assert key.startswith("mash_") and len(key) > 40
    token.refresh_from_db()
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix, token.name}
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()


def test_valid_domestic_abuse_notification_is_received(client, key, police):
    response = post(client, api_body(), key=key)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert response.json()["reference"] == referral.reference
    assert referral.reference.startswith("MASH-") and len(referral.reference) == len("MASH-2026-000001")
    assert referral.channel == Referral.Channel.API
    assert referral.referrer_agency == police
    assert referral.source == "6"  # from the key's agency
    assert referral.domestic_abuse_risk == "high"
    assert referral.parents_aware is True and referral.safe_to_contact_parents is False
    assert referral.consent == "not_sought"
    child = ReferralChild.objects.get()
    assert child.nhs_number == "9434765919"
    assert ReferralAdult.objects.get().relationship == "Mother"
    event = AuditEvent.objects.get(action="referral.submit")
    assert event.actor_label.startswith("api:durham-police:")
    ack = OutboxMessage.objects.get(referral=referral)
    assert ack.payload["to"] == "sam.jones@police.example"
    assert referral.reference in ack.payload["body"]
    assert referral.deadlines.filter(kind="decision").exists()


def test_same_key_same_body_returns_the_first_referral_with_200(client, key):
    first = post(client, api_body(), key=key, idem="retry-1")
    second = post(client, api_body(), key=key, idem="retry-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Referral.objects.count() == 1


def test_same_key_different_body_is_a_conflict(client, key):
    post(client, api_body(), key=key, idem="retry-2")
    response = post(client, api_body(concerns="Something else entirely"), key=key, idem="retry-2")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Referral.objects.count() == 1


def test_keys_are_scoped_per_agency(client, key):
    other = AgencyFactory(name="Health", slug="health", referral_source="3F")
    _token, other_key = api_token_create(other, name="GP system", by="test")
    assert post(client, api_body(), key=key, idem="same").status_code == 201
    response = post(client, api_body(concerns="Different"), key=other_key, idem="same")
    assert response.status_code == 201
    assert Referral.objects.filter(source="3F").count() == 1


@pytest.mark.parametrize("idem", [None, "", "has spaces", "x" * 65])
def test_idempotency_key_is_required_and_well_formed(client, key, idem):
    response = post(client, api_body(), key=key, idem=idem)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_no_key_or_a_bad_key_is_refused(client, key):
    assert post(client, api_body(), key=None).status_code == 401
    assert post(client, api_body(), key="mash_not-a-real-key").status_code == 401
    assert not Referral.objects.exists()


def test_revoked_key_stops_working(client, key):
    token = ApiToken.objects.get()
    api_token_revoke(token, by="test", reason="Leaked in a log")
    assert post(client, api_body(), key=key).status_code == 401


def test_staff_session_cannot_use_the_intake_api(client, make_user, login):
    from mash.roles import Role

    login(make_user(Role.MASH_LEAD))
    response = client.post(URL, api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {"referrer_email": "not-an-email"},
            "referrer_email",
            "Enter an email address in the correct format",
        ),
        ({"referrer_phone": "12345"}, "referrer_phone", "Enter a UK telephone number"),
        ({"domestic_abuse_risk": "extreme"}, "domestic_abuse_risk", "standard, medium or high"),
        ({"consent": "maybe"}, "consent", "Select whether consent was given, refused or not asked for"),
        ({"concerns": "x" * 5001}, "concerns", "must be 5,000 characters or fewer"),
        ({"concerns": ""}, "concerns", "Enter what you are worried about"),
        ({"surprise": "field"}, "surprise", "Unknown field"),
        ({"risks": ["a", "list"]}, "risks", "Enter a single value"),
        # Exactly the JSON types the schema states: true/false only for a yes/no question, null only
        # for an optional answer, and never a number for text.
        ({"referrer_phone": 1234567890}, "referrer_phone", "Enter this answer as text in quotes"),
        ({"concerns": True}, "concerns", "Enter this answer as text in quotes"),
        ({"concerns": None}, "concerns", "This field is required; null is not an answer"),
        ({"children": []}, "children", "Add at least one child"),
        ({"children": "Amy"}, "children", "Send a list of objects"),
    ],
)
def test_invalid_fields_get_clear_messages_and_nothing_is_saved(client, key, change, path, message):
    response = post(client, api_body(**change), key=key)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(message in text for text in errors[path]), errors
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("child", "path", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "children[0].nhs_number", "the last digit does not match"),
        ({"nhs_number": "12345"}, "children[0].nhs_number", "Enter an NHS number with 10 digits"),
        ({"date_of_birth": "2001-02-30"}, "children[0].date_of_birth", "Date of birth must be a real date"),
        ({"date_of_birth": "31/01/2020"}, "children[0].date_of_birth", "Date of birth must be a real date"),
        ({"date_of_birth": "2000-01-01"}, "children[0].date_of_birth", "A child must be under 18"),
        ({"date_of_birth": "2999-01-01"}, "children[0].date_of_birth", "Date of birth must be in the past"),
        ({"sex": "Q"}, "children[0].sex", "from the list"),
        ({"ethnicity": "MARS"}, "children[0].ethnicity", "from the list"),
        ({"unborn": "yes"}, "children[0].expected_date_of_birth", "Enter the expected date of birth"),
        ({"postcode": "ZZ 12345"}, "children[0].postcode", "Enter a real postcode"),
        ({"hobby": "chess"}, "children[0].hobby", "Unknown field"),
        ({"date_of_birth": ""}, "children[0].date_of_birth", "Enter a date as YYYY-MM-DD"),
    ],
)
def test_invalid_child_fields(client, key, child, path, message):
    body = api_body()
    body["children"][0].update(child)
    response = post(client, body, key=key)
    assert response.status_code == 400
    assert any(message in text for text in response.json()["errors"][path]), response.json()
    assert not ReferralChild.objects.exists()


def test_optional_answers_may_be_null_and_yes_no_answers_true_or_false(client, key):
    body = api_body(
        parents_aware=False, safe_to_contact_parents=True, support_needed=None, actions_taken=None
    )
    response = post(client, body, key=key)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.parents_aware is False and referral.safe_to_contact_parents is True


def test_the_schema_states_the_json_types_the_intake_takes(client):
    schemas = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    fields = schemas["ReferralInput"]["properties"]
    assert {"type": "boolean"} in fields["parents_aware"]["oneOf"]
    assert fields["concerns"]["type"] == "string" and not fields["concerns"].get("nullable")
    assert fields["support_needed"]["nullable"] is True


def test_unparseable_json_is_a_400(client, key):
    response = client.post(
        URL,
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_IDEMPOTENCY_KEY="j",
    )
    assert response.status_code == 400


def test_a_json_list_is_a_400(client, key):
    assert post(client, [api_body()], key=key).status_code == 400


def test_endpoint_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/referrals/" in text
    assert "Idempotency-Key" in text
    assert "domestic_abuse_risk" in text


def test_management_command_makes_lists_and_revokes_keys(client, police):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("intake_api_key", "create", "durham-police", "Case system", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert post(client, api_body(), key=key, idem="cmd").status_code == 201
    call_command("intake_api_key", "list", stdout=out)
    assert token.prefix in out.getvalue() and key not in out.getvalue().splitlines()[-1]
    call_command("intake_api_key", "revoke", str(token.pk), "--reason", "Test", stdout=out)
    assert post(client, api_body(), key=key, idem="cmd2").status_code == 401


def test_documented_example_is_accepted_as_it_is(client, key):
    from referrals.api.examples import EXAMPLE_REFERRAL

    assert post(client, EXAMPLE_REFERRAL, key=key, idem="doc-example").status_code == 201


def test_received_out_of_hours_is_recorded_with_the_policy_and_client_address(client, key):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=ZoneInfo("Europe/London"))):  # Sunday night
        assert post(client, api_body(), key=key, idem="night", REMOTE_ADDR="203.0.113.9").status_code == 201
    referral = Referral.objects.get()
    assert referral.out_of_hours is True
    assert referral.policy_version is not None and referral.policy_version.is_current
    assert AuditEvent.objects.get(action="referral.submit").ip_address == "203.0.113.9"


def test_domestic_abuse_notification_starts_its_screening_clock_when_the_policy_times_it(client, key):
    from triage.policy import current_policy

    post(client, api_body(), key=key, idem="da-clock")
    referral = Referral.objects.get()
    timed = bool((current_policy().domestic_abuse_timescales or {}).get("high"))
    assert referral.deadlines.filter(kind="domestic_abuse_screening").exists() is timed


def _submission_statements(client, key, body, idem) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as statements:
        assert post(client, body, key=key, idem=idem).status_code == 201
    return [query["sql"] for query in statements.captured_queries]


def test_a_submission_takes_the_same_statements_however_many_children_adults_and_clocks(client, key):
    """Out of hours with a high-risk grade: the most a submission writes (three clocks, the EDT flag
    and its e-mail, the acknowledgement), in a fixed number of statements and no savepoint of its own."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from agencies.models import Team

    Team.objects.create(name="EDT", slug="edt", kind=Team.Kind.EMERGENCY_DUTY, email="edt@council.example")
    post(client, api_body(), key=key, idem="warm-up")  # the year's reference counter row exists
    child = api_body()["children"][0]
    adult = api_body()["adults"][0]
    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=ZoneInfo("Europe/London"))):
        small = _submission_statements(client, key, api_body(), "small")
        large = _submission_statements(
            client,
            key,
            api_body(children=[child, {**child, "first_name": "Ann"}, {**child, "first_name": "Bo"}],
                     adults=[adult, {**adult, "first_name": "Pat"}]),
            "large",
        )  # fmt: skip
    assert len(small) == len(large)
    assert len(large) <= 20
    # The test's own transaction is the only savepoint's reason: one, around the intake.
    assert sum("SAVEPOINT" in sql and "RELEASE" not in sql for sql in large) == 1
    referral = Referral.objects.get(idempotency_key__endswith=":large")
    assert referral.children.count() == 3 and referral.adults.count() == 2
    assert set(referral.deadlines.values_list("kind", "subject")) >= {
        ("decision", ""),
        ("decision", "serious_concerns"),
    }
    assert referral.next_due_at == min(referral.deadlines.values_list("due_at", flat=True))
    assert OutboxMessage.objects.filter(referral=referral).count() == 2  # acknowledgement, EDT alert
    actions = list(AuditEvent.objects.filter(referral_id=referral.pk).values_list("action", "actor_label"))
    assert {action for action, _ in actions} == {"referral.submit", "deadline.start", "triage.edt_flag"}
    assert all(label.startswith("api:durham-police:") for _, label in actions)
