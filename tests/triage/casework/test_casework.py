"""The statutory items after allocation (issue 11): assessments, S47 enquiries and their initial
conferences, CIN closures; the census rules checked on entry; the clocks met; who may record; the
pages; and the census and Annex A lists 4 and 5 filled from records made through these actions."""

from __future__ import annotations

import datetime as dt
import html
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from referrals.states import Rag, Status
from reports import annex_a, cin_census, cin_rules
from reports import annex_a_labels as labels
from reports.statutory import cin_children
from tests.factories import referral_with_people
from tests.support.environment import require
from tests.support.mash_stage import ATTENDEES, decide, discuss, form_of, summary_links
from tests.support.world import build_world
from triage.casework import actions as casework
from triage.casework.models import Assessment, CinClosure, Section47Enquiry
from triage.models import Deadline
from triage.multiagency import actions as outcomes
from triage.multiagency import strategy
from triage.multiagency.models import Outcome
from triage.policy import calendar_for, current_policy

pytestmark = pytest.mark.django_db

# A fixed fortnight in the past, so weekends and working days are known: Monday 2 November 2026.
MONDAY = dt.date(2026, 11, 2)
SATURDAY = dt.date(2026, 11, 7)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def at(when: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(when, dt.time(hour)))


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def allocated(world, *, red: bool = False, children: int = 1):
    """A referral received on MONDAY at 09:00, taken through the workflow to allocation: Red through
    a strategy discussion (S47 decided, 14:00) to an S47 outcome, Amber through a MASH discussion to
    an S17 assessment; allocated to the social worker of team A by its manager."""
    referral = referral_with_people(
        decided=red,
        in_mash=not red,
        policy=current_policy(),
        rag=Rag.RED if red else Rag.AMBER,
        decided_by=world.users["lead"],
        received_at=at(MONDAY, 9),
        children=children,
    )
    if red:
        with time_machine.travel(at(MONDAY, 13), tick=False):
            strategy.strategy_discussion_decide(referral, reason="Disclosure of harm", by=world.users["lead"])
        outcomes.strategy_discussion_record(
            referral,
            held_at=at(MONDAY, 14),
            attendees=ATTENDEES,
            s47_enquiry=True,
            decision_rationale="Disclosure of harm",
            by=world.users["lead"],
        )
        decide(world, referral, destination=Outcome.Destination.STRATEGY_S47)
    else:
        discuss(world, referral, held_at=at(MONDAY, 15))
        decide(world, referral)
    outcomes.referral_allocate(referral, worker=world.users["social_worker"], by=world.users["manager_a"])
    referral.refresh_from_db()
    return referral


def child_of(referral, index: int = 0):
    return list(referral.children.order_by("id"))[index]


def start_assessment(world, referral, *, child=None, started_on=None, **extra):
    return casework.assessment_start(
        referral,
        child=child or child_of(referral),
        started_on=started_on or day(7),
        by=extra.pop("by", world.users["social_worker"]),
        **extra,
    )


def authorise(world, assessment, **overrides):
    fields = dict(
        authorised_on=day(17), factors=["3B", "16A"], requires_support=True, by=world.users["manager_a"]
    )
    return casework.assessment_authorise(assessment, **{**fields, **overrides})


def open_clock(referral, kind):
    return Deadline.objects.filter(referral=referral, kind=kind, met_at__isnull=True).first()


def audited(action: str, obj) -> bool:
    return AuditEvent.objects.filter(
        action=action, object_id=str(obj.pk), kind=AuditEvent.Kind.WRITE
    ).exists()


# --- the actions --------------------------------------------------------------------------------


def test_an_assessment_is_started_and_authorised_and_meets_the_assessment_clock(world):
    referral = allocated(world)
    assert open_clock(referral, Deadline.Kind.ASSESSMENT) is not None  # started at allocation
    assessment = start_assessment(world, referral, child_seen_on=day(8))
    assert (assessment.worker, assessment.team) == (world.users["social_worker"], world.teams["a"])
    assert assessment.child_seen is True and assessment.authorised_on is None
    assert audited("triage.assessment_start", assessment)
    authorise(world, assessment, factors=["3b", "16A"])
    assessment.refresh_from_db()
    assert (assessment.authorised_on, assessment.factors, assessment.requires_support) == (
        day(17), ["3B", "16A"], True,
    )  # fmt: skip
    assert audited("triage.assessment_authorise", assessment)
    met = Deadline.objects.get(referral=referral, kind=Deadline.Kind.ASSESSMENT)
    assert met.met_at == at(day(17), 12) and met.met_at < met.due_at


