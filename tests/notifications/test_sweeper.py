"""The sweeper, with a frozen clock: for each preset council, every kind of clock warns and breaches
within one sweep of the right moment, and exactly once however many sweeps follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mash.outbox.models import OutboxMessage
from mash.roles import Role
from notifications.models import Alert, Heartbeat
from notifications.sweeper import _due, alerts_open, heartbeat_stale, open_alert_levels, sweep
from tests.factories import ReferralFactory, TeamFactory
from triage.actions import policy_preset_load
from triage.deadlines import deadline_meet, deadline_start
from triage.models import Deadline
from triage.presets import PRESETS

LONDON = ZoneInfo("Europe/London")
BEAT = timedelta(seconds=60)
Kind = Deadline.Kind


@pytest.fixture
def people(make_user):
    officer = make_user(Role.SCREENING_OFFICER, username="sam", email="sam@council.example.gov.uk")
    manager = make_user(Role.TEAM_MANAGER, username="mo", email="mo@council.example.gov.uk")
    mash_manager = make_user(Role.MASH_LEAD, username="lee", email="lee@council.example.gov.uk")
    team = TeamFactory(manager=manager)
    TeamFactory(name="MASH", slug="mash", kind="mash", manager=mash_manager)
    return officer, manager, mash_manager, team


def _beat_ticks(start: datetime, deadline: Deadline, after_due: int = 15) -> list[datetime]:
    """Beat's minutes (offset from the clock's start by an odd number of seconds) around the warning
    and the breach, then ``after_due`` more minutes of sweeps."""
    first = start + timedelta(seconds=17)

    def around(moment: datetime, before: int, after: int) -> list[datetime]:
        k = max(int((moment - first) / BEAT), 0)
        return [first + BEAT * i for i in range(max(k - before, 0), k + after)]

    ticks = around(deadline.warn_at, 3, 4) + around(deadline.due_at, 3, after_due)
    return sorted(set(ticks))


def _sweep_at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        return sweep()


@pytest.mark.parametrize("council", sorted(PRESETS))
@pytest.mark.parametrize(
    ("kind", "rag"), [(Kind.DECISION, ""), (Kind.STRATEGY_DISCUSSION, "red"), (Kind.LETTER, "")]
)
def test_each_clock_warns_and_breaches_within_one_sweep_exactly_once(db, people, council, kind, rag):
    officer, manager, _, team = people
    start = datetime(2026, 12, 4, 15, 47, 13, tzinfo=LONDON)  # a Friday afternoon, before a weekend
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load(council, by=None)
        referral = ReferralFactory(decided=True, rag=rag, claimed_by=officer, team=team)
        deadline = deadline_start(referral, kind, policy=policy, start=start)
    assert deadline.warn_at == max(deadline.due_at - timedelta(minutes=policy.warning_lead_minutes), start)

    for tick in _beat_ticks(start, deadline):
        _sweep_at(tick)
        deadline.refresh_from_db()
        assert (deadline.warned_at is not None) == (tick >= deadline.warn_at), tick
        assert (deadline.breached_at is not None) == (tick >= deadline.due_at), tick

    assert deadline.warn_at <= deadline.warned_at < deadline.warn_at + BEAT
    assert deadline.due_at <= deadline.breached_at < deadline.due_at + BEAT
    alerts = Alert.objects.filter(deadline=deadline)
    expected_levels = ["breach", "warning"] if deadline.warn_at < deadline.due_at else ["breach"]
    assert sorted(alerts.values_list("level", flat=True)) == expected_levels
    assert all(a.claimant == officer and a.manager == manager and a.team == team for a in alerts)
    emails = OutboxMessage.objects.filter(kind="email", referral=referral)
    assert sorted(e.payload["to"] for e in emails) == sorted(
        [officer.email, manager.email] * len(expected_levels)
    )


def test_a_breach_stays_in_the_queue_until_the_work_is_done(db, people):
    officer, _, _, team = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        referral = ReferralFactory(decided=True, claimed_by=officer, team=team, rag="red")
        deadline = deadline_start(referral, Kind.STRATEGY_DISCUSSION, policy=policy, start=start)
    _sweep_at(start + timedelta(hours=3, minutes=30))  # Red: 4 clock hours, warned an hour before
    assert list(alerts_open(team).values_list("level", flat=True)) == ["warning"]

    for hours in (5, 8, 30, 72):
        _sweep_at(start + timedelta(hours=hours))
        assert list(alerts_open(team).filter(level="breach").values_list("deadline", flat=True)) == [
            deadline.pk
        ]

    with time_machine.travel(start + timedelta(hours=73), tick=False):
        deadline_meet(referral, Kind.STRATEGY_DISCUSSION)
    _sweep_at(start + timedelta(hours=74))
    assert not alerts_open(team).exists()
    assert Alert.objects.filter(deadline=deadline).count() == 2  # history is kept


def test_a_deadline_found_already_overdue_gets_the_breach_only(db, people):
    officer, _, _, team = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        deadline = deadline_start(
            ReferralFactory(decided=True, claimed_by=officer, team=team, rag="red"),
            Kind.STRATEGY_DISCUSSION,
            policy=policy,
        )

    result = _sweep_at(start + timedelta(days=2))  # beat was down for two days

    assert (result.breached, result.warned) == (1, 0)
    assert list(Alert.objects.filter(deadline=deadline).values_list("level", flat=True)) == ["breach"]


def test_without_a_team_the_mash_manager_hears_of_it(db, people):
    officer, _, mash_manager, _ = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        referral = ReferralFactory(decided=True, claimed_by=None, team=None)
        deadline_start(referral, Kind.DECISION, policy=policy)

    _sweep_at(start + timedelta(days=3))

    assert {e.payload["to"] for e in OutboxMessage.objects.filter(kind="email")} == {mash_manager.email}
    assert Alert.objects.get(level="breach").manager == mash_manager


def test_a_deadline_moved_later_after_its_breach_breaches_again_without_error(db, people):
    officer, _, _, team = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        deadline = deadline_start(
            ReferralFactory(decided=True, claimed_by=officer, team=team), Kind.DECISION, policy=policy
        )
    _sweep_at(deadline.due_at + BEAT)
    # What triage does when a RAG step-down gives more time (triage.deadlines._move).
    new_due = deadline.due_at + timedelta(hours=24)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=new_due, breached_at=None)

    _sweep_at(new_due + BEAT)

    breach = Alert.objects.get(deadline=deadline, level="breach")
    assert breach.due_at == new_due
    assert OutboxMessage.objects.filter(key__startswith=f"alert:{deadline.pk}:breach:").count() == 4


def test_every_sweep_leaves_a_heartbeat_and_a_silent_beat_shows(db):
    moment = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)

    _sweep_at(moment)

    assert Heartbeat.objects.get(name="sweeper").last_seen_at == moment
    assert not heartbeat_stale(moment + timedelta(seconds=90))
    assert heartbeat_stale(moment + timedelta(minutes=3))


QUERIES_PER_SWEEP = 18


@pytest.mark.parametrize("due", [5, 40])
def test_a_sweep_takes_the_same_number_of_queries_however_many_are_due(db, people, monkeypatch, due):
    """The cost of a tick follows its batches, not the deadlines in them: the stamps, the alerts, the
    e-mails and the audit rows are one statement each per batch. (Publishing the e-mails happens after
    commit, which a test transaction never reaches; the outbox's own tests cover it and republishing.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer, _, _, team = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        for _ in range(due):
            deadline_start(
                ReferralFactory(decided=True, claimed_by=officer, team=team), Kind.DECISION, policy=policy
            )

    monkeypatch.setattr("notifications.sweeper.republish_due", lambda now: 0)
    with time_machine.travel(start + timedelta(days=3), tick=False), CaptureQueriesContext(connection) as ctx:
        assert sweep().breached == due

    assert OutboxMessage.objects.filter(key__startswith="alert:").count() == 2 * due
    # Per pass: the batch, the MASH team (once), two stamps, the alerts, the e-mails' keys and rows, the
    # audit rows, inside a savepoint; then the heartbeat. SQLite caps a statement's parameters (999),
    # so there the e-mails' rows take one INSERT per that many values; PostgreSQL takes one.
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    inserts = ceil(2 * due / connection.ops.bulk_batch_size(fields, [None] * 2 * due))
    expected = QUERIES_PER_SWEEP - 1 + inserts
    assert len(ctx.captured_queries) == expected, [q["sql"][:60] for q in ctx.captured_queries]


def test_the_queue_gets_each_referrals_worst_open_alert_in_one_query(db, people, django_assert_num_queries):
    officer, _, _, team = people
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        policy = policy_preset_load("durham", by=None)
        late, soon, calm = (
            ReferralFactory(decided=True, claimed_by=officer, team=team, rag="red") for _ in range(3)
        )
        deadline_start(late, Kind.STRATEGY_DISCUSSION, policy=policy, start=start - timedelta(hours=5))
        deadline_start(late, Kind.DECISION, policy=policy)
        deadline_start(soon, Kind.STRATEGY_DISCUSSION, policy=policy)
        deadline_start(calm, Kind.DECISION, policy=policy)
    _sweep_at(start + timedelta(hours=3, minutes=30))

    with django_assert_num_queries(1):
        levels = open_alert_levels([late.pk, soon.pk, calm.pk])

    assert levels == {late.pk: "breach", soon.pk: "warning"}


@pytest.mark.postgres
def test_the_sweepers_queries_can_use_the_partial_indexes(db):
    from django.db import connection

    now = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # tiny test tables: make the planner show its options
    plans = {
        level: _due(level, now).select_for_update(skip_locked=True, of=("self",))[:200].explain()
        for level in ("breach", "warning")
    }

    assert "deadline_to_breach" in plans["breach"]
    assert "deadline_to_warn" in plans["warning"]
