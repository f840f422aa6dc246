"""Every write of the census items recorded beside the assessment and the S47 enquiry: the child's
UPN (or why it is unknown) and former UPN, coded disabilities, the birth of an unborn child and the
child's death; the child in need plan (start, reviews, end) and the child protection plan (started
from the initial conference that made it, reviews with their clock, category changes, end).

As in ``triage.casework.actions``: one transaction each, the referral row locked, the recorder
checked against ``triage.permissions`` (the allocated worker or the team's manager), the input checked
before anything is written (InvalidInput naming the field; nothing changed), the record and an audit
row written, clocks started or met through ``triage.deadlines``, and the census rules checked on entry
as the database now reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.codes import CategoryOfAbuse, CpPlanEndReason, Disability, EmergencyProtection, Sex, UpnUnknown
from mash.exceptions import Conflict, InvalidInput
from mash.upn import normalise, upn_error
from referrals.models import Referral, ReferralChild
from referrals.person_index.actions import person_birth_from_child, person_death_from_child
from triage import deadlines
from triage.actions import referral_lock
from triage.casework.actions import (
    _check_day,
    _child_of,
    _on_day,
    _refuse_new_violations,
    _violations,
)
from triage.casework.models import Assessment, Section47Enquiry
from triage.casework.models_census import (
    ChildCensusDetails,
    ChildProtectionPlan,
    CinPlan,
    CinPlanReview,
    CpPlanCategoryChange,
    CpPlanReview,
    CpVisit,
)
from triage.models import Deadline, PolicyVersion
from triage.permissions import require
from triage.policy import policy_for

NAME_LENGTH = 100  # ReferralChild.first_name / last_name


# --- shared -------------------------------------------------------------------------------------


def _now(now: datetime | None) -> tuple[datetime, date]:
    now = now or timezone.now()
    return now, timezone.localdate(now)


def _lock_child(child: ReferralChild, action: str, by: Actor) -> tuple[Referral, ReferralChild]:
    """The child's referral locked and the recorder checked; the child re-read under the lock."""
    if not isinstance(child, ReferralChild):
        raise InvalidInput("Choose a child of this referral.")
    locked = referral_lock(Referral(pk=child.referral_id))
    require(action, by, locked)
    return locked, ReferralChild.objects.select_for_update().get(pk=child.pk)


def _details(child: ReferralChild, by: Actor, now: datetime) -> ChildCensusDetails:
    details, _ = ChildCensusDetails.objects.select_for_update().get_or_create(
        child=child, defaults={"updated_by": by, "updated_at": now}
    )
    details.updated_by, details.updated_at = by, now
    return details


def _not_future(day: date | None, today: date, what: str) -> date:
    if not isinstance(day, date):
        raise InvalidInput(f"Enter the {what}.")
    if day > today:
        raise InvalidInput(f"The {what} cannot be in the future.")
    return day


def _not_before(day: date, earliest: date | None, what: str, earlier: str) -> None:
    if earliest is not None and day < earliest:
        raise InvalidInput(f"The {what} cannot be before {earlier} ({earliest:%d/%m/%Y}).")


# --- the assessment's internal review ------------------------------------------------------------


def assessment_internal_review(
    assessment: Assessment, *, reviewed_on: date, by: Actor, now: datetime | None = None
) -> Assessment:
    """Record the internal review of a continuous assessment (census AssessmentInternalReviewDate,
    N00737), the point at which the local authority reviews an assessment still open.

    Requires: the allocated worker or the team's manager; the assessment open (an authorised one has
    ended, and its authorisation is not before the review); a review date not in the future, not
    before the assessment started, and its review not already recorded. Causes: the review date on
    the assessment; an audit row.
    """
    now, today = _now(now)
    if not isinstance(assessment, Assessment):
        raise InvalidInput("Choose an open assessment of this referral.")
    _not_future(reviewed_on, today, "date of the internal review")
    with transaction.atomic():
        # The referral first, as every statutory action locks it, then the record itself.
        locked = referral_lock(Referral(pk=assessment.referral_id))
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        require("record_statutory", by, locked)
        if assessment.authorised_on is not None:
            raise Conflict("This assessment has been authorised: its internal review was before that.")
        if assessment.internal_reviewed_on is not None:
            raise Conflict("This assessment's internal review is already recorded.")
        _not_before(
            reviewed_on, assessment.started_on, "date of the internal review", "the assessment's start"
        )
        assessment.internal_reviewed_on = reviewed_on
        assessment.save(update_fields=["internal_reviewed_on"])
        audit.record_write(
            "triage.assessment_internal_review",
            actor=by,
            obj=assessment,
            referral_id=locked.pk,
            details={"child": assessment.child_id, "reviewed_on": reviewed_on.isoformat()},
        )
    return assessment


