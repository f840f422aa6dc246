"""Claiming: one claimant at a time, the loser told who has it, a lead reassigns; the race on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from mash.exceptions import AlreadyClaimed, Conflict, InvalidInput, InvalidTransition, NotPermitted
from mash.models import AuditEvent
from mash.roles import Role
from referrals.models import Referral
from referrals.states import Status
from tests.factories import referral_with_people
from triage import decisions as d
from triage.models import ClaimEvent, StatusChange


@pytest.fixture
def people(make_user):
    return {
        "ann": make_user(Role.SCREENING_OFFICER, username="ann", first_name="Ann", last_name="Officer"),
        "ben": make_user(Role.SCREENING_OFFICER, username="ben", first_name="Ben", last_name="Officer"),
        "lee": make_user(Role.MASH_LEAD, username="lee", first_name="Lee", last_name="Lead"),
        "pat": make_user(Role.AGENCY_PARTNER, username="pat"),
    }


def test_a_claim_moves_the_referral_to_screening_and_is_recorded(people):
    referral = referral_with_people()
    d.referral_claim(referral, by=people["ann"])
    referral.refresh_from_db()
    assert (referral.claimed_by, referral.status) == (people["ann"], Status.SCREENING)
    assert ClaimEvent.objects.get().kind == ClaimEvent.Kind.CLAIM
    assert StatusChange.objects.get().to_status == Status.SCREENING
    assert AuditEvent.objects.filter(
        action="triage.claim", actor=people["ann"], referral_id=referral.pk
    ).exists()


def test_the_second_claimant_is_told_who_has_it(people):
    referral = referral_with_people()
    d.referral_claim(referral, by=people["ann"])
    with pytest.raises(AlreadyClaimed) as error:
        d.referral_claim(referral, by=people["ben"])
    assert "Ann Officer has already claimed" in error.value.message
    assert error.value.status_code == 409
    assert Referral.objects.get().claimed_by == people["ann"]
    # Claiming one's own referral again changes nothing.
    d.referral_claim(referral, by=people["ann"])
    assert ClaimEvent.objects.count() == 1


def test_only_mash_staff_claim_and_only_open_referrals(people):
    referral = referral_with_people()
    with pytest.raises(NotPermitted):
        d.referral_claim(referral, by=people["pat"])
    closed = referral_with_people(status=Status.CLOSED)
    with pytest.raises(InvalidTransition):
        d.referral_claim(closed, by=people["ann"])


def test_a_lead_reassigns_with_a_reason(people):
    referral = referral_with_people()
    d.referral_claim(referral, by=people["ann"])
    with pytest.raises(NotPermitted):
        d.referral_reassign(referral, to=people["ben"], reason="Leave", by=people["ann"])
    with pytest.raises(InvalidInput, match="reason"):
        d.referral_reassign(referral, to=people["ben"], reason="", by=people["lee"])
    with pytest.raises(InvalidInput, match="MASH staff"):
        d.referral_reassign(referral, to=people["pat"], reason="Leave", by=people["lee"])
    d.referral_reassign(referral, to=people["ben"], reason="Ann is on leave", by=people["lee"])
    assert Referral.objects.get().claimed_by == people["ben"]
    event = ClaimEvent.objects.get(kind=ClaimEvent.Kind.REASSIGN)
    assert (event.from_user, event.to_user, event.by, event.reason) == (
        people["ann"],
        people["ben"],
        people["lee"],
        "Ann is on leave",
    )
    with pytest.raises(Conflict):
        d.referral_reassign(referral, to=people["ben"], reason="again", by=people["lee"])


def test_release_by_the_claimant_or_a_lead(people):
    referral = referral_with_people()
    d.referral_claim(referral, by=people["ann"])
    with pytest.raises(NotPermitted):
        d.referral_release(referral, by=people["ben"])
    d.referral_release(referral, by=people["ann"])
    assert Referral.objects.get().claimed_by is None
    with pytest.raises(Conflict):
        d.referral_release(referral, by=people["lee"])
    d.referral_claim(referral, by=people["ben"])
    assert Referral.objects.get().claimed_by == people["ben"]


RUNS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_claiming_at_once_exactly_one_wins_every_time(people):
    """Real threads, each with its own database connection, released together by a barrier."""
    officers = [people["ann"], people["ben"]]
    for run in range(RUNS):
        referral = referral_with_people(reference=f"RACE-{run:03d}")
        barrier = threading.Barrier(len(officers))
        results: dict[str, str] = {}

        def claim(officer, referral_id=referral.pk, barrier=barrier, results=results):
            try:
                target = Referral.objects.get(pk=referral_id)  # this thread's own connection
                barrier.wait(timeout=10)
                d.referral_claim(target, by=officer)
                results[officer.username] = "won"
            except AlreadyClaimed as error:
                results[officer.username] = error.message
            finally:
                connections.close_all()

        threads = [threading.Thread(target=claim, args=(officer,)) for officer in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        winners = [name for name, outcome in results.items() if outcome == "won"]
        assert len(results) == 2, results
        assert len(winners) == 1, (run, results)
        loser = next(name for name in results if name not in winners)
        winner = people[winners[0]]
        assert results[loser] == f"{winner.display_name} has already claimed referral RACE-{run:03d}."
        referral.refresh_from_db()
        assert referral.claimed_by == winner
        assert ClaimEvent.objects.filter(referral=referral).count() == 1
        assert StatusChange.objects.filter(referral=referral).count() == 1