def test_an_assessment_authorised_without_a_seen_date_records_the_child_not_seen(world):
    assessment = start_assessment(world, allocated(world))
    assert assessment.child_seen is None
    authorise(world, assessment, factors=["21"])
    assessment.refresh_from_db()
    assert assessment.child_seen is False and assessment.factors == ["21"]


def test_an_s47_starts_from_the_strategy_discussion_and_the_icpc_meets_its_clock(world):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"])
    policy = current_policy()
    expected = timezone.localdate(
        calendar_for(policy).add_working_days(at(MONDAY, 14), policy.icpc_working_days)
    )
    assert enquiry.started_on == MONDAY and enquiry.strategy_discussion == referral.strategy_discussion
    assert enquiry.icpc_target == expected == dt.date(2026, 11, 23)  # 15 working days on
    clock = open_clock(referral, Deadline.Kind.ICPC)
    assert timezone.localdate(clock.due_at) == enquiry.icpc_target
    assert audited("triage.s47_start", enquiry)
    casework.icpc_record(
        enquiry, icpc_on=day(18), cp_plan=True, initial_category="neg", by=world.users["social_worker"]
    )
    enquiry.refresh_from_db()
    assert (enquiry.icpc_on, enquiry.cp_plan, enquiry.initial_category) == (day(18), True, "NEG")
    assert open_clock(referral, Deadline.Kind.ICPC) is None
    assert Deadline.objects.get(pk=clock.pk).met_at == at(day(18), 12)
    assert audited("triage.icpc_record", enquiry)


def test_the_icpc_clock_waits_for_every_childs_conference(world):
    referral = allocated(world, red=True, children=2)
    first, second = (
        casework.s47_start(referral, child=child_of(referral, i), by=world.users["social_worker"])
        for i in (0, 1)
    )
    casework.icpc_record(first, not_required=True, by=world.users["social_worker"])
    assert open_clock(referral, Deadline.Kind.ICPC) is not None
    casework.icpc_record(second, icpc_on=day(16), cp_plan=False, by=world.users["social_worker"])
    assert open_clock(referral, Deadline.Kind.ICPC) is None


def test_an_s47_named_by_a_later_strategy_discussion_gets_its_own_target(world):
    referral = allocated(world)  # no MASH strategy discussion
    with pytest.raises(InvalidInput, match="strategy discussion that started"):
        casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"])
    enquiry = casework.s47_start(
        referral, child=child_of(referral), started_on=day(9), by=world.users["social_worker"]
    )
    assert enquiry.strategy_discussion is None and enquiry.icpc_target == dt.date(2026, 12, 2)


def test_closing_every_childs_episode_closes_the_referral(world):
    referral = allocated(world, children=2)
    closure = casework.cin_close(
        referral, child=child_of(referral), closed_on=day(10), reason="RC7", by=world.users["social_worker"]
    )
    assert audited("triage.cin_close", closure)
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED
    with pytest.raises(Conflict, match="closed"):
        start_assessment(world, referral, child=child_of(referral))
    casework.cin_close(
        referral, child=child_of(referral, 1), closed_on=day(10), reason="RC7", by=world.users["manager_a"]
    )
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


# --- the census rules on entry ------------------------------------------------------------------


@pytest.mark.parametrize(
    "factors,rule,message",
    [
        (
            ["21", "3B"],
            "8869",
            "The assessment factors code “21” cannot be used in conjunction with any other"
            " assessment factors.",
        ),
        (
            ["3B", "3B"],
            "8898",
            "The assessment has more than one parental or child factors with the same code.",
        ),
        (
            ["99Z"],
            "AssessmentFactors",
            "Not a census assessment factor code (the schema's AssessmentFactors list) (99Z).",
        ),
    ],
)
def test_authorising_refuses_factors_the_census_rejects(world, factors, rule, message):
    assessment = start_assessment(world, allocated(world))
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        authorise(world, assessment, factors=factors)
    assert refused.value.message == message
    assessment.refresh_from_db()
    assert assessment.authorised_on is None and assessment.factors == []
    assert AuditEvent.objects.count() == before  # rolled back with the change
    assert open_clock(assessment.referral, Deadline.Kind.ASSESSMENT) is not None