# --- emergency protection during the section 47 enquiry -----------------------------------------

# Annex A's "last six months", the 183 days its guidance counts back.
SIX_MONTHS = timedelta(days=183)
EMERGENCY_PROTECTION = "emergency protection order or police protection"


def _check_emergency_protection(used: str, used_on: date | None, today: date) -> None:
    if used not in EmergencyProtection.values:
        raise InvalidInput(f"Choose yes, no or not known: was the child under an {EMERGENCY_PROTECTION}.")
    if used == EmergencyProtection.YES:
        _not_future(used_on, today, f"date of the {EMERGENCY_PROTECTION}")
    elif used_on is not None:
        raise InvalidInput(f"Leave the date of the {EMERGENCY_PROTECTION} empty unless the answer is yes.")


def s47_emergency_protection_record(
    enquiry: Section47Enquiry,
    *,
    used: str,
    used_on: date | None = None,
    by: Actor,
    now: datetime | None = None,
) -> Section47Enquiry:
    """Record whether the child of a section 47 enquiry was subject to an emergency protection order
    or taken into police protection in the six months before the enquiry or since (Annex A list 7),
    and when (the latest, if more than once). A later answer replaces an earlier one.

    Requires: the allocated worker or the team's manager; yes, no or not known (``EmergencyProtection``);
    with yes, the date, not in the future and not more than six months before the enquiry started;
    otherwise no date. Causes: the answer on the enquiry; an audit row with the answer it replaced.
    """
    now, today = _now(now)
    if not isinstance(enquiry, Section47Enquiry):
        raise InvalidInput("Choose a section 47 enquiry of this referral.")
    _check_emergency_protection(used, used_on, today)
    with transaction.atomic():
        locked = referral_lock(Referral(pk=enquiry.referral_id))
        enquiry = Section47Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        require("record_statutory", by, locked)
        if used_on is not None:
            _not_before(
                used_on, enquiry.started_on - SIX_MONTHS, f"date of the {EMERGENCY_PROTECTION}",
                "six months before the enquiry started",
            )  # fmt: skip
        was = enquiry.emergency_protection, enquiry.emergency_protection_on
        enquiry.emergency_protection, enquiry.emergency_protection_on = used, used_on
        enquiry.save(update_fields=["emergency_protection", "emergency_protection_on"])
        audit.record_write(
            "triage.s47_emergency_protection_record",
            actor=by,
            obj=enquiry,
            referral_id=locked.pk,
            details={
                "child": enquiry.child_id, "used": used, "used_on": _iso(used_on),
                "was": was[0], "was_on": _iso(was[1]),
            },
        )  # fmt: skip
    return enquiry


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- the child's identifiers and characteristics ------------------------------------------------


def _clean_identifiers(upn: str, upn_unknown: str, former_upn: str) -> tuple[str, str, str]:
    upn, former, reason = normalise(upn), normalise(former_upn), (upn_unknown or "").strip().upper()
    if bool(upn) == bool(reason):
        raise InvalidInput(
            "Enter the UPN, or choose why it is not known (not both)."
            if upn
            else "Enter the UPN, or choose why it is not known."
        )
    if upn and (problem := upn_error(upn, field="UPN")):
        raise InvalidInput(problem)
    if reason and reason not in UpnUnknown.values:
        raise InvalidInput(
            f"Choose why the UPN is not known ({UpnUnknown.values[0]} to {UpnUnknown.values[-1]})."
        )
    if former and (problem := upn_error(former, field="former UPN")):
        raise InvalidInput(problem)
    if former and former == upn:
        raise InvalidInput("The former UPN is the child's UPN: leave it empty unless the UPN changed.")
    return upn, reason, former


