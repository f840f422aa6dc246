"""The census items recorded after allocation beside the assessment and the enquiry: the UPN and its
check letter, UPN-unknown reasons and the former UPN; coded disabilities; the birth of an unborn
child; CIN plans; child protection plans started from the initial conference, their review clocks
(first within 3 months, then every 6), category changes and end; the child's death; who may record;
and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from mash.codes import CpPlanEndReason
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from mash.templatetags.govuk import govuk_date
from mash.upn import check_letter, upn_error
from referrals.person_index.actions import person_create
from referrals.person_index.keys import person_keys
from referrals.person_index.matching import Probe, find_candidates
from referrals.person_index.models import Person
from referrals.states import Status
from reports import annex_a
from reports.annex_a_labels import LIST_7_COLUMNS
from tests.support.world import build_world
from tests.triage.casework.test_casework import (
    MONDAY,
    allocated,
    at,
    authorise,
    boxes,
    child_of,
    day,
    open_clock,
    start_assessment,
)
from triage.actions import policy_version_create
from triage.casework import actions as casework
from triage.casework import actions_census as census
from triage.casework.models import Section47Enquiry
from triage.casework.models_census import ChildCensusDetails, ChildProtectionPlan, CinPlan
from triage.models import Deadline
from triage.policy import calendar_for, current_policy
from triage.presets import preset

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


# Valid UPNs given as examples in the Department's UPN guidance: a permanent one and a temporary one
# (a letter in character 13).
PERMANENT_UPN = "H801200001001"
TEMPORARY_UPN = "G80120000101A"


def _worker(world):
    return world.users["social_worker"]


def audited(action: str, **filters) -> bool:
    return AuditEvent.objects.filter(action=action, kind=AuditEvent.Kind.WRITE, **filters).exists()


# --- the UPN ------------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", [PERMANENT_UPN, TEMPORARY_UPN, "h8012 0000 1001"])
def test_the_departments_example_upns_are_valid(upn):
    assert upn_error(upn) is None


def test_the_check_letter_is_the_weighted_sum_modulo_23():
    # H801200001001: 8x2 + 1x4 + 2x5 + 1x10 + 1x13 = 53; 53 mod 23 = 7, the eighth letter: H.
    assert check_letter(PERMANENT_UPN) == "H"
    # G80120000101A: A counts as 0 in character 13; 16 + 4 + 10 + 10 + 12 = 52; 52 mod 23 = 6: G.
    assert check_letter(TEMPORARY_UPN) == "G"


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("Z801200001001", "wrong check letter: Z where its digits give H"),
        ("H80120000100", "must be 13 characters, not 12"),
        ("H80120000A001", "a letter, 11 digits, then a digit or a letter"),
        ("I801200001001", "without I, O or S"),
        ("G80120000101O", "without I, O or S"),
    ],
)
def test_a_bad_upn_is_refused_with_the_reason(upn, message):
    assert message in upn_error(upn)


# --- identifiers and disabilities ---------------------------------------------------------------


def test_the_upn_and_a_former_upn_are_recorded_and_audited(world):
    referral = allocated(world)
    child = child_of(referral)
    details = census.child_identifiers_record(
        child, upn=PERMANENT_UPN.lower(), former_upn=TEMPORARY_UPN, by=_worker(world)
    )
    assert (details.upn, details.upn_unknown, details.former_upn) == (PERMANENT_UPN, "", TEMPORARY_UPN)
    assert audited("triage.child_identifiers_record", referral_id=referral.pk, object_id=str(details.pk))
    census.child_identifiers_record(child, upn_unknown="UN2", by=world.users["manager_a"])
    details.refresh_from_db()
    assert (details.upn, details.upn_unknown, details.former_upn) == ("", "UN2", "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Enter the UPN, or choose why it is not known."),
        ({"upn": PERMANENT_UPN, "upn_unknown": "UN1"}, "not both"),
        ({"upn": "Z801200001001"}, "The UPN has the wrong check letter"),
        ({"upn": PERMANENT_UPN, "former_upn": "B801200001001"}, "The former UPN has the wrong check letter"),
        ({"upn": PERMANENT_UPN, "former_upn": PERMANENT_UPN}, "The former UPN is the child's UPN"),
        ({"upn_unknown": "UN11"}, "Choose why the UPN is not known"),
        ({"upn_unknown": "UN7"}, "UN7 is for a referral with no further action"),
    ],
)
def test_bad_identifiers_are_refused_and_nothing_is_written(world, fields, message):
    referral = allocated(world)
    with pytest.raises(InvalidInput, match=message):
        census.child_identifiers_record(child_of(referral), by=_worker(world), **fields)
    assert not ChildCensusDetails.objects.exists()


def test_disabilities_are_recorded_as_census_codes_in_the_census_order(world):
    referral = allocated(world)
    details = census.child_disabilities_record(child_of(referral), codes=["aut", "MOB"], by=_worker(world))
    assert details.disabilities == ["MOB", "AUT"] and details.has_disability is True
    details = census.child_disabilities_record(child_of(referral), codes=["NONE"], by=_worker(world))
    assert details.disabilities == ["NONE"] and details.has_disability is False
    event = AuditEvent.objects.filter(action="triage.child_disabilities_record").order_by("id").last()
    assert event.details["before"] == ["MOB", "AUT"] and event.details["after"] == ["NONE"]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([], "Choose the child's disabilities, or NONE"),
        (["NONE", "MOB"], "NONE \\(no disability\\) stands alone"),
        (["MOB", "mob"], "each code once"),
        (["Deaf"], "DEAF is not a census disability code"),
    ],
)
def test_bad_disability_codes_are_refused(world, codes, message):
    referral = allocated(world)
    with pytest.raises(InvalidInput, match=message):
        census.child_disabilities_record(child_of(referral), codes=codes, by=_worker(world))


def test_child_details_are_still_recorded_once_the_episode_is_closed(world):
    referral = allocated(world)
    casework.cin_close(referral, child=child_of(referral), closed_on=day(3), reason="RC7", by=_worker(world))
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    census.child_identifiers_record(child_of(referral), upn=PERMANENT_UPN, by=_worker(world))
    with pytest.raises(Conflict, match="allocated referral"):
        census.child_death_record(child_of(referral), died_on=day(4), by=_worker(world))


@pytest.mark.parametrize("who", ["screening", "lead", "manager_b"])
def test_only_the_allocated_worker_or_the_teams_manager_records_census_items(world, who):
    referral = allocated(world)
    with pytest.raises(NotPermitted):
        census.child_identifiers_record(child_of(referral), upn=PERMANENT_UPN, by=world.users[who])
    with pytest.raises(NotPermitted):
        census.cin_plan_start(referral, child=child_of(referral), started_on=day(20), by=world.users[who])


# --- birth and death ----------------------------------------------------------------------------


def _make_unborn(child):
    child.first_name = child.last_name = ""
    child.date_of_birth, child.expected_date_of_birth = None, day(20)
    child.save()
    return child


def test_the_birth_of_an_unborn_child_gives_them_a_date_of_birth_sex_and_name(world):
    referral = allocated(world)
    child = _make_unborn(child_of(referral))
    census.child_birth_record(
        child, born_on=day(18), sex="f", first_name="Ava", last_name="Smith", by=_worker(world)
    )
    child.refresh_from_db()
    assert (child.date_of_birth, child.sex, child.full_name) == (day(18), "F", "Ava Smith")
    assert child.expected_date_of_birth == day(20)  # kept, as history
    assert audited("triage.child_birth_record", referral_id=referral.pk, object_id=str(child.pk))
    with pytest.raises(Conflict, match="already born"):
        census.child_birth_record(child, born_on=day(18), sex="F", by=_worker(world))


def _indexed(world, child, **fields):
    """The child linked to a person index record made as the referral would add it."""
    child.person = person_create(
        first_name=child.first_name or "Baby", last_name=child.last_name or "Smith",
        by=world.users["screening"], reason="Added from the referral", **fields,
    )  # fmt: skip
    child.save(update_fields=["person"])
    return child.person


def test_a_birth_brings_the_childs_person_index_record_up_to_date_keeping_its_old_name(world, login):
    referral = allocated(world)
    child = _make_unborn(child_of(referral))
    person = _indexed(world, child, date_of_birth=day(20))  # the expected date, as the index added it
    census.child_birth_record(
        child, born_on=day(18), sex="F", first_name="Ava", last_name="Smith", by=_worker(world)
    )
    person.refresh_from_db()
    assert (person.date_of_birth, person.sex, person.full_name) == (day(18), "F", "Ava Smith")
    assert person.first_key == person_keys("Ava", "Smith")["first_key"]
    assert [(n.first_name, n.last_name) for n in person.other_names.all()] == [("Baby", "Smith")]
    event = AuditEvent.objects.get(action="person_index.person_birth", object_id=str(person.pk))
    assert event.details["before"] == {
        "date_of_birth": day(20).isoformat(), "sex": "U", "name": "Baby Smith"
    }  # fmt: skip
    # The known-child check now finds the child by their name and real date of birth.
    child.refresh_from_db()
    assert person in [c.person for c in find_candidates(Probe.of(child))]


def test_a_death_is_shown_on_the_childs_person_index_record_of_the_survivor(world, login):
    referral = allocated(world)
    child = child_of(referral)
    merged = _indexed(world, child, date_of_birth=child.date_of_birth)
    survivor = person_create(first_name="Sam", last_name="Jones", by=world.users["screening"], reason="x")
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    census.child_death_record(child, died_on=day(3), by=_worker(world))
    survivor.refresh_from_db()
    assert survivor.died_on == day(3)
    assert audited("person_index.person_death", object_id=str(survivor.pk), referral_id=referral.pk)
    client = login(world.users["lead"])  # the person index is the MASH's
    page = client.get(reverse("person_index:person_chronology", args=[survivor.pk])).content.decode()
    assert "Date of death" in page and govuk_date(day(3)) in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"born_on": None, "sex": "F"}, "Enter the date of birth"),
        ({"born_on": dt.date(2099, 1, 1), "sex": "F"}, "The date of birth cannot be in the future"),
        ({"born_on": MONDAY, "sex": "X"}, "Choose the child's sex"),
        ({"born_on": MONDAY, "sex": "M", "first_name": "A" * 101}, "first name must be 100 characters"),
    ],
)
def test_a_bad_birth_is_refused_and_the_child_stays_unborn(world, fields, message):
    referral = allocated(world)
    child = _make_unborn(child_of(referral))
    with pytest.raises(InvalidInput, match=message):
        census.child_birth_record(child, by=_worker(world), **fields)
    child.refresh_from_db()
    assert child.date_of_birth is None and child.sex == "U"


def test_a_death_ends_the_plans_and_stops_the_clocks_once_nobody_is_left(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)
    clock = open_clock(referral, Deadline.Kind.CP_REVIEW)
    assert open_clock(referral, Deadline.Kind.VISIT) is not None
    census.child_death_record(child_of(referral), died_on=day(19), by=_worker(world))
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason) == (day(19), CpPlanEndReason.DIED)
    assert Deadline.objects.get(pk=clock.pk).met_at == at(day(19), 12)
    assert not Deadline.objects.filter(referral=referral, met_at__isnull=True).exclude(kind="letter").exists()
    assert ChildCensusDetails.objects.get(child=child_of(referral)).died_on == day(19)
    with pytest.raises(Conflict, match="already recorded"):
        census.child_death_record(child_of(referral), died_on=day(19), by=_worker(world))


def test_a_death_leaves_the_referrals_clocks_while_another_child_is_open(world):
    referral = allocated(world, children=2)
    census.child_death_record(child_of(referral), died_on=day(3), by=_worker(world))
    assert open_clock(referral, Deadline.Kind.VISIT) is not None
    with pytest.raises(InvalidInput, match="death is recorded: no plan starts"):
        census.cin_plan_start(referral, child=child_of(referral), started_on=day(3), by=_worker(world))


@pytest.mark.parametrize(
    ("died_on", "message"),
    [
        (dt.date(2099, 1, 1), "The date of death cannot be in the future"),
        (dt.date(2018, 4, 30), "cannot be before the date of birth"),
    ],
)
def test_a_bad_death_is_refused(world, died_on, message):
    referral = allocated(world)
    with pytest.raises(InvalidInput, match=message):
        census.child_death_record(child_of(referral), died_on=died_on, by=_worker(world))


def test_an_unborn_childs_death_waits_for_the_birth(world):
    referral = allocated(world)
    child = _make_unborn(child_of(referral))
    with pytest.raises(InvalidInput, match="Record the child's birth"):
        census.child_death_record(child, died_on=day(3), by=_worker(world))


# --- the assessment's internal review -----------------------------------------------------------


def test_an_open_assessments_internal_review_is_recorded_audited_and_before_its_authorisation(world):
    referral = allocated(world)
    assessment = start_assessment(world, referral)  # day 7
    census.assessment_internal_review(assessment, reviewed_on=day(12), by=_worker(world))
    assessment.refresh_from_db()
    assert assessment.internal_reviewed_on == day(12)
    assert audited("triage.assessment_internal_review", object_id=str(assessment.pk), referral_id=referral.pk)
    with pytest.raises(Conflict, match="internal review is already recorded"):
        census.assessment_internal_review(assessment, reviewed_on=day(13), by=_worker(world))
    with pytest.raises(InvalidInput, match=r"before its internal review \(\d\d/\d\d/\d{4}\)"):
        authorise(world, assessment, authorised_on=day(11))
    authorise(world, assessment)
    with pytest.raises(Conflict, match="has been authorised"):
        census.assessment_internal_review(assessment, reviewed_on=day(14), by=_worker(world))


@pytest.mark.parametrize(
    ("reviewed_on", "message"),
    [
        (day(6), "cannot be before the assessment's start"),
        (day(400), "cannot be in the future"),
        (None, "Enter the date of the internal review"),
    ],
)
def test_a_bad_internal_review_is_refused_and_nothing_is_written(world, reviewed_on, message):
    assessment = start_assessment(world, allocated(world))
    with pytest.raises(InvalidInput, match=message):
        census.assessment_internal_review(assessment, reviewed_on=reviewed_on, by=_worker(world))
    assessment.refresh_from_db()
    assert assessment.internal_reviewed_on is None
    assert not audited("triage.assessment_internal_review")


def test_the_internal_review_is_recorded_through_its_page(world, login):
    referral = allocated(world)
    client = login(_worker(world))
    ref = {"reference": referral.reference}
    url = reverse("casework:assessment_internal_review", kwargs=ref)
    assert "No open assessment on this referral" in client.get(url).content.decode()
    assessment = start_assessment(world, referral)
    bad = client.post(url, {"assessment": assessment.pk})
    assert bad.status_code == 400 and "Enter the date of the internal review" in bad.content.decode()
    assert (
        client.post(url, {"assessment": assessment.pk, **boxes("reviewed_on", "12 11 2026")}).status_code
        == 302
    )
    assessment.refresh_from_db()
    assert assessment.internal_reviewed_on == dt.date(2026, 11, 12)
    assert "12 November 2026" in client.get(reverse("casework:record", kwargs=ref)).content.decode()
    assert AuditEvent.objects.filter(
        action="triage.assessment_internal_review_view", referral_id=referral.pk
    ).exists()


# --- child in need plans ------------------------------------------------------------------------


def test_a_cin_plan_follows_the_assessment_and_is_reviewed_and_ended(world):
    referral = allocated(world)
    assessment = start_assessment(world, referral)
    with pytest.raises(InvalidInput, match="authorise the child's assessment first"):
        census.cin_plan_start(referral, child=child_of(referral), started_on=day(17), by=_worker(world))
    authorise(world, assessment)  # day 17, support needed
    plan = census.cin_plan_start(referral, child=child_of(referral), started_on=day(17), by=_worker(world))
    assert plan.assessment == assessment and plan.is_open
    assert audited("triage.cin_plan_start", object_id=str(plan.pk))
    review = census.cin_plan_review(plan, reviewed_on=day(24), by=_worker(world))
    assert audited("triage.cin_plan_review", object_id=str(review.pk), referral_id=referral.pk)
    with pytest.raises(InvalidInput, match="cannot be before its last review"):
        census.cin_plan_end(plan, ended_on=day(23), by=_worker(world))
    census.cin_plan_end(plan, ended_on=day(25), by=_worker(world))
    plan.refresh_from_db()
    assert plan.ended_on == day(25)
    with pytest.raises(Conflict, match="This plan has ended"):
        census.cin_plan_review(plan, reviewed_on=day(26), by=_worker(world))


def test_no_cin_plan_when_the_assessment_found_no_need_for_support(world):
    referral = allocated(world)
    authorise(world, start_assessment(world, referral), requires_support=False)
    with pytest.raises(InvalidInput, match="do not need children's social care support"):
        census.cin_plan_start(referral, child=child_of(referral), started_on=day(17), by=_worker(world))


def test_an_open_plan_stops_the_episode_closing(world):
    referral = allocated(world)
    authorise(world, start_assessment(world, referral))
    census.cin_plan_start(referral, child=child_of(referral), started_on=day(17), by=_worker(world))
    with pytest.raises(InvalidInput, match="End the child's child in need or child protection plan"):
        casework.cin_close(
            referral, child=child_of(referral), closed_on=day(18), reason="RC7", by=_worker(world)
        )


# --- child protection plans ---------------------------------------------------------------------

ICPC_DAY = day(10)  # Thursday 12 November 2026


def _conference(world, referral, *, category="NEG"):
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    return casework.icpc_record(
        enquiry, icpc_on=ICPC_DAY, cp_plan=True, initial_category=category, by=_worker(world)
    )


def _cp_plan(world, referral, **kwargs):
    return census.cp_plan_start(_conference(world, referral, **kwargs), by=_worker(world))


def test_a_cp_plan_starts_from_the_conference_with_its_date_and_category(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral, category="PHY")
    assert (plan.started_on, plan.initial_category, plan.latest_category) == (ICPC_DAY, "PHY", "PHY")
    assert plan.previous_plans == 0 and plan.enquiry.icpc_on == ICPC_DAY
    assert audited("triage.cp_plan_start", object_id=str(plan.pk))
    with pytest.raises(Conflict, match="already recorded"):
        census.cp_plan_start(plan.enquiry, by=_worker(world))


def test_a_conference_without_a_plan_starts_none(world):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    casework.icpc_record(enquiry, icpc_on=ICPC_DAY, cp_plan=False, by=_worker(world))
    with pytest.raises(InvalidInput, match="an initial conference that decided on one"):
        census.cp_plan_start(enquiry, by=_worker(world))
    assert not ChildProtectionPlan.objects.exists()


def test_a_cp_plan_does_not_run_alongside_a_cin_plan(world):
    referral = allocated(world, red=True)
    authorise(world, start_assessment(world, referral, started_on=day(1)), authorised_on=day(3))
    cin = census.cin_plan_start(referral, child=child_of(referral), started_on=day(3), by=_worker(world))
    enquiry = _conference(world, referral)
    with pytest.raises(InvalidInput, match="End the child's child in need plan"):
        census.cp_plan_start(enquiry, by=_worker(world))
    census.cin_plan_end(cin, ended_on=ICPC_DAY, by=_worker(world))
    census.cp_plan_start(enquiry, by=_worker(world))
    with pytest.raises(InvalidInput, match="has a child protection plan"):
        census.cin_plan_start(referral, child=child_of(referral), started_on=day(11), by=_worker(world))


def _review_clock(referral):
    return Deadline.objects.get(referral=referral, kind=Deadline.Kind.CP_REVIEW, met_at__isnull=True)


def _closing(day_: dt.date) -> dt.datetime:
    """Closing time of that working day under the current policy's hours."""
    return calendar_for(current_policy()).window(day_)[1]