def test_a_second_open_assessment_is_refused_by_rule_8896(world):
    referral = allocated(world)
    start_assessment(world, referral)
    with pytest.raises(InvalidInput) as refused:
        start_assessment(world, referral, started_on=day(9))
    assert refused.value.message == (
        "Within one CINDetails group there are 2 or more open Assessments groups."
    )
    assert Assessment.objects.filter(referral=referral).count() == 1


def test_a_second_open_s47_is_refused_by_rule_8890(world):
    referral = allocated(world, red=True)
    casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"])
    with pytest.raises(InvalidInput) as refused:
        casework.s47_start(
            referral, child=child_of(referral), started_on=day(3), by=world.users["social_worker"]
        )
    assert refused.value.message == (
        "Within one CINDetails group there are 2 or more open S47 Assessments."
        " A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing."
    )
    assert Section47Enquiry.objects.filter(referral=referral).count() == 1


def test_closed_after_assessment_is_refused_with_an_s47_by_rule_2990(world):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"])
    casework.icpc_record(enquiry, not_required=True, by=world.users["social_worker"])
    authorise(world, start_assessment(world, referral, started_on=day(1)))
    with pytest.raises(InvalidInput) as refused:
        casework.cin_close(
            referral, child=child_of(referral), closed_on=day(18), reason="RC8", by=world.users["manager_a"]
        )
    assert refused.value.message.startswith("Activity is recorded against a case marked as ‘Case closed")
    assert refused.value.message.endswith(" (RC8).")
    assert not CinClosure.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED


def test_an_existing_error_does_not_block_an_unrelated_change(world):
    # An assessment authorised with 21 and another factor written past the actions (old data):
    # the worker can still record the S47; only errors a change introduces refuse it.
    referral = allocated(world, red=True)
    Assessment.objects.create(
        referral=referral,
        child=child_of(referral),
        started_on=day(1),
        authorised_on=day(2),
        factors=["21", "1A"],
        requires_support=False,
        worker=world.users["social_worker"],
        team=world.teams["a"],
        started_by=world.users["social_worker"],
        recorded_at=timezone.now(),
    )
    assert "8869" in {v.rule for v in cin_rules.check_referral(referral.pk)}
    assert casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"]).pk


def _close(w, r, reason):
    return casework.cin_close(r, child=child_of(r), closed_on=day(20), reason=reason, by=w.users["manager_a"])


TOMORROW = timezone.localdate() + dt.timedelta(days=1)
OBVIOUS = {
    "before the referral (02/11/2026)": lambda w, r, a: start_assessment(w, r, started_on=day(-1)),
    "cannot be in the future": lambda w, r, a: start_assessment(w, r, started_on=TOMORROW),
    "not before it started": lambda w, r, a: start_assessment(w, r, child_seen_on=day(6)),
    "cannot be authorised before it started (09/11/2026)": lambda w, r, a: authorise(
        w, a, authorised_on=day(6)
    ),
    "Record the factors": lambda w, r, a: authorise(w, a, factors=[]),
    "requiring children's social care support": lambda w, r, a: authorise(w, a, requires_support=None),
    "reason for closure": lambda w, r, a: _close(w, r, "RC42"),
    "Authorise the open assessment": lambda w, r, a: _close(w, r, "RC7"),
}


@pytest.mark.parametrize("message", list(OBVIOUS))
def test_the_obvious_is_refused_before_anything_is_written(world, message):
    call = OBVIOUS[message]
    referral = allocated(world)
    assessment = start_assessment(world, referral)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(world, referral, assessment)
    assert AuditEvent.objects.count() == before
    assert Assessment.objects.filter(referral=referral).count() == 1 and not CinClosure.objects.exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"icpc_on": SATURDAY, "cp_plan": False}, "The initial conference date 07/11/2026 is a weekend."),
        ({"icpc_on": day(2), "cp_plan": False}, "cannot be before the S47 enquiry started (05/11/2026)"),
        ({}, "or say that none is required"),
        ({"icpc_on": day(10), "not_required": True}, "or say that none is required"),
        ({"icpc_on": day(10)}, "Say whether the conference resulted"),
        ({"icpc_on": day(10), "cp_plan": True}, "initial category of abuse"),
        ({"icpc_on": day(10), "cp_plan": True, "initial_category": "XYZ"}, "initial category of abuse"),
    ],
)
def test_a_bad_conference_is_refused(world, fields, message):
    referral = allocated(world)
    enquiry = casework.s47_start(
        referral, child=child_of(referral), started_on=day(3), by=world.users["social_worker"]
    )
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        casework.icpc_record(enquiry, by=world.users["social_worker"], **fields)
    enquiry.refresh_from_db()
    assert enquiry.is_open and open_clock(referral, Deadline.Kind.ICPC) is not None