def child_identifiers_record(
    child: ReferralChild,
    *,
    upn: str = "",
    upn_unknown: str = "",
    former_upn: str = "",
    by: Actor,
    now: datetime | None = None,
) -> ChildCensusDetails:
    """Record the child's UPN, or why it is not known (UN1-UN7), and any former UPN.

    Requires: the allocated worker or the team's manager, after allocation (also once closed); either
    a UPN with the right check letter (``mash.upn``) or a reason, not both; a former UPN, if given,
    valid and not the UPN; not UN7 (referral with no further action: census 8772), since this
    referral went on to children's social care. Causes: the child's census details, an audit row.
    """
    now, today = _now(now)
    upn, reason, former = _clean_identifiers(upn, upn_unknown, former_upn)
    if reason == UpnUnknown.UN7:
        raise InvalidInput(
            "UN7 is for a referral with no further action; this child's referral went on to an"
            " assessment or an enquiry: choose another reason the UPN is not known."
        )
    with transaction.atomic():
        locked, child = _lock_child(child, "record_child_details", by)
        before = _violations(locked, today)
        details = _details(child, by, now)
        details.upn, details.upn_unknown, details.former_upn = upn, reason, former
        details.save()
        audit.record_write(
            "triage.child_identifiers_record",
            actor=by,
            obj=details,
            referral_id=locked.pk,
            details={
                "child": child.pk,
                "upn_recorded": bool(upn),
                "upn_unknown": reason,
                "former_upn_recorded": bool(former),
            },
        )
        _refuse_new_violations(locked, before, today)
    return details


def _clean_disabilities(codes: Iterable[str] | None) -> list[str]:
    chosen = [str(code).strip().upper() for code in (codes or []) if str(code).strip()]
    if not chosen:
        raise InvalidInput("Choose the child's disabilities, or NONE (no disability).")
    unknown = [code for code in chosen if code not in Disability.values]
    if unknown:
        raise InvalidInput(f"Disabilities: {', '.join(unknown)} is not a census disability code.")
    if len(set(chosen)) != len(chosen):
        raise InvalidInput("Disabilities: each code once.")
    if Disability.NONE in chosen and len(chosen) > 1:
        raise InvalidInput("Disabilities: NONE (no disability) stands alone.")
    return [code for code in Disability.values if code in chosen]  # the census's own order


def child_disabilities_record(
    child: ReferralChild, *, codes: Iterable[str], by: Actor, now: datetime | None = None
) -> ChildCensusDetails:
    """Record the child's disabilities as census codes (Disability, N00099), replacing any before.

    Requires: the allocated worker or the team's manager, after allocation (also once closed); at
    least one code, each a census code once, NONE on its own. Causes: the child's census details,
    an audit row with the codes before and after.
    """
    now, today = _now(now)
    chosen = _clean_disabilities(codes)
    with transaction.atomic():
        locked, child = _lock_child(child, "record_child_details", by)
        before = _violations(locked, today)
        details = _details(child, by, now)
        previous, details.disabilities = list(details.disabilities), chosen
        details.save()
        audit.record_write(
            "triage.child_disabilities_record",
            actor=by,
            obj=details,
            referral_id=locked.pk,
            details={"child": child.pk, "before": previous, "after": chosen},
        )
        _refuse_new_violations(locked, before, today)
    return details


def _clean_name(value: str | None, what: str) -> str:
    name = (value or "").strip()
    if len(name) > NAME_LENGTH:
        raise InvalidInput(f"The {what} must be {NAME_LENGTH} characters or fewer.")
    return name


