"""Every read of information requests, for the MASH and for the partner agencies they are addressed to.

A partner's access is a relationship filter: ``InformationRequest.agency`` among the user's
agencies, through one queryset (:func:`partner_requests_visible_to`) that the portal's list and
detail and the API all use, so none of them can show what another does not. It is a plain indexed
join (``inforequest_partner_queue``), which stays fast at a million rows where generic object
permissions do not (reliability-security-notes.md section 3).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from agencies.models import Agency
from mash.exceptions import NotFound
from mash.roles import is_mash_staff, is_partner
from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.restricted import open_to
from triage.multiagency.models import InformationRequest

# What a partner may see of the people in a referral: enough to search their own systems.
CHILD_FIELDS = (
    "id",
    "referral_id",
    "first_name",
    "last_name",
    "other_names",
    "date_of_birth",
    "address",
    "postcode",
)
ADULT_FIELDS = (
    "id",
    "referral_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "address",
    "postcode",
    "relationship",
)


def partner_requests_visible_to(user: Any) -> QuerySet[InformationRequest]:
    """The requests addressed to the user's agencies, less those about a restricted referral the user
    is not named on; nothing for anyone who is not a partner."""
    if not is_partner(user):
        return InformationRequest.objects.none()
    # The user's agencies first (one small query), then a literal filter: the planner sees the actual
    # agency ids against its statistics and takes the (agency, status, due_at) index at any size.
    agency_ids = list(Agency.objects.filter(members=user).values_list("pk", flat=True))
    return InformationRequest.objects.filter(open_to(user, via="referral"), agency_id__in=agency_ids)


def _partner_view(queryset: QuerySet[InformationRequest]) -> QuerySet[InformationRequest]:
    # Only the people's identifying fields are loaded: a partner's page cannot show more by accident.
    return (
        queryset.select_related("agency", "deadline")
        .only(
            "public_id",
            "agency__name",
            "question",
            "lawful_basis",
            # What the policy shared at the send (the referral's own fields stay unloaded).
            "shared",
            "due_at",
            "deadline__due_at",
            "status",
            "requested_at",
            "chase_count",
            "chased_at",
            "declined_reason",
            "declined_at",
            "known",
            "summary",
            "risk_indicators",
            "date_checked",
            "free_text",
            "answered_at",
            "referral_id",
            "agency_id",
        )
        .prefetch_related(
            # The referral itself is loaded with its id only: its concerns, referrer and reference stay out.
            Prefetch("referral", queryset=Referral.objects.only("id")),
            Prefetch("referral__children", queryset=ReferralChild.objects.only(*CHILD_FIELDS)),
            Prefetch("referral__adults", queryset=ReferralAdult.objects.only(*ADULT_FIELDS)),
        )
    )


def partner_request_list(user: Any, *, open_only: bool = False) -> QuerySet[InformationRequest]:
    queryset = partner_requests_visible_to(user)
    if open_only:
        queryset = queryset.filter(status__in=InformationRequest.OPEN_STATUSES)
    # Ordered on the stored copy (indexed); a RAG change moving the deadline is rare and shown exactly.
    return _partner_view(queryset.order_by("due_at", "id"))


def access_partner_request(user: Any, public_id: Any) -> InformationRequest:
    """The request if it is addressed to one of the user's agencies; NotFound otherwise (never 403:
    a partner must not learn that another agency's request exists)."""
    try:
        return _partner_view(partner_requests_visible_to(user)).get(public_id=public_id)
    except (InformationRequest.DoesNotExist, ValueError, ValidationError):
        raise NotFound("There is no such request.") from None


def partner_request_by_pk(pk: int) -> InformationRequest:
    """One request as a partner's page shows it, for a one-time link's holder (who is no user: the
    link is the access check, ``triage.multiagency.partner_access``)."""
    return _partner_view(InformationRequest.objects.filter(pk=pk)).get()


def referral_requests(referral: Referral) -> list[InformationRequest]:
    """Every request of one referral with its agency, for MASH staff (callers check access)."""
    return list(
        referral.information_requests.select_related("agency", "requested_by", "answered_by", "deadline")
        # The one-time links, newest first: the page shows the latest one's state.
        .prefetch_related("partner_accesses")
        .order_by("agency__name", "id")
    )


def access_referral_request(user: Any, referral: Referral, public_id: Any) -> InformationRequest:
    if not is_mash_staff(user):
        raise NotFound("There is no such request.")
    try:
        return referral.information_requests.select_related("agency", "referral").get(public_id=public_id)
    except (InformationRequest.DoesNotExist, ValueError, ValidationError):
        raise NotFound("There is no such request.") from None