# --- who may record -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_b", "lead", "screening", "police", "performance"])
def test_only_the_allocated_worker_or_the_teams_manager_records(world, who):
    referral = allocated(world, red=True)
    with pytest.raises(NotPermitted):
        start_assessment(world, referral, by=world.users[who])
    with pytest.raises(NotPermitted):
        casework.s47_start(referral, child=child_of(referral), by=world.users[who])
    assert not Assessment.objects.exists() and not Section47Enquiry.objects.exists()


def test_nothing_is_recorded_before_allocation(world):
    referral = world.referrals["team_a"]  # an outcome waiting in the queue, not yet allocated
    with pytest.raises(NotPermitted):
        start_assessment(world, referral, by=world.users["manager_a"])


# --- the pages ----------------------------------------------------------------------------------


def boxes(name: str, day_month_year: str) -> dict[str, str]:
    """A date typed as a person types it into the GOV.UK date input's three boxes."""
    day_, month, year = day_month_year.split()
    return {f"{name}_day": day_, f"{name}_month": month, f"{name}_year": year}


def test_the_allocated_worker_records_through_the_pages(world, login):
    referral = allocated(world)
    client = login(world.users["social_worker"])
    page = reverse("casework:record", kwargs={"reference": referral.reference})
    body = client.get(page).content.decode()
    assert "No assessment recorded." in body
    assert AuditEvent.objects.filter(
        action="triage.statutory_view", actor=world.users["social_worker"], referral_id=referral.pk
    ).exists()
    url = reverse("casework:assessment_start", kwargs={"reference": referral.reference})
    child = child_of(referral)
    response = client.post(
        url, {"child": child.pk, **boxes("started_on", "9 11 2026"), **boxes("child_seen_on", "10 11 2026")}
    )
    assert response.status_code == 302 and response["Location"] == page
    assessment = Assessment.objects.get(referral=referral)
    url = reverse("casework:assessment_authorise", kwargs={"reference": referral.reference})
    form = {"assessment": assessment.pk, **boxes("authorised_on", "19 11 2026"), "requires_support": "yes"}
    bad = client.post(url, {**form, "factors": ["21", "1A"]})
    assert (
        bad.status_code == 400
        and "The assessment factors code “21” cannot be used in conjunction with any other assessment"
        " factors."
        in html.unescape(bad.content.decode())
    )
    good = client.post(url, {**form, "factors": ["1A"], "requires_support": "no"})
    assert good.status_code == 302
    assessment.refresh_from_db()
    assert assessment.authorised_on == day(17) and assessment.requires_support is False
    assert "1A" in client.get(page).content.decode()


def test_the_manager_records_the_conference_and_the_closure_through_the_pages(world, login):
    referral = allocated(world, red=True)
    client = login(world.users["manager_a"])
    ref = {"reference": referral.reference}
    child = child_of(referral)
    assert client.post(reverse("casework:s47_start", kwargs=ref), {"child": child.pk}).status_code == 302
    enquiry = Section47Enquiry.objects.get(referral=referral)
    response = client.post(
        reverse("casework:icpc_record", kwargs=ref),
        {"enquiry": enquiry.pk, **boxes("icpc_on", "7 11 2026"), "cp_plan": "no"},
    )
    assert response.status_code == 400 and "is a weekend" in response.content.decode()
    response = client.post(
        reverse("casework:icpc_record", kwargs=ref),
        {
            "enquiry": enquiry.pk,
            **boxes("icpc_on", "20 11 2026"),
            "cp_plan": "yes",
            "initial_category": "EMO",
        },
    )
    assert response.status_code == 302
    closing = {"child": child.pk, **boxes("closed_on", "20 11 2026"), "reason": "RC7"}
    response = client.post(reverse("casework:cin_close", kwargs=ref), closing)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    body = client.get(reverse("casework:record", kwargs=ref)).content.decode()
    assert "Emotional abuse" in body and "RC7" in body and "Start an assessment" not in body