def child_birth_record(
    child: ReferralChild,
    *,
    born_on: date,
    sex: str,
    first_name: str = "",
    last_name: str = "",
    by: Actor,
    now: datetime | None = None,
) -> ReferralChild:
    """Record the birth of a child who was unborn at the referral: their date of birth, sex and name.

    Requires: the allocated worker or the team's manager, after allocation (also once closed); the
    child recorded as unborn (no date of birth); a date of birth not in the future; the census sex
    M, F or U (not known); names of at most 100 characters (a baby not yet named keeps them empty).
    Causes: the child's date of birth, sex and names (the expected date of birth is kept, as history;
    the census reads it only while there is no date of birth), an audit row with what changed.
    """
    now, today = _now(now)
    _not_future(born_on, today, "date of birth")
    sex = (sex or "").strip().upper()
    if sex not in Sex.values:
        raise InvalidInput("Choose the child's sex: male, female or not known.")
    first, last = _clean_name(first_name, "first name"), _clean_name(last_name, "last name")
    with transaction.atomic():
        locked, child = _lock_child(child, "record_child_details", by)
        if child.date_of_birth is not None:
            raise Conflict("This child is already born: their date of birth is recorded.")
        before = _violations(locked, today)
        was = {"sex": child.sex, "named": bool(child.full_name)}
        child.date_of_birth, child.sex = born_on, sex
        child.first_name, child.last_name = first or child.first_name, last or child.last_name
        child.save(update_fields=["date_of_birth", "sex", "first_name", "last_name"])
        audit.record_write(
            "triage.child_birth_record",
            actor=by,
            obj=child,
            referral_id=locked.pk,
            details={"born_on": born_on.isoformat(), "sex": sex, "before": was},
        )
        person_birth_from_child(child, by=by, reason=f"Birth recorded on referral {locked.reference}")
        _refuse_new_violations(locked, before, today)
    return child


def _end_plans_on_death(child: ReferralChild, died_on: date, by: Actor, now: datetime) -> list[str]:
    """A plan cannot outlive the child: each open plan ends on the day of death (its clock met)."""
    ended = []
    for plan in ChildProtectionPlan.objects.select_for_update().filter(child=child, ended_on__isnull=True):
        _cp_plan_close(plan, ended_on=max(died_on, plan.started_on), reason=CpPlanEndReason.DIED, by=by)
        ended.append(f"cpplan:{plan.pk}")
    for plan in CinPlan.objects.select_for_update().filter(child=child, ended_on__isnull=True):
        plan.ended_on, plan.ended_by = max(died_on, plan.started_on), by
        plan.save(update_fields=["ended_on", "ended_by"])
        ended.append(f"cinplan:{plan.pk}")
    return ended


def _nobody_left_to_work_with(referral: Referral) -> bool:
    """Every child of the referral has died or had their episode closed."""
    return not ReferralChild.objects.filter(
        referral=referral, cin_closure__isnull=True, census_details__died_on__isnull=True
    ).exists()


def child_death_record(
    child: ReferralChild, *, died_on: date, by: Actor, now: datetime | None = None
) -> ChildCensusDetails:
    """Record the child's death (PersonDeathDate, N00108).

    Requires: the allocated worker or the team's manager; the referral allocated; the child born
    (an unborn child's date of birth is recorded first) and their death not already recorded; a
    date of death not in the future nor before the date of birth. Causes: the date of death; the
    child's open plans ended that day (a child protection plan with reason "died", its review clock
    met); once no child of the referral is left alive with an open episode, the referral's open
    clocks (visit, assessment, conference) stopped, the outcome letter's excepted; an audit row.
    The episode itself is closed by the worker with reason RC2 (died).
    """
    now, today = _now(now)
    _not_future(died_on, today, "date of death")
    with transaction.atomic():
        locked, child = _lock_child(child, "record_statutory", by)
        if child.date_of_birth is None:
            raise InvalidInput("Record the child's birth (their date of birth) before a date of death.")
        _not_before(died_on, child.date_of_birth, "date of death", "the date of birth")
        details = _details(child, by, now)
        if details.died_on is not None:
            raise Conflict("This child's death is already recorded.")
        before = _violations(locked, today)
        details.died_on = died_on
        details.save()
        person_death_from_child(
            child, died_on, by=by, reason=f"Death recorded on referral {locked.reference}"
        )
        ended = _end_plans_on_death(child, died_on, by, now)
        stopped = 0
        if _nobody_left_to_work_with(locked):
            stopped = deadlines.deadlines_stop_all(locked, at=now, by=by)
        audit.record_write(
            "triage.child_death_record",
            actor=by,
            obj=details,
            referral_id=locked.pk,
            details={
                "child": child.pk,
                "died_on": died_on.isoformat(),
                "plans_ended": ended,
                "clocks_stopped": stopped,
            },
        )
        _refuse_new_violations(locked, before, today)
    return details


