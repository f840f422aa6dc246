"""Cambridgeshire's published rules (seed 004, the MASH and assessment slides), each driven through
the product's public actions and pages under Cambridgeshire's preset, with a frozen clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mash.exceptions import Conflict, NotPermitted
from mash.models import RetentionPurge
from mash.outbox.models import OutboxMessage
from notifications.models import Alert
from notifications.sweeper import sweep
from referrals.models import Referral
from referrals.states import Rag, Status
from tests.factories import referral_with_people
from tests.support.mash_stage import ATTENDEES, decide, discuss, gathered
from tests.support.world import build_world
from triage.actions import policy_preset_load
from triage.casework.oversight import oversight_record
from triage.decisions import referral_return_for_consent
from triage.models import Deadline
from triage.multiagency import actions as outcomes
from triage.multiagency.models import Outcome, StrategyInvitation
from triage.multiagency.strategy import strategy_discussion_decide
from triage.presets import PRESETS, preset

LONDON = ZoneInfo("Europe/London")
Kind = Deadline.Kind


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026 (GMT), London time: the 2nd is a Monday, no bank holiday near."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    policy_preset_load("cambridgeshire", by=world.users["lead"])
    return world


def _open(referral: Referral, kind: str, subject: str = "") -> Deadline:
    return Deadline.objects.get(referral=referral, kind=kind, subject=subject, met_at__isnull=True)


def _allocated(world, *, rag=Rag.AMBER) -> Referral:
    """Through a MASH discussion to an S17 assessment by Assessment Team North, allocated by its
    manager to the team's social worker."""
    referral = gathered(world, rag=rag)
    discuss(world, referral)
    decide(world, referral)
    outcomes.referral_allocate(referral, worker=world.users["social_worker"], by=world.users["manager_a"])
    referral.refresh_from_db()
    return referral


# --- consent: a referral not progressed for lack of consent is not recorded -----------------------


def test_cambridgeshire_no_consent_referral_is_not_recorded_on_the_system(world):
    """004: "If consent is not sought Children's Social Care will be unable to progress your
    contact/ referral and referral will NOT be recorded on our system if it not progressed."

    Returned for lack of consent, the referral keeps no personal data from that moment: only its
    reference, dates and codes stay, for statistics and the audit trail."""
    with time_machine.travel(at(2, 10), tick=False):
        referral = referral_with_people(adults=2, received_at=at(2, 9, 30))
        referral_return_for_consent(referral, reason="Parents refused consent", by=world.users["lead"])
    referral.refresh_from_db()
    child = referral.children.get()
    assert referral.status == Status.RETURNED and referral.reference
    assert (referral.referrer_name, referral.referrer_email, referral.concerns) == ("", "", "")
    assert (child.first_name, child.last_name, child.date_of_birth) == ("", "", None)
    assert not referral.adults.exists()
    assert RetentionPurge.objects.get(referral=referral).purged_at == at(2, 10)


def test_cambridgeshire_and_every_preset_say_how_long_a_no_consent_referral_is_kept():
    """004's "will NOT be recorded" is Cambridgeshire's 0 days; the other councils publish nothing,
    so each preset says, in its defaults taken, how long such a referral keeps its personal data."""
    assert preset("cambridgeshire")["no_consent_retention_days"] == 0
    for council in PRESETS:
        taken = " ".join(preset(council)["defaults_taken"])
        assert "no-consent retention" in taken, council
        assert f"{preset(council)['no_consent_retention_days']} days" in taken, council


# --- 10 day management oversight -----------------------------------------------------------------


def test_cambridgeshire_ten_day_management_oversight_of_every_allocated_case(world, login):
    """004: "All social workers receive 10 day management oversight and a case supervision during
    the course of the assessment to ensure there is management direction and oversight on the
    cases."

    Allocated on Monday 2 November at 10:00, the first oversight is due ten working days later
    (Monday 16th, 10:00); the team manager's note on Friday 13th meets it and the next is due ten
    working days after the note (Friday 27th); missed, it is overdue to the sweeper and on the
    manager's team queue. The social worker cannot record the manager's oversight."""
    with time_machine.travel(at(2, 10), tick=False):
        referral = _allocated(world)
        assert _open(referral, Kind.MANAGEMENT_OVERSIGHT).due_at == at(16, 10)
    with time_machine.travel(at(13, 11), tick=False):
        with pytest.raises(NotPermitted):
            oversight_record(referral, note="Seen the plan", by=world.users["social_worker"])
        note = oversight_record(
            referral, note="Visit done; agree the assessment plan", by=world.users["manager_a"]
        )
    assert note.was_due_at == at(16, 10) and not note.was_late
    assert _open(referral, Kind.MANAGEMENT_OVERSIGHT).due_at == at(27, 11)
    with time_machine.travel(at(27, 11, 5), tick=False):
        sweep()
        assert _open(referral, Kind.MANAGEMENT_OVERSIGHT).breached_at == at(27, 11, 5)
        assert Alert.objects.filter(referral=referral, level=Alert.Level.BREACH).exists()
        page = login(world.users["manager_a"]).get(reverse("multiagency:team_queue")).content.decode()
    assert "Due 27 November 2026" in page and "Overdue" in page


# --- the strategy discussion within 24 hours of the decision to hold one ------------------------