@pytest.mark.parametrize("who", ["manager_b", "lead", "screening", "police", "performance", "admin"])
def test_the_pages_are_a_404_to_everyone_else(world, login, who):
    referral = allocated(world)
    client = login(world.users[who])
    for name in (
        "record",
        "assessment_start",
        "assessment_authorise",
        "s47_start",
        "icpc_record",
        "cin_close",
    ):
        url = reverse(f"casework:{name}", kwargs={"reference": referral.reference})
        assert client.get(url).status_code == 404, name


def test_the_record_page_keeps_a_constant_query_count(world, login):
    def queries_for(children: int) -> int:
        referral = allocated(world, red=True, children=children)
        for index in range(children):
            child = child_of(referral, index)
            casework.s47_start(referral, child=child, by=world.users["social_worker"])
            start_assessment(world, referral, child=child, started_on=day(1))
        url = reverse("casework:record", kwargs={"reference": referral.reference})
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        assert body.count("Not yet held") == children
        return len(captured)

    client = login(world.users["social_worker"])
    assert queries_for(1) == queries_for(4)


def test_the_referral_page_links_the_worker_to_the_statutory_record(world, login):
    referral = allocated(world)
    body = (
        login(world.users["social_worker"])
        .get(reverse("triage:referral", kwargs={"reference": referral.reference}))
        .content.decode()
    )
    assert reverse("casework:record", kwargs={"reference": referral.reference}) in body


# --- the returns, from records made through the actions ------------------------------------------


def _recorded_world(world):
    """A Red referral (S47, conference with a CP plan, assessment authorised) and an Amber one
    (assessment authorised, no factors, closed RC8), all through the actions above."""
    red = allocated(world, red=True)
    enquiry = casework.s47_start(red, child=child_of(red), by=world.users["social_worker"])
    casework.icpc_record(
        enquiry, icpc_on=day(18), cp_plan=True, initial_category="PHY", by=world.users["social_worker"]
    )
    authorise(world, start_assessment(world, red, started_on=day(1), child_seen_on=day(2)))
    amber = allocated(world)
    authorise(world, start_assessment(world, amber), factors=["21"], requires_support=False)
    casework.cin_close(
        amber, child=child_of(amber), closed_on=day(18), reason="RC8", by=world.users["manager_a"]
    )
    return red, amber


def test_annex_a_lists_4_and_5_read_the_recorded_items(world):
    _recorded_world(world)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    worker, yes, no = world.users["social_worker"].display_name, labels.yes_no(True), labels.yes_no(False)
    list_4 = [row[-6:] for row in annex_a.list_4(start, end)]
    assert list_4 == [
        ["03/11/2026", yes, "19/11/2026", yes, "Assessment Team North", worker],
        ["09/11/2026", no, "19/11/2026", no, "Assessment Team North", worker],
    ]
    # The counts are of S47s and conferences in the 12 months up to the enquiry's conference: its own.
    list_5 = [row[-8:] for row in annex_a.list_5(start, end)]
    assert list_5 == [["02/11/2026", no, "20/11/2026", yes, 1, 1, "Assessment Team North", worker]]


