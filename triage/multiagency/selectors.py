"""Reads for the discussion, outcome, allocation and challenge pages.

Referral visibility is ``triage.selectors.referrals_visible_to`` (MASH staff see every
referral; team roles their teams' and their allocations), so these pages cannot disagree with the
referral page. Anything outside is ``NotFound``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from agencies.models import Agency, Team
from mash.exceptions import NotFound
from mash.roles import is_mash_lead, is_mash_staff
from referrals.models import Referral, ReferralChild
from referrals.restricted import open_to
from referrals.states import Status
from triage.multiagency.models import (
    Allocation,
    Challenge,
    DiscussionContribution,
    InformationRequest,
    MashDiscussion,
    Outcome,
    StrategyDiscussion,
)
from triage.selectors import access_referral

TEAM_QUEUE_STATUSES = (Status.OUTCOME, Status.ALLOCATED)


def access_mash_referral(user: Any, reference: str) -> Referral:
    """A referral for the MASH's own pages (requests, discussions, outcome): MASH staff only."""
    if not is_mash_staff(user):
        raise NotFound("There is no referral with that reference that you can see.")
    return access_referral(user, reference)


def access_summary_referral(user: Any, reference: str) -> Referral:
    """A referral for its summary report: MASH staff, and the receiving team (its manager and
    members) and the allocated worker, through the one visibility selector."""
    return access_referral(user, reference)


@dataclass
class AgencyColumn:
    """One agency's column on the discussion page: its written answers and what it said."""

    agency: Agency
    requests: list[InformationRequest] = field(default_factory=list)
    contribution: str = ""


def side_by_side(referral: Referral) -> list[AgencyColumn]:
    """Each agency that was asked or contributed, with its answers and its contribution, by name."""
    columns: dict[int, AgencyColumn] = {}
    for request in referral.information_requests.select_related("agency", "answered_by", "deadline").order_by(
        "agency__name", "id"
    ):
        columns.setdefault(request.agency_id, AgencyColumn(request.agency)).requests.append(request)
    discussion = MashDiscussion.objects.filter(referral=referral).first()
    if discussion is not None:
        for row in DiscussionContribution.objects.filter(discussion=discussion).select_related("agency"):
            columns.setdefault(row.agency_id, AgencyColumn(row.agency)).contribution = row.contribution
    return sorted(columns.values(), key=lambda column: column.agency.name)


def referral_children(referral: Referral) -> list[ReferralChild]:
    return list(ReferralChild.objects.filter(referral=referral).order_by("id"))


def referral_record(referral: Referral) -> dict[str, Any]:
    """Everything after the threshold decision, for the outcome page and the summary report."""
    return {
        "discussion": MashDiscussion.objects.filter(referral=referral).select_related("recorded_by").first(),
        "strategy": StrategyDiscussion.objects.filter(referral=referral)
        .select_related("recorded_by")
        .first(),
        "outcome": Outcome.objects.filter(referral=referral)
        .select_related("team", "lead_agency", "decided_by")
        .first(),
        "allocation": Allocation.objects.filter(referral=referral).select_related("worker", "team").first(),
        "children": referral_children(referral),
        "columns": side_by_side(referral),
    }


def team_queue(user: Any) -> QuerySet[Referral]:
    """Decided referrals waiting in (or allocated from) the teams the user manages."""
    if not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    return (
        Referral.objects.filter(team__manager=user, team__is_active=True, status__in=TEAM_QUEUE_STATUSES)
        .filter(open_to(user))
        .select_related("team", "outcome", "allocated_worker")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=ReferralChild.objects.only("id", "referral_id", "first_name", "last_name"),
            )
        )
        .order_by("status", "received_at")
    )


def challenges_for(user: Any) -> QuerySet[Challenge]:
    """Open challenges for the teams the user manages (and, for a MASH lead, those with no team)."""
    if not getattr(user, "is_authenticated", False):
        return Challenge.objects.none()
    visible = Q(team__manager=user)
    if is_mash_lead(user):
        visible |= Q(team__isnull=True)
    visible &= open_to(user, via="referral")
    return Challenge.objects.filter(visible, status=Challenge.Status.OPEN).select_related("referral", "team")


def access_challenge(user: Any, public_id: Any) -> Challenge:
    try:
        return challenges_for(user).get(public_id=public_id)
    except (Challenge.DoesNotExist, ValueError, ValidationError):
        raise NotFound("There is no such challenge.") from None


def challenged_outcome(challenge: Challenge) -> Outcome | None:
    """The outcome a challenge disagrees with, shown beside it to the manager who answers."""
    return Outcome.objects.filter(referral_id=challenge.referral_id).first()


def access_managed_referral(user: Any, reference: str) -> Referral:
    """A referral in a team the user manages (for allocation); NotFound otherwise."""
    referral = team_queue(user).filter(reference=reference).first()
    if referral is None:
        raise NotFound("There is no referral with that reference in your team's queue.")
    return referral


def team_workers(team: Team) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(Q(teams=team) | Q(pk=team.manager_id), is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
