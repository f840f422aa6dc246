"""Reads for the statutory items: who may record them, and one referral's assessments, enquiries
and closures by child. The allocated worker and the receiving team's manager, nobody else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from mash.exceptions import NotFound
from referrals.models import Referral, ReferralChild
from referrals.states import Status
from triage.casework.models import Assessment, CinClosure, Section47Enquiry
from triage.permissions import ACTIONS
from triage.selectors import access_referral

# After allocation the pages stay readable once the episodes are closed (the referral CLOSED).
STATUTORY_STATUSES = (Status.ALLOCATED, Status.CLOSED)


def may_record(user: Any, referral: Referral) -> bool:
    """The allocated worker, or the manager of the referral's team: who the "record_statutory" rule
    of ``triage.permissions`` allows (the pages stay readable to them once the referral is closed)."""
    return ACTIONS["record_statutory"].who(user, referral)


def access_allocated_referral(user: Any, reference: str) -> Referral:
    """An allocated referral whose statutory items ``user`` records; NotFound for anyone else."""
    referral = access_referral(user, reference)
    if referral.status not in STATUTORY_STATUSES or not may_record(user, referral):
        raise NotFound("There is no referral with that reference that you can see.")
    return referral


@dataclass
class ChildRecord:
    child: ReferralChild
    assessments: list[Assessment] = field(default_factory=list)
    enquiries: list[Section47Enquiry] = field(default_factory=list)
    closure: CinClosure | None = None

    @property
    def is_open(self) -> bool:
        return self.closure is None


def statutory_record(referral: Referral) -> list[ChildRecord]:
    """Each child of the referral with its assessments, S47 enquiries and closure (four queries)."""
    children = (
        ReferralChild.objects.filter(referral=referral)
        .select_related("cin_closure")
        .prefetch_related(
            Prefetch("statutory_assessments", queryset=Assessment.objects.select_related("worker", "team")),
            Prefetch(
                "section47_enquiries", queryset=Section47Enquiry.objects.select_related("worker", "team")
            ),
        )
        .order_by("id")
    )
    return [
        ChildRecord(
            child,
            list(child.statutory_assessments.all()),
            list(child.section47_enquiries.all()),
            getattr(child, "cin_closure", None),
        )
        for child in children
    ]


def open_assessments(referral: Referral):
    return Assessment.objects.filter(referral=referral, authorised_on__isnull=True).select_related("child")


def open_enquiries(referral: Referral):
    return Section47Enquiry.objects.filter(
        referral=referral, icpc_on__isnull=True, icpc_not_required=False
    ).select_related("child")


def open_children(referral: Referral):
    return ReferralChild.objects.filter(referral=referral, cin_closure__isnull=True).order_by("id")