# --- child in need plans ------------------------------------------------------------------------


def _check_alive(child: ReferralChild) -> None:
    if ChildCensusDetails.objects.filter(child=child, died_on__isnull=False).exists():
        raise InvalidInput("This child's death is recorded: no plan starts for them.")


def _open_cp_plan(child: ReferralChild) -> ChildProtectionPlan | None:
    return ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).first()


def _assessment_leading_to(child: ReferralChild, started_on: date) -> Assessment:
    """The latest assessment of the child authorised by the plan's start: the plan follows from it."""
    assessment = (
        Assessment.objects.filter(child=child, authorised_on__isnull=False, authorised_on__lte=started_on)
        .order_by("-authorised_on", "-id")
        .first()
    )
    if assessment is None:
        raise InvalidInput(
            "A child in need plan follows an assessment: authorise the child's assessment first"
            " (the plan cannot start before it was authorised)."
        )
    if assessment.requires_support is False:
        raise InvalidInput(
            "The child's assessment found they do not need children's social care support:"
            " there is no child in need plan to start."
        )
    return assessment


def cin_plan_start(
    referral: Referral, *, child: ReferralChild, started_on: date, by: Actor, now: datetime | None = None
) -> CinPlan:
    """Start a child in need plan for one child after their assessment.

    Requires: the allocated worker or the team's manager; the referral allocated; the child's
    episode open and no death recorded; a start date not in the future nor before the referral; an
    assessment of the child authorised by then that found support needed; no other open CIN plan of
    the child, and no open child protection plan (a CIN plan does not run alongside one: census
    4001). Causes: the plan, an audit row.
    """
    now, today = _now(now)
    with transaction.atomic():
        locked = referral_lock(referral)
        require("record_statutory", by, locked)
        child = _child_of(locked, child)
        _check_day(started_on, locked, today, "the child in need plan started")
        _check_alive(child)
        assessment = _assessment_leading_to(child, started_on)
        if CinPlan.objects.filter(child=child, ended_on__isnull=True).exists():
            raise Conflict("This child already has an open child in need plan.")
        if _open_cp_plan(child) is not None:
            raise InvalidInput(
                "The child has a child protection plan: a child in need plan does not run alongside one."
            )
        before = _violations(locked, today)
        plan = CinPlan.objects.create(
            referral=locked,
            child=child,
            assessment=assessment,
            started_on=started_on,
            started_by=by,
            recorded_at=now,
        )
        audit.record_write(
            "triage.cin_plan_start",
            actor=by,
            obj=plan,
            details={"child": child.pk, "started_on": started_on.isoformat(), "assessment": assessment.pk},
        )
        _refuse_new_violations(locked, before, today)
    return plan


def _lock_plan(model, plan, by: Actor) -> tuple[Referral, object]:
    locked = referral_lock(Referral(pk=plan.referral_id))
    plan = model.objects.select_for_update().get(pk=plan.pk)
    require("record_statutory", by, locked)
    if plan.ended_on is not None:
        raise Conflict("This plan has ended.")
    return locked, plan


def _last_review(plan) -> date | None:
    last = plan.reviews.order_by("-reviewed_on").first()
    return last.reviewed_on if last else None


def _check_review_day(plan, reviewed_on: date, today: date) -> None:
    _not_future(reviewed_on, today, "date of the review")
    _not_before(reviewed_on, plan.started_on, "review", "the plan started")
    if plan.reviews.filter(reviewed_on=reviewed_on).exists():
        raise Conflict(f"A review on {reviewed_on:%d/%m/%Y} is already recorded.")


