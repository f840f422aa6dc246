"""Confirming and rejecting candidates, routing to known cases, adding people, merging, re-referrals,
the chronology."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from mash.exceptions import Conflict, InvalidInput
from mash.models import AuditEvent
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from referrals.models import MatchDecision, Person, PersonMerge
from referrals.person_index import actions, selectors
from referrals.person_index.matching import Probe, find_candidates
from referrals.states import Status
from tests.factories.person_index import (
    add_adult,
    add_child,
    add_involvement,
    make_person,
    make_referral,
    make_team,
)
from triage.models import StatusChange
from triage.policy import current_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def recall_days(db) -> int:
    return current_policy().recall_window_days


def _routing_case(closed_days_ago: int | None):
    team = make_team()
    person = make_person()
    today = timezone.localdate()
    closed = None if closed_days_ago is None else today - timedelta(days=closed_days_ago)
    involvement = add_involvement(person, team, started_on=today - timedelta(days=400), closed_on=closed)
    referral = make_referral()
    child = add_child(referral)
    return referral, child, person, involvement


def test_confirm_to_open_case_routes_to_its_team_and_tells_the_worker(officer, recall_days):
    referral, child, person, involvement = _routing_case(None)
    result = actions.match_confirm(referral, child, person, by=officer, reason="Same child")
    referral.refresh_from_db()
    child.refresh_from_db()
    assert result.routed and result.involvement == involvement
    assert child.person == person
    assert referral.status == Status.ROUTED_TO_KNOWN_CASE and referral.team == involvement.team
    change = StatusChange.objects.get(referral=referral, to_status=Status.ROUTED_TO_KNOWN_CASE)
    assert "open" in change.reason and change.by == officer
    email = OutboxMessage.objects.get(kind="email", referral=referral)
    assert email.payload["to"] == "sam.worker@council.example.gov.uk"
    assert referral.reference in email.payload["subject"]
    deliver_once(email.pk)  # the real handler, as the worker runs it
    assert mail.outbox[-1].to == ["sam.worker@council.example.gov.uk"]
    assert "Assessment Team 1" in mail.outbox[-1].body
    decision = MatchDecision.objects.get(child=child, person=person)
    assert decision.decision == MatchDecision.Decision.CONFIRMED and decision.score == 100
    assert {"person_index.match_confirmed", "person_index.route_to_known_case"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_case_closed_within_recall_window_routes(officer, recall_days):
    referral, child, person, involvement = _routing_case(recall_days - 1)
    result = actions.match_confirm(referral, child, person, by=officer)
    referral.refresh_from_db()
    assert result.routed and referral.status == Status.ROUTED_TO_KNOWN_CASE
    assert referral.team == involvement.team
    assert "closed on" in result.note


def test_case_closed_long_ago_does_not_route(officer, recall_days):
    referral, child, person, _ = _routing_case(recall_days + 1)
    result = actions.match_confirm(referral, child, person, by=officer)
    referral.refresh_from_db()
    child.refresh_from_db()
    assert not result.routed and child.person == person  # linked, but stays with the MASH
    assert referral.status == Status.RECEIVED and referral.team is None
    assert not OutboxMessage.objects.filter(kind="email").exists()
    assert not StatusChange.objects.filter(referral=referral).exists()


def test_adult_match_links_but_does_not_route(officer, recall_days):
    team = make_team()
    mother = make_person(first_name="Sarah", last_name="Brown", sex="F")
    add_involvement(mother, team)
    referral = make_referral()
    adult = add_adult(referral)
    result = actions.match_confirm(referral, adult, mother, by=officer)
    referral.refresh_from_db()
    assert not result.routed and referral.status == Status.RECEIVED


def test_rejection_is_remembered_and_not_offered_again(officer):
    person = make_person()
    referral = make_referral()
    child = add_child(referral)
    assert [c.person for c in selectors.known_child_check(officer, referral)[0].candidates] == [person]
    with pytest.raises(InvalidInput):
        actions.match_reject(referral, child, person, by=officer, reason="  ")
    actions.match_reject(referral, child, person, by=officer, reason="Different school, different mother")
    check = selectors.known_child_check(officer, referral)[0]
    assert check.candidates == [] and check.rejected_ids == {person.pk}
    assert AuditEvent.objects.filter(action="person_index.known_child_check", kind="read").count() == 2


def test_confirm_refuses_a_second_record(officer):
    first, second = make_person(), make_person(local_id="X2")
    referral = make_referral()
    child = add_child(referral)
    actions.match_confirm(referral, child, first, by=officer)
    with pytest.raises(Conflict):
        actions.match_confirm(referral, child, second, by=officer)


def test_add_from_referral_adds_only_unlinked_people(officer):
    known = make_person()
    referral = make_referral()
    linked = add_child(referral, person=known)
    new_child = add_child(referral, first_name="Amelia", sex="F", nhs_number="9434765919")
    adult = add_adult(referral)
    created = actions.person_index_add_from_referral(referral, by=officer)
    assert len(created) == 2
    new_child.refresh_from_db()
    adult.refresh_from_db()
    linked.refresh_from_db()
    assert linked.person == known
    assert new_child.person.nhs_number == "9434765919" and new_child.person.first_key
    assert adult.person.addresses.get().postcode == "WV11AA"
    # The new record is found next time, exactly.
    assert find_candidates(Probe(nhs_number="9434765919"))[0].person == new_child.person
    # A later referral about the same NHS number links to it rather than duplicating it.
    again = make_referral()
    child_again = add_child(again, first_name="Amy", sex="F", nhs_number="9434765919")
    assert actions.person_index_add_from_referral(again, by=officer) == []
    child_again.refresh_from_db()
    assert child_again.person == new_child.person


def test_merge_keeps_both_histories_and_unmerge_restores(officer, make_user, recall_days):
    lead = make_user(Role.MASH_LEAD)
    team = make_team()
    survivor = make_person(first_name="Olivia", last_name="Smith", sex="F")
    merged = make_person(first_name="Livvy", last_name="Smyth", sex="F", local_id="CS-2")
    involvement = add_involvement(merged, team)
    old = make_referral(received_at=timezone.now() - timedelta(days=90))
    add_child(old, first_name="Livvy", last_name="Smyth", sex="F", person=merged)

    with pytest.raises(InvalidInput):
        actions.person_merge(survivor, merged, by=lead, reason="")
    merge = actions.person_merge(survivor, merged, by=lead, reason="Same NHS number on the GP letter")
    merged.refresh_from_db()
    assert merged.merged_into == survivor
    assert Person.objects.filter(pk=merged.pk).exists()  # nothing deleted
    assert selectors.routable_involvement(
        survivor, today=timezone.localdate(), recall_window_days=recall_days
    ) == (involvement)
    kinds = [e.kind for e in selectors.person_chronology(officer, survivor)]
    assert {"referral", "involvement started", "merge"} <= set(kinds)
    with pytest.raises(Conflict):
        actions.person_merge(make_person(local_id="CS-3"), merged, by=lead, reason="again")

    actions.person_unmerge(merge, by=lead, reason="Different children after all")
    merged.refresh_from_db()
    merge.refresh_from_db()
    assert merged.merged_into is None and merge.undone_by == lead
    assert (
        selectors.routable_involvement(survivor, today=timezone.localdate(), recall_window_days=recall_days)
        is None
    )
    assert "referral" not in [e.kind for e in selectors.person_chronology(officer, survivor)]
    with pytest.raises(Conflict):
        actions.person_unmerge(merge, by=lead, reason="twice")
    assert PersonMerge.objects.get().undone_reason == "Different children after all"


def test_rereferral_within_twelve_months_with_the_earlier_outcome():
    person = make_person()
    now = timezone.now()
    earlier = make_referral(received_at=now - timedelta(days=200), status=Status.CLOSED, rag="blue")
    add_child(earlier, person=person)
    ancient = make_referral(received_at=now - timedelta(days=500))
    older_still = make_referral(received_at=now - timedelta(days=900))  # over a year before "ancient"
    add_child(older_still, person=person)
    add_child(ancient, person=person)
    latest = make_referral(received_at=now)
    add_child(latest, person=person)
    unrelated = make_referral(received_at=now)
    add_child(unrelated, person=make_person(first_name="Zara", local_id="Z"))

    found = selectors.rereferrals([latest, unrelated, earlier])
    assert found[latest.pk].reference == earlier.reference
    assert found[latest.pk].outcome == "Closed (Blue)"
    assert unrelated.pk not in found
    assert found[earlier.pk].reference == ancient.reference  # 300 days before it
    assert selectors.rereferral_for(ancient) is None


def test_rereferral_query_count(django_assert_num_queries):
    referrals = []
    for n in range(5):
        referral = make_referral()
        add_child(referral, person=make_person(local_id=f"L{n}"))
        referrals.append(referral)
    with django_assert_num_queries(2):
        selectors.rereferrals(referrals)