def test_cambridgeshire_strategy_discussion_within_24_hours_of_the_decision_to_hold_one(world):
    """004: "Once a decision has been made for a strat discussion all involved professionals will
    be sent an invite and a strat discussion should take place within 24 hours."

    Decided on Friday 6 November at 15:00, the discussion is due by Saturday 15:00 (round the
    clock: a weekend does not wait); the clock runs until the discussion is recorded, which meets
    it: on time when held on Saturday morning."""
    with time_machine.travel(at(6, 15), tick=False):
        referral = gathered(world, rag=Rag.RED)
        decision = strategy_discussion_decide(
            referral, reason="Disclosure of harm by a parent", by=world.users["lead"]
        )
    clock = _open(referral, Kind.STRATEGY_DISCUSSION, "strategy_meeting")
    assert (clock.started_at, clock.due_at, decision.due_at) == (at(6, 15), at(7, 15), at(7, 15))
    referral.refresh_from_db()
    assert referral.status == Status.STRATEGY_DISCUSSION
    with time_machine.travel(at(7, 10), tick=False):
        outcomes.strategy_discussion_record(
            referral,
            held_at=at(7, 9),
            attendees=ATTENDEES,
            s47_enquiry=True,
            decision_rationale="Section 47 enquiry agreed",
            by=world.users["lead"],
        )
    clock.refresh_from_db()
    assert clock.met_at == at(7, 9) and clock.met_at < clock.due_at


def test_cambridgeshire_assessment_team_manager_considers_a_strategy_discussion_after_allocation(world):
    """004: "All referral where child protection or high-level safeguarding concerns are noted –
    they will progress to Assessment Team for review and consideration of a strategy discussion
    should threshold be met."

    Once allocated, the receiving team's manager decides on a strategy discussion and records it
    (the case stays allocated); the social worker and another team's manager cannot."""
    with time_machine.travel(at(3, 10), tick=False):
        referral = _allocated(world)
        for outsider in (world.users["social_worker"], world.users["manager_b"]):
            with pytest.raises(NotPermitted):
                strategy_discussion_decide(referral, reason="Concerns grew", by=outsider)
        strategy_discussion_decide(referral, reason="Bruising seen at the visit", by=world.users["manager_a"])
        with pytest.raises(Conflict):
            strategy_discussion_decide(referral, reason="Again", by=world.users["manager_a"])
    assert _open(referral, Kind.STRATEGY_DISCUSSION, "strategy_meeting").due_at == at(4, 10)
    with time_machine.travel(at(3, 16), tick=False):
        outcomes.strategy_discussion_record(
            referral,
            held_at=at(3, 15),
            attendees=ATTENDEES,
            s47_enquiry=True,
            decision_rationale="Section 47 enquiry agreed",
            by=world.users["manager_a"],
        )
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED and referral.strategy_discussion.s47_enquiry
    assert not Deadline.objects.filter(
        referral=referral, kind=Kind.STRATEGY_DISCUSSION, subject="strategy_meeting", met_at__isnull=True
    ).exists()
    assert _open(referral, Kind.ICPC).started_at == at(3, 15)


def test_cambridgeshire_all_involved_professionals_are_sent_an_invite(world):
    """004: "Once a decision has been made for a strat discussion all involved professionals will
    be sent an invite".

    The professional referrer, every agency asked for information and the team holding the case
    are each e-mailed an invitation through the outbox, and each invitation is recorded."""
    with time_machine.travel(at(3, 10), tick=False):
        referral = _allocated(world)
        decision = strategy_discussion_decide(referral, reason="Bruising seen", by=world.users["manager_a"])
    team = world.teams["a"]
    expected = {
        (StrategyInvitation.Invitee.REFERRER, referral.referrer_email),
        (StrategyInvitation.Invitee.AGENCY, world.agencies["police"].email),
        (StrategyInvitation.Invitee.TEAM, team.email or world.users["manager_a"].email),
    }
    assert {(i.invitee, i.email) for i in decision.invitations.all()} == expected
    sent = OutboxMessage.objects.filter(referral=referral, kind="email", key__startswith="strategy:")
    assert {m.payload["to"] for m in sent} == {email for _, email in expected}
    assert all("strategy discussion" in m.payload["subject"].lower() for m in sent)


def test_cambridgeshire_public_referrer_is_not_sent_an_invite(world):
    """004's invitation is to "involved professionals": a member of the public who referred is not
    one, so no invitation goes to them."""
    with time_machine.travel(at(3, 10), tick=False):
        referral = gathered(world, rag=Rag.RED)
        Referral.objects.filter(pk=referral.pk).update(referrer_type=Referral.ReferrerType.PUBLIC)
        referral.refresh_from_db()
        decision = strategy_discussion_decide(referral, reason="Disclosure", by=world.users["lead"])
    assert [i.invitee for i in decision.invitations.all()] == [StrategyInvitation.Invitee.AGENCY]


def test_cambridgeshire_strategy_discussion_is_not_recorded_before_it_is_decided(world):
    """004 puts the decision before the discussion ("Once a decision has been made ... a strat
    discussion should take place within 24 hours"): the clock cannot start and stop in one step."""
    with time_machine.travel(at(3, 10), tick=False):
        referral = gathered(world, rag=Rag.RED)
        with pytest.raises(Conflict):
            outcomes.strategy_discussion_record(
                referral,
                held_at=at(3, 9),
                attendees=ATTENDEES,
                s47_enquiry=False,
                decision_rationale="No enquiry",
                by=world.users["lead"],
            )
    assert not Outcome.objects.filter(referral=referral).exists()