def cin_plan_review(
    plan: CinPlan, *, reviewed_on: date, by: Actor, now: datetime | None = None
) -> CinPlanReview:
    """Record a review of an open child in need plan.

    Requires: the allocated worker or the team's manager; the referral allocated; the plan open; a
    review date not in the future, not before the plan started, not one already recorded. Causes:
    the review, an audit row.
    """
    now, today = _now(now)
    with transaction.atomic():
        locked, plan = _lock_plan(CinPlan, plan, by)
        _check_review_day(plan, reviewed_on, today)
        review = CinPlanReview.objects.create(
            plan=plan, reviewed_on=reviewed_on, recorded_by=by, recorded_at=now
        )
        audit.record_write(
            "triage.cin_plan_review",
            actor=by,
            obj=review,
            referral_id=locked.pk,
            details={"plan": plan.pk, "reviewed_on": reviewed_on.isoformat()},
        )
    return review


def _check_end_day(plan, ended_on: date, today: date) -> None:
    _not_future(ended_on, today, "date the plan ended")
    _not_before(ended_on, plan.started_on, "plan's end", "it started")
    _not_before(ended_on, _last_review(plan), "plan's end", "its last review")


def cin_plan_end(plan: CinPlan, *, ended_on: date, by: Actor, now: datetime | None = None) -> CinPlan:
    """End an open child in need plan (CINPlanEndDate).

    Requires: the allocated worker or the team's manager; the referral allocated; the plan open; an
    end date not in the future nor before the plan started or was last reviewed. Causes: the plan
    ended, an audit row.
    """
    now, today = _now(now)
    with transaction.atomic():
        locked, plan = _lock_plan(CinPlan, plan, by)
        _check_end_day(plan, ended_on, today)
        before = _violations(locked, today)
        plan.ended_on, plan.ended_by = ended_on, by
        plan.save(update_fields=["ended_on", "ended_by"])
        audit.record_write(
            "triage.cin_plan_end", actor=by, obj=plan, details={"ended_on": ended_on.isoformat()}
        )
        _refuse_new_violations(locked, before, today)
    return plan


# --- child protection plans ---------------------------------------------------------------------


def review_timescale(policy: PolicyVersion, *, first: bool) -> dict:
    """The review conference's timescale: the first within the policy's months of the initial
    conference, each later one within its interval of the last review."""
    months = policy.cp_first_review_months if first else policy.cp_review_interval_months
    return {"amount": months, "unit": "calendar_months"}


def _same_child(child: ReferralChild) -> Q:
    """The child's records across referrals: every child matched to the same person (or merged into
    it) in the person index, else this referral's child alone."""
    person = child.person
    if person is None:
        return Q(child=child)
    survivor = person.merged_into_id or person.pk
    return Q(child__person_id=survivor) | Q(child__person__merged_into_id=survivor)


def _previous_plans(child: ReferralChild, started_on: date) -> int:
    """Census NumberOfPreviousCPP: the child's plans that had ended by this one's start."""
    return ChildProtectionPlan.objects.filter(_same_child(child), ended_on__lte=started_on).count()


def _check_plan_can_start(enquiry: Section47Enquiry, child: ReferralChild) -> None:
    if ChildProtectionPlan.objects.filter(enquiry=enquiry).exists():
        raise Conflict("The child protection plan from this conference is already recorded.")
    if enquiry.icpc_on is None or not enquiry.cp_plan:
        raise InvalidInput(
            "A child protection plan starts from an initial conference that decided on one: record"
            " the conference and its decision first."
        )
    if _open_cp_plan(child) is not None:
        raise Conflict("This child already has an open child protection plan.")
    overlapping = CinPlan.objects.filter(child=child).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=enquiry.icpc_on)
    )
    if overlapping.exists():
        raise InvalidInput(
            "End the child's child in need plan (on or before the conference's date) first:"
            " a child in need plan does not run alongside a child protection plan."
        )


