"""The referral lifecycle: every allowed move, every forbidden one, the history and the policy version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction

from mash.exceptions import InvalidTransition
from mash.models import AuditEvent
from referrals.states import TERMINAL, TRANSITIONS, Rag, Status, can_transition
from tests.factories import ReferralFactory, load_preset
from triage.actions import referral_transition
from triage.models import Deadline, StatusChange

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
FORBIDDEN = [(a, b) for a in Status.values for b in Status.values if not can_transition(a, b)]


@pytest.fixture
def policy(db):
    return load_preset("durham")


def test_the_lifecycle_is_declared_for_every_status():
    assert set(TRANSITIONS) == set(Status.values)
    assert TERMINAL == {Status.CLOSED, Status.RETURNED}
    # Every status can be reached (received again when a claim is released before screening).
    reachable = {b for targets in TRANSITIONS.values() for b in targets}
    assert reachable == set(Status.values)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_move_changes_status_and_writes_history(source, target, policy, make_user):
    user = make_user(username="lee")
    referral = ReferralFactory(status=source, rag=Rag.AMBER)
    moved = referral_transition(referral, to=target, by=user, reason="because")
    assert moved.status == target
    assert referral.status == target  # the caller's instance follows
    change = StatusChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status, change.by, change.by_label, change.reason) == (
        source,
        target,
        user,
        "lee",
        "because",
    )
    assert change.policy_version == policy
    audit_row = AuditEvent.objects.get(action="referral.transition", referral_id=referral.pk)
    assert audit_row.details == {"from": source, "to": target, "policy_version": policy.pk}


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_forbidden_move_is_refused_and_changes_nothing(source, target, policy):
    referral = ReferralFactory(status=source)
    with pytest.raises(InvalidTransition) as error:
        referral_transition(referral, to=target, by="tests")
    assert referral.reference in error.value.message
    assert Status(target).label.lower() in error.value.message
    referral.refresh_from_db()
    assert referral.status == source
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.transition").exists()


def test_an_unknown_status_is_refused(policy):
    referral = ReferralFactory()
    with pytest.raises(InvalidTransition, match="not a referral status"):
        referral_transition(referral, to="lost", by="tests")


def test_the_check_uses_the_stored_status_not_a_stale_instance(policy):
    referral = ReferralFactory(status=Status.RECEIVED)
    stale = ReferralFactory._meta.model.objects.get(pk=referral.pk)
    referral_transition(referral, to=Status.RETURNED, by="tests")
    with pytest.raises(InvalidTransition, match="finished and cannot move"):
        referral_transition(stale, to=Status.SCREENING, by="tests")


def test_history_runs_in_order_with_the_version_used_for_each_move(make_user):
    first = load_preset("durham")
    user = make_user(username="kim")
    referral = ReferralFactory()
    referral_transition(referral, to=Status.SCREENING, by=user, reason="claimed")
    second = load_preset("wolverhampton")
    referral_transition(referral, to=Status.RETURNED, by=user, reason="no consent")
    rows = list(referral.status_changes.values_list("from_status", "to_status", "policy_version", "reason"))
    assert rows == [
        (Status.RECEIVED, Status.SCREENING, first.pk, "claimed"),
        (Status.SCREENING, Status.RETURNED, second.pk, "no consent"),
    ]


def test_an_explicit_policy_version_is_recorded(policy):
    older = policy
    load_preset("derby")
    referral = ReferralFactory()
    referral_transition(referral, to=Status.SCREENING, by="tests", policy=older)
    assert StatusChange.objects.get().policy_version == older


# The clocks the moves start and stop ----------------------------------------------------------------


def _open_kinds(referral) -> set[tuple[str, str]]:
    return set(referral.deadlines.filter(met_at__isnull=True).values_list("kind", "subject"))


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)  # a Tuesday, in hours
def test_a_decided_referral_meets_the_decision_clock_and_starts_the_rag_clock(policy):
    referral = ReferralFactory(received_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    from triage.deadlines import referral_clocks_start

    referral_clocks_start(referral, policy=policy)
    assert _open_kinds(referral) == {(Deadline.Kind.DECISION, "")}
    referral_transition(referral, to=Status.SCREENING, by="tests")
    referral.rag = Rag.AMBER
    referral.save(update_fields=["rag"])
    referral_transition(referral, to=Status.DECIDED, by="tests")
    assert _open_kinds(referral) == {(Deadline.Kind.MASH_DISCUSSION, "")}
    # Durham: Amber within one working day of receipt (001): Wednesday 09:00.
    assert referral.next_due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    referral_transition(referral, to=Status.INFORMATION_GATHERING, by="tests")
    referral_transition(referral, to=Status.STRATEGY_DISCUSSION, by="tests")
    assert _open_kinds(referral) == {(Deadline.Kind.STRATEGY_DISCUSSION, "strategy_meeting")}
    assert referral.next_due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 24 clock hours
    referral_transition(referral, to=Status.OUTCOME, by="tests")
    assert _open_kinds(referral) == set()
    assert referral.next_due_at is None


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)
def test_closing_stops_every_clock(policy):
    referral = ReferralFactory(domestic_abuse_risk="medium")
    from triage.deadlines import referral_clocks_start

    referral_clocks_start(referral, policy=policy)
    assert len(_open_kinds(referral)) == 2
    referral_transition(referral, to=Status.RETURNED, by="tests", reason="no consent")
    assert _open_kinds(referral) == set()
    assert referral.deadlines.filter(met_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC)).count() == 2


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)
def test_routing_to_a_known_case_is_the_decision(policy):
    from triage.deadlines import referral_clocks_start

    referral = ReferralFactory(received_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    referral_clocks_start(referral, policy=policy)
    referral_transition(referral, to=Status.ROUTED_TO_KNOWN_CASE, by="tests", reason="open case")
    decision = referral.deadlines.get(kind=Deadline.Kind.DECISION)
    assert decision.met_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert referral.next_due_at is None


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)
def test_stepping_back_up_starts_a_new_decision_clock(policy):
    referral = ReferralFactory(status=Status.OUTCOME, rag=Rag.GREEN)
    referral_transition(referral, to=Status.SCREENING, by="tests", reason="new information")
    decision = referral.deadlines.get(kind=Deadline.Kind.DECISION)
    assert decision.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert referral.next_due_at == decision.due_at


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)
def test_allocation_to_an_assessment_team_starts_visit_and_assessment(policy):
    from agencies.models import Team

    team = Team.objects.create(name="Assessment 1", slug="assessment-1", kind=Team.Kind.ASSESSMENT)
    referral = ReferralFactory(
        status=Status.OUTCOME, team=team, received_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    )
    referral_transition(referral, to=Status.ALLOCATED, by="tests")
    due = dict(referral.deadlines.values_list("kind", "due_at"))
    assert due[Deadline.Kind.VISIT] == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 5 working days
    # 45 working days from Monday 23 November: 23 to Christmas Eve, then Christmas Day (Fri 25th),
    # Boxing Day's substitute (Mon 28th) and New Year's Day (Fri 1st) are skipped; the 45th is 28 January.
    assert due[Deadline.Kind.ASSESSMENT] == datetime(2027, 1, 28, 9, 0, tzinfo=UTC)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_moving_one_referral_at_once_cannot_both_succeed():
    """The row lock makes the second move wait for the first, then check against its result."""
    import threading
    import time

    from django.db import connection

    load_preset("durham")
    referral = ReferralFactory()
    first_holds_lock, outcomes = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                referral_transition(referral, to=Status.SCREENING, by="ann")
                first_holds_lock.set()
                time.sleep(0.5)  # the second move is now waiting on the row lock
            outcomes["first"] = "moved"
        finally:
            connection.close()

    def second():
        first_holds_lock.wait(5)
        try:
            stale = type(referral).objects.get(pk=referral.pk)  # still "received" in this snapshot
            referral_transition(stale, to=Status.SCREENING, by="bob")
            outcomes["second"] = "moved"
        except InvalidTransition as exc:
            outcomes["second"] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes["first"] == "moved"
    assert "is screening and cannot move to screening" in outcomes["second"]
    assert StatusChange.objects.filter(referral=referral).count() == 1
