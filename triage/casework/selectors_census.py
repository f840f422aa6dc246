"""Reads for the census items beside the assessment and the enquiry: one referral's children with
their census details and plans, and the choices each recording page offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from referrals.models import Referral, ReferralChild
from triage.casework.models import Assessment, Section47Enquiry
from triage.casework.models_census import ChildCensusDetails, ChildProtectionPlan, CinPlan
from triage.models import Deadline


@dataclass
class CpPlanRow:
    plan: ChildProtectionPlan
    review_due: datetime | None = None  # the open review conference clock's due time


@dataclass
class CensusRecord:
    child: ReferralChild
    details: ChildCensusDetails | None = None
    cin_plans: list[CinPlan] = field(default_factory=list)
    cp_plans: list[CpPlanRow] = field(default_factory=list)


def census_record(referral: Referral) -> list[CensusRecord]:
    """Each child of the referral with their census details, CIN plans (with reviews) and CP plans
    (with reviews, category changes and when the next review is due), in a fixed number of queries."""
    children = (
        ReferralChild.objects.filter(referral=referral)
        .select_related("census_details")
        .prefetch_related(
            Prefetch("cin_plans", queryset=CinPlan.objects.prefetch_related("reviews")),
            Prefetch(
                "cp_plans",
                queryset=ChildProtectionPlan.objects.prefetch_related("reviews", "category_changes"),
            ),
        )
        .order_by("id")
    )
    due = dict(
        Deadline.objects.filter(
            referral=referral, kind=Deadline.Kind.CP_REVIEW, met_at__isnull=True
        ).values_list("subject", "due_at")
    )
    return [
        CensusRecord(
            child,
            getattr(child, "census_details", None),
            list(child.cin_plans.all()),
            [CpPlanRow(plan, due.get(plan.clock_subject)) for plan in child.cp_plans.all()],
        )
        for child in children
    ]


def assessments_awaiting_review(referral: Referral):
    """The referral's open assessments whose internal review is not yet recorded."""
    return Assessment.objects.filter(
        referral=referral, authorised_on__isnull=True, internal_reviewed_on__isnull=True
    ).select_related("child")


def enquiries(referral: Referral):
    """The referral's section 47 enquiries, open or concluded, oldest first."""
    return Section47Enquiry.objects.filter(referral=referral).select_related("child")


def all_children(referral: Referral):
    return ReferralChild.objects.filter(referral=referral).order_by("id")


def unborn_children(referral: Referral):
    return all_children(referral).filter(date_of_birth__isnull=True)


def living_children(referral: Referral):
    """Born, with no death recorded: whose death the page can record."""
    return all_children(referral).filter(date_of_birth__isnull=False, census_details__died_on__isnull=True)


def open_episode_children(referral: Referral):
    return all_children(referral).filter(cin_closure__isnull=True)


def open_cin_plans(referral: Referral):
    return CinPlan.objects.filter(referral=referral, ended_on__isnull=True).select_related("child")


def open_cp_plans(referral: Referral):
    return ChildProtectionPlan.objects.filter(referral=referral, ended_on__isnull=True).select_related(
        "child"
    )


def conferences_awaiting_plan(referral: Referral):
    """Initial conferences that decided on a plan whose plan is not yet recorded."""
    return Section47Enquiry.objects.filter(
        referral=referral, cp_plan=True, icpc_on__isnull=False, protection_plan__isnull=True
    ).select_related("child")