def test_the_first_review_is_due_within_three_months_then_every_six(world):
    """Working Together: the first review conference within 3 months of the initial conference,
    then at most 6-monthly (statutory-facts.md section 3)."""
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)
    clock = _review_clock(referral)
    assert clock.subject == plan.clock_subject
    # 12 November 2026 + 3 months = Friday 12 February 2027, by the close of that working day.
    assert clock.due_at == _closing(dt.date(2027, 2, 12))
    with time_machine.travel(at(dt.date(2027, 2, 10), 15), tick=False):
        census.cp_plan_review(plan, reviewed_on=dt.date(2027, 2, 10), by=_worker(world))
    assert Deadline.objects.get(pk=clock.pk).met_at == at(dt.date(2027, 2, 10), 12)
    following = _review_clock(referral)
    assert following.due_at == _closing(dt.date(2027, 8, 10))  # a Tuesday, six months on
    assert following.pk != clock.pk


def test_a_review_date_on_a_weekend_pulls_the_deadline_back_to_the_working_day_before(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)
    with time_machine.travel(at(dt.date(2027, 2, 13), 10), tick=False):  # a Saturday
        census.cp_plan_review(plan, reviewed_on=dt.date(2027, 2, 13), by=_worker(world))
    # 13 August 2027 is a Friday: the date itself.
    assert _review_clock(referral).due_at == _closing(dt.date(2027, 8, 13))
    with time_machine.travel(at(dt.date(2027, 8, 13), 10), tick=False):
        census.cp_plan_review(plan, reviewed_on=dt.date(2027, 8, 13), by=_worker(world))
    # 13 February 2028 is a Sunday: due the Friday before.
    assert _review_clock(referral).due_at == _closing(dt.date(2028, 2, 11))


