"""Every write of the statutory items after allocation: the assessment (started, authorised), the
section 47 enquiry (started, its initial conference recorded) and the closure of the CIN episode.

Each action is one transaction: the referral row is locked, the recorder is checked (the allocated
worker or the team's manager), the obvious is validated before anything is written, the record and
an audit row are written, clocks are met or started, and then the CIN census rules are checked ON
ENTRY as the database now reads (``triage.signals.census_violations``: the rules are reports', which
supplies them). An error (not a query) that this change introduced refuses it with the rule's
message, and the transaction rolls back.
Errors that were already there before the change are left to the census export to report, so one
old problem does not stop a worker recording something unrelated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.codes import CategoryOfAbuse, ReasonForClosure
from mash.exceptions import Conflict, InvalidInput
from referrals.models import Referral, ReferralChild
from referrals.states import Status
from triage import deadlines, signals
from triage.actions import referral_lock, referral_transition
from triage.casework.models import Assessment, CinClosure, Section47Enquiry
from triage.casework.models_census import plans_open
from triage.models import Deadline
from triage.multiagency.models import StrategyDiscussion
from triage.permissions import require
from triage.policy import calendar_for, policy_for

NO_FACTORS = "21"


# --- shared checks ------------------------------------------------------------------------------


def _referral_date(referral: Referral) -> date:
    return timezone.localdate(referral.received_at)


def _check_day(day: date | None, referral: Referral, today: date, what: str) -> date:
    """A date that is given, not in the future, and not before the referral (census 1103-1105)."""
    if not isinstance(day, date):
        raise InvalidInput(f"Enter the date {what}.")
    if day > today:
        raise InvalidInput(f"The date {what} cannot be in the future.")
    received = _referral_date(referral)
    if day < received:
        raise InvalidInput(f"The date {what} cannot be before the referral ({received:%d/%m/%Y}).")
    return day


def _child_of(referral: Referral, child: ReferralChild | None) -> ReferralChild:
    if child is None or child.referral_id != referral.pk:
        raise InvalidInput("Choose a child of this referral.")
    if CinClosure.objects.filter(child=child).exists():
        raise Conflict("This child's episode is closed.")
    return child


def _violations(referral: Referral, today: date) -> set[tuple[str, str, str]]:
    found = signals.census_violations(referral.pk, as_at=today)
    return {(v.rule, v.message, v.child) for v in found if not v.is_query}


def _refuse_new_violations(referral: Referral, before: set[tuple[str, str, str]], today: date) -> None:
    """The census rules as the workflow now records the referral: raise (and so roll back) when this
    change introduced an error."""
    new = sorted(_violations(referral, today) - before)
    if new:
        raise InvalidInput(" ".join(message for _, message, _ in new))


def _on_day(day: date) -> datetime:
    # An event known only by its day is placed at noon (inside working hours) for the clocks.
    return timezone.make_aware(datetime.combine(day, time(12)))


# --- the assessment -----------------------------------------------------------------------------


def assessment_start(
    referral: Referral,
    *,
    child: ReferralChild,
    started_on: date,
    child_seen_on: date | None = None,
    by: Actor,
    now: datetime | None = None,
) -> Assessment:
    """Start a child and family assessment of one child of an allocated referral.

    Requires: the allocated worker or the team's manager; the referral allocated; the child's episode
    open; a start date not in the future nor before the referral; a child-seen date (if given) from
    the start to today; no other open assessment of the child (census 8896). Causes: the assessment
    (worker and team from the allocation), the assessment clock started from the referral if none
    has ever run for it, an audit row.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        locked = referral_lock(referral)
        require("record_statutory", by, locked)
        child = _child_of(locked, child)
        _check_day(started_on, locked, today, "the assessment started")
        _check_seen(child_seen_on, started_on, today)
        before = _violations(locked, today)
        assessment = Assessment.objects.create(
            referral=locked,
            child=child,
            started_on=started_on,
            child_seen_on=child_seen_on,
            worker=locked.allocated_worker,
            team=locked.team,
            started_by=by,
            recorded_at=now,
        )
        if not Deadline.objects.filter(referral=locked, kind=Deadline.Kind.ASSESSMENT).exists():
            deadlines.deadline_start(
                locked, Deadline.Kind.ASSESSMENT, start=locked.received_at, policy=policy_for(locked), by=by
            )
        audit.record_write(
            "triage.assessment_start",
            actor=by,
            obj=assessment,
            details={"child": child.pk, "started_on": started_on.isoformat()},
        )
        _refuse_new_violations(locked, before, today)
    return assessment