def test_the_census_assessment_and_s47_modules_read_the_recorded_items(world):
    red, amber = _recorded_world(world)
    ours = {f"C{child_of(red).pk}", f"C{child_of(amber).pk}"}
    children = [c for c in cin_children(dt.date(2026, 4, 1), dt.date(2027, 3, 31)) if c.la_child_id in ours]
    # The children (born 2018) are of school age with no UPN recorded: the one query, no error.
    violations = cin_rules.check_children(children, as_at=dt.date(2027, 3, 31))
    assert sorted((v.rule, v.child) for v in violations) == sorted(("8770Q", key) for key in ours)
    xml = cin_census.census_xml(children, la_code="831", reference_date=dt.date(2027, 3, 31))
    root = ET.fromstring(xml)
    details = root.findall(".//CINdetails")
    assert len(details) == 2
    s47 = details[0].find("Section47")
    assert [s47.findtext(tag) for tag in ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC")] == [
        "2026-11-02", "2026-11-23", "2026-11-20",
    ]  # fmt: skip
    assessment = details[0].find("Assessments")
    assert assessment.findtext("AssessmentActualStartDate") == "2026-11-03"
    assert assessment.findtext("AssessmentAuthorisationDate") == "2026-11-19"
    assert [f.text for f in assessment.iter("AssessmentFactors")] == ["3B", "16A"]
    assert (details[1].findtext("CINclosureDate"), details[1].findtext("ReasonForClosure")) == (
        "2026-11-20",
        "RC8",
    )
    assert [f.text for f in details[1].iter("AssessmentFactors")] == ["21"]
    errors = cin_census.schema_errors(xml, year=2027)
    require(errors is not None, "the census XSD needs liiatools and xmlschema (make setup installs them)")
    assert errors == []


# --- the forms as a person sees them ------------------------------------------------------------


def test_the_assessment_form_starts_unchosen_and_names_each_missing_answer(world, login):
    referral = allocated(world, children=2)
    client = login(world.users["social_worker"])
    url = reverse("casework:assessment_start", kwargs={"reference": referral.reference})
    form = form_of(client.get(url).content.decode())
    assert form.count('type="radio"') == 2 and "checked" not in form.split("</form>")[0]
    for child in referral.children.all():
        assert child.full_name in form
    assert 'name="started_on_day"' in form and 'type="date"' not in form
    response = client.post(url, {})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == [
        ("id_child_1", "Choose the child whose assessment started"),
        ("id_started_on_day", "Enter the date the assessment started"),
    ]
    half = client.post(url, {"child": child_of(referral).pk, "started_on_day": "9", "started_on_month": "11"})
    assert summary_links(half.content.decode()) == [
        ("id_started_on_day", "Date the assessment started must include a year")
    ]
    assert not Assessment.objects.filter(referral=referral).exists()


def test_the_factors_show_each_code_and_set_no_factors_apart(world, login):
    referral = allocated(world)
    start_assessment(world, referral)
    client = login(world.users["social_worker"])
    url = reverse("casework:assessment_authorise", kwargs={"reference": referral.reference})
    form = form_of(client.get(url).content.decode())
    assert "3A: Domestic abuse: concerns about the child" in html.unescape(form)
    assert form.index('<div class="govuk-checkboxes__divider">or</div>') < form.index('value="21"')
    assert form.index('value="24A"') < form.index("govuk-checkboxes__divider")
    assert 'class="govuk-checkboxes govuk-checkboxes--small"' in form


@pytest.mark.parametrize(
    "fields, target, message",
    [
        ({}, "id_icpc_on_day", "Enter the date of the initial conference, or tick that one was not required"),
        (
            {**boxes("icpc_on", "20 11 2026"), "not_required": "on"},
            "id_not_required",
            "Enter a conference date or tick that one was not required, not both",
        ),
        (
            boxes("icpc_on", "20 11 2026"),
            "id_cp_plan_1",
            "Choose yes or no: did the conference result in a child protection plan",
        ),
        (
            {**boxes("icpc_on", "20 11 2026"), "cp_plan": "yes"},
            "id_initial_category",
            "Choose the initial category of abuse for the plan",
        ),
    ],
)
def test_the_conference_form_puts_each_message_on_its_answer(world, login, fields, target, message):
    referral = allocated(world, red=True)
    enquiry = casework.s47_start(referral, child=child_of(referral), by=world.users["social_worker"])
    client = login(world.users["social_worker"])
    url = reverse("casework:icpc_record", kwargs={"reference": referral.reference})
    response = client.post(url, {"enquiry": enquiry.pk, **fields})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == [(target, message)]
    enquiry.refresh_from_db()
    assert enquiry.is_open


def test_the_record_page_writes_dates_the_gov_uk_way(world, login):
    referral = allocated(world)
    start_assessment(world, referral, started_on=day(7))
    body = login(world.users["social_worker"]).get(
        reverse("casework:record", kwargs={"reference": referral.reference})
    )
    assert "9 November 2026" in body.content.decode() and "09/11/2026" not in body.content.decode()
