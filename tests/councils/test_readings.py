"""Readings of what the councils' documents leave open, each a policy setting whose chosen value every
preset states in its defaults_taken: the recall window's reference day, clock-hour deadlines that
fall out of hours, Red without consent, and what an information request shares with partners."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Agency
from mash import audit
from mash.codes import LawfulBasis
from mash.exceptions import InvalidInput
from mash.roles import Role
from referrals.actions import referral_submit
from referrals.intake import clean_intake
from referrals.person_index import actions as person_index
from referrals.states import Rag, Status
from tests.factories import AgencyFactory
from tests.factories.person_index import add_involvement, make_person, make_team
from tests.support import answers
from triage import decisions as d
from triage.actions import policy_preset_load, policy_version_create
from triage.models import ChildDecision, ConsentBasis
from triage.multiagency.requests import information_requests_send
from triage.policy import due_at
from triage.presets import PRESETS, preset

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TUESDAY_10AM = datetime(2026, 11, 17, 10, 0, tzinfo=LONDON)
THURSDAY_10AM = datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)


def submit(key: str):
    data = clean_intake(
        {
            "route": {"referrer_type": "professional"},
            "referrer": answers.professional_answers(),
            "concern": answers.concern_answers(),
            "support": answers.support_answers(),
            "voices": answers.voices_answers(),
            "consent": answers.consent_answers(),
            "children": [answers.child_answers()],
            "adults": [answers.adult_answers()],
        }
    )
    return referral_submit(data, by=audit.PUBLIC, channel="online", idempotency_key=key)


def load(council: str, **changes):
    """The council's preset, with ``changes``, as the current policy version."""
    return policy_version_create(
        council=council, settings={**preset(council), **changes}, by=None, note="a reading under test"
    )


@pytest.mark.parametrize("council", sorted(PRESETS))
def test_every_preset_states_each_reading_it_took(db, council):
    """Each reading is a choice the council's document does not settle: the preset says which."""
    taken = " ".join(policy_preset_load(council, by=None).defaults_taken)
    for subject in ("recall window", "clock-hour deadlines out of hours", "Red without consent"):
        assert subject in taken, subject
    assert "sharing with partners" in taken or council == "wolverhampton"  # 002 publishes its own


# --- (a) the recall window: counted to the referral's receipt, or to the day of the check --------


@pytest.mark.parametrize(("counts_to", "routed"), [("receipt", True), ("check", False)])
def test_recall_window_counted_to_the_receipt_or_to_the_day_of_the_check(db, officer, counts_to, routed):
    """002: "a case that has been closed within the last 28 days". A case closed 27 days before the
    referral arrived, checked three days later (30 days after the closure): within the window
    counted to the receipt, outside it counted to the day of the check."""
    load("wolverhampton", recall_window_counts_to=counts_to)
    team = make_team("Social Work Unit 5")
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit("web:recall")
    person = make_person()
    add_involvement(person, team, closed_on=TUESDAY_10AM.date() - timedelta(days=27))
    with time_machine.travel(TUESDAY_10AM + timedelta(days=3), tick=False):
        person_index.match_confirm(referral, referral.children.get(), person, by=officer, reason="Same")
    referral.refresh_from_db()
    assert (referral.status == Status.ROUTED_TO_KNOWN_CASE) is routed


# --- (b) clock-hour deadlines that fall out of hours -----------------------------------------------


def test_cambridgeshire_amber_due_at_the_weekend_moves_to_the_next_working_moment(db):
    """004: outside hours "your referral will wait to be reviewed the next working day": Amber's 24
    hours from Friday 3pm end on Saturday, so the deadline moves to Monday's opening (8.45am)."""
    policy = policy_preset_load("cambridgeshire", by=None)
    friday_3pm = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
    assert due_at(policy, policy.rag_timescales["amber"], friday_3pm) == datetime(
        2026, 11, 23, 8, 45, tzinfo=LONDON
    )
    # Green's 72 hours from Thursday 10am end on Sunday: Monday's opening too.
    assert due_at(policy, policy.rag_timescales["green"], THURSDAY_10AM) == datetime(
        2026, 11, 23, 8, 45, tzinfo=LONDON
    )