def _check_seen(seen: date | None, started_on: date | None, today: date) -> None:
    if seen is None:
        return
    if seen > today:
        raise InvalidInput("The date the child was seen cannot be in the future.")
    if isinstance(started_on, date) and seen < started_on:
        raise InvalidInput("The child is seen during the assessment: not before it started.")


def _clean_factors(factors: Iterable[str] | None) -> list[str]:
    cleaned = [str(code).strip().upper() for code in (factors or []) if str(code).strip()]
    if not cleaned:
        raise InvalidInput(
            f"Record the factors identified at the assessment ({NO_FACTORS} if there were none)."
        )
    return cleaned


def assessment_authorise(
    assessment: Assessment,
    *,
    authorised_on: date,
    factors: Iterable[str],
    requires_support: bool,
    child_seen_on: date | None = None,
    by: Actor,
    now: datetime | None = None,
) -> Assessment:
    """Authorise (complete) an open assessment with the factors identified and whether the child
    needs children's social care support.

    Requires: the allocated worker or the team's manager; the assessment open; an authorisation date
    not before the start (8608) nor in the future; factors (census codes, no repeats, 21 alone:
    8898, 8869); the support answer. Causes: the assessment authorised, the referral's assessment
    clock met (on the authorisation day) once no assessment on it is open, an audit row.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    codes = _clean_factors(factors)
    if requires_support not in (True, False):
        raise InvalidInput("Say whether the child was assessed as requiring children's social care support.")
    with transaction.atomic():
        # The referral first, as every statutory action locks it, then the record itself.
        locked = referral_lock(Referral(pk=assessment.referral_id))
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        require("record_statutory", by, locked)
        if assessment.authorised_on is not None:
            raise Conflict("This assessment has already been authorised.")
        _check_day(authorised_on, locked, today, "the assessment was authorised")
        if authorised_on < assessment.started_on:
            raise InvalidInput(
                f"The assessment cannot be authorised before it started ({assessment.started_on:%d/%m/%Y})."
            )
        reviewed = assessment.internal_reviewed_on
        if reviewed is not None and authorised_on < reviewed:
            raise InvalidInput(
                f"The assessment cannot be authorised before its internal review ({reviewed:%d/%m/%Y})."
            )
        seen = child_seen_on or assessment.child_seen_on
        _check_seen(seen, assessment.started_on, today)
        if seen is not None and seen > authorised_on:
            raise InvalidInput("The child is seen during the assessment: not after it was authorised.")
        before = _violations(locked, today)
        assessment.authorised_on, assessment.factors = authorised_on, codes
        assessment.requires_support, assessment.child_seen_on = requires_support, seen
        assessment.authorised_by = by
        assessment.save(
            update_fields=["authorised_on", "factors", "requires_support", "child_seen_on", "authorised_by"]
        )
        if not Assessment.objects.filter(referral=locked, authorised_on__isnull=True).exists():
            deadlines.deadline_meet(locked, Deadline.Kind.ASSESSMENT, at=_on_day(authorised_on), by=by)
        audit.record_write(
            "triage.assessment_authorise",
            actor=by,
            obj=assessment,
            details={
                "authorised_on": authorised_on.isoformat(),
                "factors": codes,
                "support": requires_support,
            },
        )
        _refuse_new_violations(locked, before, today)
    return assessment


# --- the section 47 enquiry ---------------------------------------------------------------------


def _s47_start(referral: Referral, started_on: date | None) -> tuple[date, StrategyDiscussion | None]:
    """The enquiry starts on the day of the strategy discussion that started it: the MASH's, unless
    a later one (held by the team) is named by its date."""
    strategy = StrategyDiscussion.objects.filter(referral=referral, s47_enquiry=True).first()
    held_on = timezone.localdate(strategy.held_at) if strategy else None
    if started_on is None:
        if held_on is None:
            raise InvalidInput("Enter the date of the strategy discussion that started the enquiry.")
        return held_on, strategy
    return started_on, strategy if started_on == held_on else None


def s47_start(
    referral: Referral,
    *,
    child: ReferralChild,
    started_on: date | None = None,
    by: Actor,
    now: datetime | None = None,
) -> Section47Enquiry:
    """Start a section 47 enquiry about one child.

    Requires: the allocated worker or the team's manager; the referral allocated; the child's episode
    open; the start date (default: the MASH strategy discussion that decided on S47), not in the
    future nor before the referral; no other open enquiry of the child (8890). Causes: the enquiry,
    linked to the strategy discussion when it started it, with its ICPC target 15 working days later
    (the policy's calendar); the ICPC clock started from the discussion (kept if already running);
    an audit row.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        locked = referral_lock(referral)
        require("record_statutory", by, locked)
        child = _child_of(locked, child)
        started_on, strategy = _s47_start(locked, started_on)
        _check_day(started_on, locked, today, "of the strategy discussion")
        policy = policy_for(locked)
        began = strategy.held_at if strategy else _on_day(started_on)
        target = timezone.localdate(calendar_for(policy).add_working_days(began, policy.icpc_working_days))
        before = _violations(locked, today)
        enquiry = Section47Enquiry.objects.create(
            referral=locked,
            child=child,
            strategy_discussion=strategy,
            started_on=started_on,
            icpc_target=target,
            worker=locked.allocated_worker,
            team=locked.team,
            started_by=by,
            recorded_at=now,
        )
        deadlines.deadline_start(locked, Deadline.Kind.ICPC, start=began, policy=policy, by=by)
        audit.record_write(
            "triage.s47_start",
            actor=by,
            obj=enquiry,
            details={
                "child": child.pk,
                "started_on": started_on.isoformat(),
                "icpc_target": target.isoformat(),
            },
        )
        _refuse_new_violations(locked, before, today)
    return enquiry


def _check_conference(
    enquiry: Section47Enquiry,
    icpc_on: date | None,
    not_required: bool,
    cp_plan: bool | None,
    category: str,
) -> None:
    if (icpc_on is None) == (not not_required):
        raise InvalidInput("Enter the date of the initial conference, or say that none is required.")
    if not_required:
        if cp_plan is not None or category:
            raise InvalidInput("Without an initial conference there is no child protection plan to record.")
        return
    if icpc_on < enquiry.started_on:
        raise InvalidInput(
            "The initial conference cannot be before the S47 enquiry started"
            f" ({enquiry.started_on:%d/%m/%Y})."
        )
    if icpc_on.weekday() >= 5:
        raise InvalidInput(f"The initial conference date {icpc_on:%d/%m/%Y} is a weekend.")
    if cp_plan not in (True, False):
        raise InvalidInput("Say whether the conference resulted in a child protection plan.")
    if cp_plan and category not in CategoryOfAbuse.values:
        raise InvalidInput("Choose the initial category of abuse of the child protection plan.")
    if not cp_plan and category:
        raise InvalidInput("A category of abuse is recorded only with a child protection plan.")


def icpc_record(
    enquiry: Section47Enquiry,
    *,
    icpc_on: date | None = None,
    not_required: bool = False,
    cp_plan: bool | None = None,
    initial_category: str = "",
    by: Actor,
    now: datetime | None = None,
) -> Section47Enquiry:
    """Record the initial child protection conference of an enquiry (or that none is required).

    Requires: the allocated worker or the team's manager; the enquiry open; either the conference
    date (a weekday, not before the enquiry started, not in the future: 8615, 8875) with whether it
    resulted in a CP plan (and the plan's initial category of abuse), or "not required". Causes: the
    enquiry concluded; the ICPC clock met (on the conference day) once no enquiry on the referral is
    open; an audit row.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    category = (initial_category or "").strip().upper()
    with transaction.atomic():
        locked = referral_lock(Referral(pk=enquiry.referral_id))
        enquiry = Section47Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        require("record_statutory", by, locked)
        if not enquiry.is_open:
            raise Conflict("The initial conference of this enquiry has already been recorded.")
        if icpc_on is not None:
            _check_day(icpc_on, locked, today, "of the initial conference")
        _check_conference(enquiry, icpc_on, bool(not_required), cp_plan, category)
        before = _violations(locked, today)
        enquiry.icpc_on, enquiry.icpc_not_required = icpc_on, bool(not_required)
        enquiry.cp_plan, enquiry.initial_category, enquiry.concluded_by = cp_plan, category, by
        enquiry.save(
            update_fields=["icpc_on", "icpc_not_required", "cp_plan", "initial_category", "concluded_by"]
        )
        if not any(e.is_open for e in Section47Enquiry.objects.filter(referral=locked)):
            deadlines.deadline_meet(
                locked, Deadline.Kind.ICPC, at=_on_day(icpc_on) if icpc_on else now, by=by
            )
        audit.record_write(
            "triage.icpc_record",
            actor=by,
            obj=enquiry,
            details={
                "icpc_on": icpc_on.isoformat() if icpc_on else None,
                "not_required": bool(not_required),
                "cp_plan": cp_plan,
                "initial_category": category,
            },
        )
        _refuse_new_violations(locked, before, today)
    return enquiry


# --- closure ------------------------------------------------------------------------------------


def cin_close(
    referral: Referral,
    *,
    child: ReferralChild,
    closed_on: date,
    reason: str,
    by: Actor,
    now: datetime | None = None,
) -> CinClosure:
    """Close one child's child in need episode with the census reason for closure.

    Requires: the allocated worker or the team's manager; the referral allocated; the child's episode
    open, with no assessment or enquiry still open; a closure date not in the future nor before the
    referral; a reason RC1-RC9 (RC8/RC9, closed after assessment, forbid an S47 enquiry: 2990).
    Causes: the closure, an audit row, and the referral CLOSED (its clocks stopped) once every child's
    episode is closed.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    reason = (reason or "").strip().upper()
    if reason not in ReasonForClosure.values:
        raise InvalidInput("Choose the reason for closure (RC1 to RC9).")
    with transaction.atomic():
        locked = referral_lock(referral)
        require("record_statutory", by, locked)
        child = _child_of(locked, child)
        _check_day(closed_on, locked, today, "the episode closed")
        if Assessment.objects.filter(child=child, authorised_on__isnull=True).exists():
            raise InvalidInput("Authorise the open assessment before closing the episode.")
        if any(e.is_open for e in Section47Enquiry.objects.filter(child=child)):
            raise InvalidInput("Record the initial conference (or that none is required) before closing.")
        if plans_open(child):
            raise InvalidInput("End the child's child in need or child protection plan before closing.")
        before = _violations(locked, today)
        closure = CinClosure.objects.create(
            referral=locked, child=child, closed_on=closed_on, reason=reason, closed_by=by, recorded_at=now
        )
        audit.record_write(
            "triage.cin_close",
            actor=by,
            obj=closure,
            details={"child": child.pk, "closed_on": closed_on.isoformat(), "reason": reason},
        )
        _refuse_new_violations(locked, before, today)
        if not ReferralChild.objects.filter(referral=locked, cin_closure__isnull=True).exists():
            referral_transition(
                locked,
                to=Status.CLOSED,
                by=by,
                reason=f"Child in need episodes closed ({ReasonForClosure(reason).label})",
                policy=policy_for(locked),
            )
    return closure