def test_a_late_recorded_earlier_review_leaves_the_clock_of_the_later_one(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)
    with time_machine.travel(at(dt.date(2027, 3, 1), 10), tick=False):
        census.cp_plan_review(plan, reviewed_on=dt.date(2027, 2, 10), by=_worker(world))
        due = _review_clock(referral).due_at
        census.cp_plan_review(plan, reviewed_on=dt.date(2027, 1, 20), by=_worker(world))
    assert _review_clock(referral).due_at == due


def test_the_review_months_are_the_councils_policy(world):
    """The national defaults (3, then 6 months) unless the council's policy version says otherwise."""
    assert (current_policy().cp_first_review_months, current_policy().cp_review_interval_months) == (3, 6)
    settings = {**preset("durham"), "cp_first_review_months": 2}
    policy_version_create(
        council="durham", settings=settings, by=world.users["admin"], note="Reviews at 2 months"
    )
    referral = allocated(world, red=True)
    _cp_plan(world, referral)
    # 12 November 2026 + 2 months = Tuesday 12 January 2027.
    assert _review_clock(referral).due_at == _closing(dt.date(2027, 1, 12))


@pytest.mark.parametrize(
    ("reviewed_on", "error", "message"),
    [
        (dt.date(2099, 1, 1), InvalidInput, "cannot be in the future"),
        (day(9), InvalidInput, "review cannot be before the plan started"),
        (None, InvalidInput, "Enter the date of the review"),
    ],
)
def test_a_bad_review_is_refused_and_the_clock_kept(world, reviewed_on, error, message):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)
    clock = _review_clock(referral)
    with pytest.raises(error, match=message):
        census.cp_plan_review(plan, reviewed_on=reviewed_on, by=_worker(world))
    assert _review_clock(referral).pk == clock.pk and not plan.reviews.exists()


