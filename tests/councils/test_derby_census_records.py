"""Derby City's published rules about what follows an assessment and an enquiry, driven through the
casework actions with a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.support.world import build_world
from tests.triage.casework.test_casework import allocated, at, authorise, child_of, day, start_assessment
from triage.actions import policy_preset_load
from triage.casework import actions as casework
from triage.casework import actions_census as census
from triage.models import Deadline

pytestmark = pytest.mark.django_db

# After the work below: Monday 30 November 2026, mid-morning.
LATER = at(dt.date(2026, 11, 30), 10)


@pytest.fixture
def derby_world(make_user):
    world = build_world(make_user)
    policy_preset_load("derby", by=world.users["admin"], note="Derby City's preset")
    return world


def test_derby_an_assessment_may_lead_to_a_child_in_need_plan(derby_world):
    """000: the assessment teams "carry out children and family assessments, which may lead to a
    Child in Need plan, a 'step down' to early help services or no further action"."""
    world = derby_world
    with time_machine.travel(LATER, tick=False):
        referral = allocated(world)
        assert referral.policy_version.council == "derby"
        worker = world.users["social_worker"]
        assessment = start_assessment(world, referral)
        authorise(world, assessment)  # day 17: support needed
        plan = census.cin_plan_start(referral, child=child_of(referral), started_on=day(18), by=worker)
    assert plan.assessment == assessment and plan.started_on == day(18)


def test_derby_an_enquiry_progresses_to_a_conference_and_its_plan(derby_world):
    """000: the assessment teams "carry out S47 enquiries and progress to Initial Child Protection
    Conferences where required": the conference's plan starts on its date, reviewed within three
    months (Working Together, which Derby's preset takes)."""
    world = derby_world
    with time_machine.travel(LATER, tick=False):
        referral = allocated(world, red=True)
        worker = world.users["social_worker"]
        enquiry = casework.s47_start(referral, child=child_of(referral), by=worker)
        casework.icpc_record(enquiry, icpc_on=day(10), cp_plan=True, initial_category="EMO", by=worker)
        plan = census.cp_plan_start(enquiry, by=worker)
    assert (plan.started_on, plan.initial_category) == (day(10), "EMO")
    clock = Deadline.objects.get(referral=referral, kind=Deadline.Kind.CP_REVIEW, subject=plan.clock_subject)
    # Derby works 09:00-17:00 (000): Friday 12 February 2027, three months on, at 17:00.
    assert clock.due_at == at(dt.date(2027, 2, 12), 17)