def test_wolverhampton_clock_hour_deadlines_are_kept_as_they_fall(db):
    """002 gives "24 hours" and "72 hours" as hours: kept as they fall, even on a weekend."""
    policy = policy_preset_load("wolverhampton", by=None)
    assert due_at(policy, policy.rag_timescales["green"], THURSDAY_10AM) == THURSDAY_10AM + timedelta(
        hours=72
    )


@pytest.mark.parametrize("council", sorted(PRESETS))
def test_red_runs_round_the_clock_whatever_the_reading(db, council):
    """002: Red "in 4 hours (or immediate if required)": never moved to working time."""
    policy = load(council, clock_hours_due_out_of_hours="next_working_moment")
    friday_3pm = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
    assert due_at(policy, policy.rag_timescales["red"], friday_3pm) == friday_3pm + timedelta(hours=4)


# --- (c) Red without consent: the risk reason specifically, or any recorded reason ----------------


def _red_without_consent(lead, basis):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit(f"web:red-{basis}")
        child = referral.children.get()
        decision = d.ChildDecisionInput(
            child_id=child.pk,
            rag=Rag.RED,
            level_of_need=4,
            rationale="Disclosure of a weapon at home.",
            consent_basis=basis,
            consent_reason="Mother could not be reached before the strategy discussion",
        )
        d.referral_decide(referral, decisions=[decision], by=lead)


def test_cambridgeshire_red_without_consent_needs_the_significant_risk_reason(db, lead):
    """004: "Consent not required where it will place a child at significant risk": another reason
    for going without consent is refused; the risk reason is accepted."""
    policy_preset_load("cambridgeshire", by=None)
    with pytest.raises(InvalidInput, match="would put the child at risk"):
        _red_without_consent(lead, ConsentBasis.WITHOUT_CONSENT_REASON)
    assert not ChildDecision.objects.exists()
    _red_without_consent(lead, ConsentBasis.RISK)
    assert ChildDecision.objects.get().consent_basis == ConsentBasis.RISK


def test_red_without_consent_on_any_recorded_reason_where_the_policy_reads_it_so(db, lead):
    """The other reading, chosen by an administrator: any recorded reason for going without consent."""
    load("cambridgeshire", risk_rule_reason="any_reason")
    _red_without_consent(lead, ConsentBasis.WITHOUT_CONSENT_REASON)
    assert ChildDecision.objects.get().consent_basis == ConsentBasis.WITHOUT_CONSENT_REASON


# --- what an information request shares with partners ----------------------------------------------


@pytest.mark.parametrize("council", ["derby", "durham", "cambridgeshire"])
def test_councils_silent_on_sharing_share_only_the_people_and_the_question(
    db, lead, make_user, login, council
):
    """Derby, Durham and Cambridgeshire publish nothing on what a request carries: the agency sees the
    people and the question, and neither the rating nor the referral's concerns."""
    policy_preset_load(council, by=None)
    agency = AgencyFactory(slug=f"{council}-health", kind=Agency.Kind.HEALTH)
    nurse = make_user(Role.AGENCY_PARTNER, username=f"{council}_nurse")
    agency.members.add(nurse)
    with time_machine.travel(TUESDAY_10AM, tick=False):
        referral = submit(f"web:{council}")
        child = referral.children.get()
        decision = d.ChildDecisionInput(
            child_id=child.pk, rag=Rag.AMBER, level_of_need=3, rationale="Bruising.", consent_basis="given"
        )
        d.referral_decide(referral, decisions=[decision], by=lead)
        referral.refresh_from_db()
        (request,) = information_requests_send(
            referral,
            agencies=[agency],
            question="Is Amy registered with a GP?",
            lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
            by=lead,
        )
        client = login(nurse)
        body = client.get(reverse("partners:request_detail", kwargs={"public_id": request.public_id}))
        api = client.get(reverse("partners-api:request_detail", kwargs={"public_id": request.public_id}))
    text = body.content.decode()
    assert "Is Amy registered with a GP?" in text and child.last_name in text
    assert referral.concerns not in text and "RAG rating" not in text
    assert api.json()["shared"] == [] and referral.concerns not in api.content.decode()


def test_a_partner_share_outside_the_list_is_refused_by_field(db):
    """A policy cannot share what the product does not know how to share."""
    with pytest.raises(ValidationError) as error:
        load("derby", partner_shares=["rag", "referrer"])
    assert "partner_shares" in error.value.message_dict