def test_a_statutory_visit_is_recorded_audited_and_the_last_one_is_annex_a_list_7s(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral)  # from the conference on day 10
    census.cp_visit_record(plan, visited_on=day(11), child_seen=True, seen_alone=True, by=_worker(world))
    visit = census.cp_visit_record(
        plan, visited_on=day(12), child_seen=False, seen_alone=False, by=_worker(world)
    )
    assert audited("triage.cp_visit_record", object_id=str(visit.pk), referral_id=referral.pk)
    [row] = annex_a.list_7(day(0), day(20))
    assert row[9:11] == [day(12).strftime("%d/%m/%Y"), "b) No"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"visited_on": day(9), "child_seen": True, "seen_alone": False}, "before the plan started"),
        ({"visited_on": day(400), "child_seen": True, "seen_alone": False}, "cannot be in the future"),
        ({"visited_on": day(11), "child_seen": False, "seen_alone": True}, "cannot have been seen alone"),
        ({"visited_on": day(11), "child_seen": None, "seen_alone": False}, "Say whether the child was seen"),
    ],
)  # fmt: skip
def test_a_bad_visit_is_refused_and_nothing_is_written(world, fields, message):
    plan = _cp_plan(world, allocated(world, red=True))
    with pytest.raises(InvalidInput, match=message):
        census.cp_visit_record(plan, by=_worker(world), **fields)
    assert not plan.visits.exists() and not audited("triage.cp_visit_record")