def cp_plan_start(
    enquiry: Section47Enquiry, *, by: Actor, now: datetime | None = None
) -> ChildProtectionPlan:
    """Start the child protection plan that an initial conference decided on.

    The plan takes the conference's date as its start (census 2885) and the conference's category of
    abuse as its initial and latest category.

    Requires: the allocated worker or the team's manager; the referral allocated; the child's
    episode open and no death recorded; the enquiry's conference held with a plan decided, and no
    plan from it yet; no other open plan of the child; no CIN plan running past the conference
    (census 4001). Causes:
    the plan, with the number of the child's earlier plans (NumberOfPreviousCPP); the review
    conference clock started from the conference (the policy's first-review months); an audit row.
    """
    now, today = _now(now)
    with transaction.atomic():
        locked = referral_lock(Referral(pk=enquiry.referral_id))
        enquiry = Section47Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        require("record_statutory", by, locked)
        child = _child_of(locked, enquiry.child)
        _check_alive(child)
        _check_plan_can_start(enquiry, child)
        before = _violations(locked, today)
        plan = ChildProtectionPlan.objects.create(
            referral=locked,
            child=child,
            enquiry=enquiry,
            started_on=enquiry.icpc_on,
            initial_category=enquiry.initial_category,
            latest_category=enquiry.initial_category,
            previous_plans=_previous_plans(child, enquiry.icpc_on),
            started_by=by,
            recorded_at=now,
        )
        policy = policy_for(locked)
        deadlines.deadline_start(
            locked,
            Deadline.Kind.CP_REVIEW,
            start=_on_day(plan.started_on),
            subject=plan.clock_subject,
            timescale=review_timescale(policy, first=True),
            policy=policy,
            by=by,
        )
        audit.record_write(
            "triage.cp_plan_start",
            actor=by,
            obj=plan,
            details={
                "child": child.pk,
                "started_on": plan.started_on.isoformat(),
                "category": plan.initial_category,
                "previous_plans": plan.previous_plans,
            },
        )
        _refuse_new_violations(locked, before, today)
    return plan


def cp_plan_review(
    plan: ChildProtectionPlan, *, reviewed_on: date, by: Actor, now: datetime | None = None
) -> CpPlanReview:
    """Record a review child protection conference of an open plan (CPPreviewDate).

    Requires: the allocated worker or the team's manager; the referral allocated; the plan open; a
    review date not in the future, not before the plan started, not one already recorded. Causes:
    the review; the plan's review clock met on the review day and the next started from it (the
    policy's review interval); an audit row.
    """
    now, today = _now(now)
    with transaction.atomic():
        locked, plan = _lock_plan(ChildProtectionPlan, plan, by)
        _check_review_day(plan, reviewed_on, today)
        review = CpPlanReview.objects.create(
            plan=plan, reviewed_on=reviewed_on, recorded_by=by, recorded_at=now
        )
        # A review recorded late, before one already recorded, leaves the clock of the later one.
        if reviewed_on == _last_review(plan):
            held = _on_day(reviewed_on)
            deadlines.deadline_meet(
                locked, Deadline.Kind.CP_REVIEW, at=held, subject=plan.clock_subject, by=by
            )
            policy = policy_for(locked)
            deadlines.deadline_start(
                locked,
                Deadline.Kind.CP_REVIEW,
                start=held,
                subject=plan.clock_subject,
                timescale=review_timescale(policy, first=False),
                policy=policy,
                by=by,
            )
        audit.record_write(
            "triage.cp_plan_review",
            actor=by,
            obj=review,
            referral_id=locked.pk,
            details={"plan": plan.pk, "reviewed_on": reviewed_on.isoformat()},
        )
    return review


def cp_visit_record(
    plan: ChildProtectionPlan,
    *,
    visited_on: date,
    child_seen: bool,
    seen_alone: bool,
    by: Actor,
    now: datetime | None = None,
) -> CpVisit:
    """Record a statutory visit to a child on an open child protection plan (Annex A list 7).

    Requires: the allocated worker or the team's manager; the plan open; a visit date not in the
    future and not before the plan started; whether the child was seen, and seen alone (only a child
    seen can be seen alone). Causes: the visit, an audit row.
    """
    now, today = _now(now)
    _not_future(visited_on, today, "date of the visit")
    if child_seen not in (True, False) or seen_alone not in (True, False):
        raise InvalidInput("Say whether the child was seen, and whether they were seen alone.")
    if seen_alone and not child_seen:
        raise InvalidInput("A child who was not seen cannot have been seen alone.")
    with transaction.atomic():
        locked, plan = _lock_plan(ChildProtectionPlan, plan, by)
        _not_before(visited_on, plan.started_on, "visit", "the plan started")
        visit = CpVisit.objects.create(
            plan=plan, visited_on=visited_on, child_seen=child_seen, seen_alone=seen_alone,
            recorded_by=by, recorded_at=now,
        )  # fmt: skip
        audit.record_write(
            "triage.cp_visit_record",
            actor=by,
            obj=visit,
            referral_id=locked.pk,
            details={"plan": plan.pk, "visited_on": visited_on.isoformat(), "seen": child_seen,
                     "alone": seen_alone},
        )  # fmt: skip
    return visit


