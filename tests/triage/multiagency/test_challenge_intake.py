"""The public challenge page does the same work whether or not the reference matches: it keeps
the challenge in the outbox and the worker matches it, so its timing confirms nothing."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from tests.support.world import build_world
from triage.multiagency.actions import CHALLENGE_SUBMITTED
from triage.multiagency.models import Challenge

pytestmark = pytest.mark.django_db

URL = "/refer/challenge/"


@pytest.fixture
def world(make_user):
    cache.clear()  # the page's rate limit counts per client address across tests
    yield build_world(make_user)
    cache.clear()


def _answers(referral, *, email: str | None = None) -> dict:
    return {
        "reference": referral.reference.lower(),
        "email": email or referral.referrer_email.upper(),
        "name": "Pat Teacher",
        "reasons": "The risk is higher than assessed",
    }


def _shape(sql: str) -> str:
    """A query with its values taken out: what it does, not what it was given."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', sql)  # Django numbers each savepoint it makes
    return re.sub(r"\b\d+\b", "?", sql)


def _post(client, data) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, data)
    return response, [_shape(query["sql"]) for query in queries.captured_queries]


def _deliver_submitted() -> None:
    """What the worker does with each challenge the page kept (the real handler)."""
    for pk in OutboxMessage.objects.filter(kind=CHALLENGE_SUBMITTED).values_list("pk", flat=True):
        assert deliver_once(pk) == "done"


def test_the_page_is_at_this_address():
    assert reverse("multiagency_public:challenge") == URL


def test_a_matching_and_a_wrong_challenge_make_the_same_queries(world, client):
    referral = world.referrals["team_a"]
    right, right_queries = _post(client, _answers(referral))
    wrong, wrong_queries = _post(client, _answers(referral, email="someone@else.org"))
    assert right.status_code == wrong.status_code == 200
    assert right.content == wrong.content
    assert right_queries == wrong_queries
    assert not any("referrals_referral" in sql for sql in right_queries)  # no lookup in the request
    assert not Challenge.objects.filter(referral=referral).exists()  # not yet: the worker matches


def test_the_worker_raises_the_matching_challenge_once_and_keeps_nothing_of_the_wrong_one(world, client):
    referral = world.referrals["team_a"]
    before = timezone.now()
    client.post(URL, _answers(referral))
    sent = timezone.now()
    client.post(URL, _answers(referral, email="someone@else.org"))
    submitted = list(OutboxMessage.objects.filter(kind=CHALLENGE_SUBMITTED))
    assert len(submitted) == 2  # one row each, matching or not
    _deliver_submitted()
    challenge = Challenge.objects.get(referral=referral)
    assert (challenge.raised_by_name, challenge.reasons) == (
        "Pat Teacher",
        "The risk is higher than assessed",
    )
    assert challenge.team == world.teams["a"] and challenge.status == Challenge.Status.OPEN
    assert before <= challenge.raised_at <= sent  # when it was sent, not when the worker got to it
    assert AuditEvent.objects.filter(action="triage.challenge_raise", object_id=str(challenge.pk)).exists()
    assert OutboxMessage.objects.filter(key=f"challenge:{challenge.pk}:raised").exists()
    # What was sent is no longer kept on the outbox rows: the challenge holds it where it matched.
    assert [(row.status, row.payload) for row in OutboxMessage.objects.filter(kind=CHALLENGE_SUBMITTED)] == [
        (OutboxMessage.Status.DONE, {})
    ] * 2
    for row in submitted:  # a redelivered task raises nothing more
        assert deliver_once(row.pk) == "already done"
    assert Challenge.objects.filter(referral=referral).count() == 1


def test_the_page_answers_get_and_post_only(client):
    assert client.get(URL).status_code == 200
    assert client.put(URL).status_code == 405