def test_no_visit_is_recorded_under_an_ended_plan(world):
    plan = _cp_plan(world, allocated(world, red=True))
    census.cp_plan_end(plan, ended_on=day(12), reason="moved_la", by=_worker(world))
    with pytest.raises(Conflict, match="This plan has ended"):
        census.cp_visit_record(plan, visited_on=day(11), child_seen=True, seen_alone=True, by=_worker(world))


# --- emergency protection during the enquiry ----------------------------------------------------


def _epo_column(row) -> str:
    return row[LIST_7_COLUMNS.index(EPO_COLUMN)]


EPO_COLUMN = "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"


def test_emergency_protection_is_recorded_audited_and_annex_a_list_7s(world):
    referral = allocated(world, red=True)
    _cp_plan(world, referral)  # the enquiry from the strategy discussion on day 0
    enquiry = Section47Enquiry.objects.get(referral=referral)
    [row] = annex_a.list_7(day(0), day(20))
    assert _epo_column(row) == "c) Unknown"
    census.s47_emergency_protection_record(enquiry, used="no", by=_worker(world))
    assert _epo_column(annex_a.list_7(day(0), day(20))[0]) == "b) No"
    census.s47_emergency_protection_record(enquiry, used="yes", used_on=day(-1), by=_worker(world))
    enquiry.refresh_from_db()
    assert (enquiry.emergency_protection, enquiry.emergency_protection_on) == ("yes", day(-1))
    event = AuditEvent.objects.filter(
        action="triage.s47_emergency_protection_record", object_id=str(enquiry.pk), referral_id=referral.pk
    ).latest("id")
    expected = {"used": "yes", "used_on": day(-1).isoformat(), "was": "no", "was_on": None}
    assert {key: event.details.get(key) for key in expected} == expected
    # Police protection the day before the enquiry: within the six months (183 days) to a list's end,
    # and not after them.
    assert _epo_column(annex_a.list_7(day(0), day(181))[0]) == "a) Yes"
    assert _epo_column(annex_a.list_7(day(0), day(182))[0]) == "b) No"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"used": "maybe"}, "Choose yes, no or not known"),
        ({"used": "yes"}, "Enter the date of the emergency protection order or police protection"),
        ({"used": "yes", "used_on": day(400)}, "cannot be in the future"),
        ({"used": "yes", "used_on": day(-184)}, "cannot be before six months before the enquiry started"),
        ({"used": "no", "used_on": day(1)}, "empty unless the answer is yes"),
    ],
)  # fmt: skip
def test_a_bad_emergency_protection_answer_is_refused_and_nothing_is_written(world, fields, message):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    with pytest.raises(InvalidInput, match=message):
        census.s47_emergency_protection_record(enquiry, by=_worker(world), **fields)
    enquiry.refresh_from_db()
    assert enquiry.emergency_protection == "" and not audited("triage.s47_emergency_protection_record")