def cp_plan_category_change(
    plan: ChildProtectionPlan, *, changed_on: date, category: str, by: Actor, now: datetime | None = None
) -> CpPlanCategoryChange:
    """Change the category of abuse of an open plan (LatestCategoryOfAbuse).

    Requires: the allocated worker or the team's manager; the referral allocated; the plan open; a
    census category (NEG, PHY, SAB, EMO, MUL) other than the plan's latest; a date not in the future,
    not before the plan started nor before its last change. Causes: the change, the plan's latest
    category, an audit row.
    """
    now, today = _now(now)
    category = (category or "").strip().upper()
    if category not in CategoryOfAbuse.values:
        raise InvalidInput("Choose the new category of abuse.")
    with transaction.atomic():
        locked, plan = _lock_plan(ChildProtectionPlan, plan, by)
        if category == plan.latest_category:
            raise InvalidInput(f"The plan's category is already {CategoryOfAbuse(category).label.lower()}.")
        _not_future(changed_on, today, "date the category changed")
        _not_before(changed_on, plan.started_on, "category change", "the plan started")
        last = plan.category_changes.order_by("-changed_on").first()
        _not_before(changed_on, last.changed_on if last else None, "category change", "the last change")
        change = CpPlanCategoryChange.objects.create(
            plan=plan, changed_on=changed_on, category=category, recorded_by=by, recorded_at=now
        )
        previous, plan.latest_category = plan.latest_category, category
        plan.save(update_fields=["latest_category"])
        audit.record_write(
            "triage.cp_plan_category_change",
            actor=by,
            obj=change,
            referral_id=locked.pk,
            details={"plan": plan.pk, "from": previous, "to": category, "changed_on": changed_on.isoformat()},
        )
    return change


def _cp_plan_close(plan: ChildProtectionPlan, *, ended_on: date, reason: str, by: Actor) -> None:
    plan.ended_on, plan.end_reason, plan.ended_by = ended_on, reason, by
    plan.save(update_fields=["ended_on", "end_reason", "ended_by"])
    deadlines.deadline_meet(
        Referral(pk=plan.referral_id),
        Deadline.Kind.CP_REVIEW,
        at=_on_day(ended_on),
        subject=plan.clock_subject,
        by=by,
    )


def cp_plan_end(
    plan: ChildProtectionPlan, *, ended_on: date, reason: str, by: Actor, now: datetime | None = None
) -> ChildProtectionPlan:
    """End an open child protection plan (CPPendDate) with the reason it ended.

    Requires: the allocated worker or the team's manager; the referral allocated; the plan open; a
    reason (Working Together's: no longer at risk, moved to another authority, reached 18, died, left
    the UK; "died" only once the death is recorded, which ends the plan itself); an end date not in
    the future nor before the plan started or was last reviewed. Causes: the plan ended, its review
    clock met, an audit row.
    """
    now, today = _now(now)
    reason = (reason or "").strip()
    if reason not in CpPlanEndReason.values:
        raise InvalidInput("Choose why the child protection plan ended.")
    if reason == CpPlanEndReason.DIED:
        raise InvalidInput(
            "Record the child's date of death instead: it ends the plan on that day with this reason."
        )
    with transaction.atomic():
        locked, plan = _lock_plan(ChildProtectionPlan, plan, by)
        _check_end_day(plan, ended_on, today)
        before = _violations(locked, today)
        _cp_plan_close(plan, ended_on=ended_on, reason=reason, by=by)
        audit.record_write(
            "triage.cp_plan_end",
            actor=by,
            obj=plan,
            details={"ended_on": ended_on.isoformat(), "reason": reason},
        )
        _refuse_new_violations(locked, before, today)
    return plan