@pytest.mark.parametrize("who", ["screening", "lead", "manager_b"])
def test_only_the_allocated_worker_or_the_teams_manager_records_emergency_protection(world, who):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    with pytest.raises(NotPermitted):
        census.s47_emergency_protection_record(enquiry, used="no", by=world.users[who])
    enquiry.refresh_from_db()
    assert enquiry.emergency_protection == ""


def test_emergency_protection_is_recorded_through_its_page(world, login):
    referral = allocated(world, red=True)
    ref = {"reference": referral.reference}
    url = reverse("casework:s47_emergency_protection", kwargs=ref)
    record = reverse("casework:record", kwargs=ref)
    client = login(_worker(world))
    assert "No section 47 enquiry is recorded" in client.get(url).content.decode()
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    assert (
        url.endswith("/s47/emergency-protection/") and f'href="{url}"' in client.get(record).content.decode()
    )
    page = client.get(url).content.decode()
    assert "taken into police protection?" in page and 'value="unknown"' in page
    bad = client.post(url, {"enquiry": enquiry.pk, "used": "yes"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in body
    assert 'href="#id_used_on' in body and "Enter the date of the emergency protection order" in body
    bad = client.post(url, {"enquiry": enquiry.pk, "used": "no", **boxes("used_on", "1 11 2026")})
    assert bad.status_code == 400 and "empty unless the answer is yes" in bad.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.emergency_protection == "" and not audited("triage.s47_emergency_protection_record")
    good = client.post(url, {"enquiry": enquiry.pk, "used": "yes", **boxes("used_on", "1 11 2026")})
    assert good.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.emergency_protection, enquiry.emergency_protection_on) == ("yes", dt.date(2026, 11, 1))
    assert "Yes, 1 November 2026" in client.get(record).content.decode()
    assert AuditEvent.objects.filter(
        action="triage.s47_emergency_protection_view", referral_id=referral.pk
    ).exists()


def test_emergency_protection_page_is_refused_to_a_user_without_the_role(world, login):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=_worker(world))
    url = reverse("casework:s47_emergency_protection", kwargs={"reference": referral.reference})
    client = login(world.users["manager_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"enquiry": enquiry.pk, "used": "no"}).status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.emergency_protection == ""


def test_a_category_change_becomes_the_latest_category(world):
    referral = allocated(world, red=True)
    plan = _cp_plan(world, referral, category="NEG")
    change = census.cp_plan_category_change(plan, changed_on=day(15), category="emo", by=_worker(world))
    plan.refresh_from_db()
    assert (plan.initial_category, plan.latest_category, change.category) == ("NEG", "EMO", "EMO")
    assert audited("triage.cp_plan_category_change", object_id=str(change.pk), referral_id=referral.pk)
    with pytest.raises(InvalidInput, match="already emotional abuse"):
        census.cp_plan_category_change(plan, changed_on=day(16), category="EMO", by=_worker(world))
    with pytest.raises(InvalidInput, match="cannot be before the last change"):
        census.cp_plan_category_change(plan, changed_on=day(14), category="PHY", by=_worker(world))
    with pytest.raises(InvalidInput, match="Choose the new category"):
        census.cp_plan_category_change(plan, changed_on=day(16), category="XYZ", by=_worker(world))


def test_ending_a_plan_meets_its_clock_and_a_later_plan_counts_it(world):
    referral = allocated(world, red=True, children=1)
    plan = _cp_plan(world, referral)
    with pytest.raises(InvalidInput, match="Choose why"):
        census.cp_plan_end(plan, ended_on=day(20), reason="", by=_worker(world))
    with pytest.raises(InvalidInput, match="Record the child's date of death instead"):
        census.cp_plan_end(plan, ended_on=day(20), reason="died", by=_worker(world))
    census.cp_plan_end(plan, ended_on=day(20), reason="no_longer_at_risk", by=_worker(world))
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason) == (day(20), "no_longer_at_risk")
    assert not Deadline.objects.filter(referral=referral, kind="cp_review", met_at__isnull=True).exists()
    # A second conference about the same child, after the first plan ended: one previous plan.
    enquiry = casework.s47_start(referral, child=child_of(referral), started_on=day(21), by=_worker(world))
    casework.icpc_record(enquiry, icpc_on=day(22), cp_plan=True, initial_category="MUL", by=_worker(world))
    assert census.cp_plan_start(enquiry, by=_worker(world)).previous_plans == 1


# --- the pages ----------------------------------------------------------------------------------


def test_the_worker_records_census_items_through_the_pages(world, login):
    referral = allocated(world)
    client = login(_worker(world))
    ref = {"reference": referral.reference}
    child = child_of(referral)
    record = reverse("casework:record", kwargs=ref)
    assert "Census details and plans" in client.get(record).content.decode()
    url = reverse("casework:child_identifiers", kwargs=ref)
    bad = client.post(url, {"child": child.pk, "upn": "Z801200001001"})
    assert bad.status_code == 400 and "The UPN has the wrong check letter" in bad.content.decode()
    assert client.post(url, {"child": child.pk, "upn": PERMANENT_UPN}).status_code == 302
    url = reverse("casework:child_disabilities", kwargs=ref)
    bad = client.post(url, {"child": child.pk, "codes": ["NONE", "VIS"]})
    assert bad.status_code == 400 and "NONE (no disability) stands alone" in bad.content.decode()
    assert client.post(url, {"child": child.pk, "codes": ["VIS", "HEAR"]}).status_code == 302
    body = client.get(record).content.decode()
    assert PERMANENT_UPN in body and "HEAR: Hearing, VIS: Vision" in body
    assert AuditEvent.objects.filter(action="triage.child_identifiers_view", referral_id=referral.pk).exists()


def test_the_plans_are_recorded_through_the_pages(world, login):
    referral = allocated(world, red=True)
    client = login(world.users["manager_a"])
    ref = {"reference": referral.reference}
    enquiry = _conference(world, referral)
    url = reverse("casework:cp_plan_start", kwargs=ref)
    assert "Choose the initial conference" in client.post(url, {}).content.decode()
    assert client.post(url, {"enquiry": enquiry.pk}).status_code == 302
    plan = ChildProtectionPlan.objects.get(enquiry=enquiry)
    url = reverse("casework:cp_visit", kwargs=ref)
    bad = client.post(url, {"plan": plan.pk, **boxes("visited_on", "13 11 2026"), "child_seen": "yes"})
    assert bad.status_code == 400 and "Choose yes or no: was the child seen alone" in bad.content.decode()
    visit = {"plan": plan.pk, **boxes("visited_on", "13 11 2026"), "child_seen": "yes", "seen_alone": "no"}
    assert client.post(url, visit).status_code == 302
    assert plan.visits.get().visited_on == dt.date(2026, 11, 13)
    url = reverse("casework:cp_plan_category", kwargs=ref)
    change = {"plan": plan.pk, "category": "SAB", **boxes("changed_on", "16 11 2026")}
    assert client.post(url, change).status_code == 302
    url = reverse("casework:cp_plan_end", kwargs=ref)
    bad = client.post(url, {"plan": plan.pk, **boxes("ended_on", "11 11 2026"), "reason": "moved_la"})
    assert bad.status_code == 400 and "cannot be before it started" in bad.content.decode()
    good = client.post(url, {"plan": plan.pk, **boxes("ended_on", "20 11 2026"), "reason": "moved_la"})
    assert good.status_code == 302
    body = client.get(reverse("casework:record", kwargs=ref)).content.decode()
    assert "Neglect, now sexual abuse" in body and "moved permanently to another local authority" in body
    assert not CinPlan.objects.exists()


def test_a_policy_refuses_review_months_beyond_six(world):
    policy = current_policy()
    policy.cp_review_interval_months = 7
    with pytest.raises(ValidationError, match="from 1 to 6"):
        policy.clean()


@pytest.mark.parametrize(
    ("start", "months", "due_day"),
    [
        (dt.date(2027, 5, 31), 3, dt.date(2027, 8, 31)),  # Tuesday 31 August: the day itself
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 26)),  # no 30 February: Sunday 28th, so Friday 26th
        (dt.date(2027, 2, 25), 3, dt.date(2027, 5, 25)),  # a Tuesday
        (dt.date(2027, 5, 3), 3, dt.date(2027, 8, 3)),
        (dt.date(2026, 11, 30), 1, dt.date(2026, 12, 30)),  # between Christmas and New Year: a working day
        (dt.date(2027, 5, 30), 3, dt.date(2027, 8, 27)),  # Monday 30 August 2027 is a bank holiday
    ],
)
def test_calendar_months_end_on_the_last_working_day_by_that_date(start, months, due_day):
    calendar = calendar_for(current_policy())
    assert calendar.add_calendar_months(at(start, 10), months) == calendar.window(due_day)[1]
