"""The triage staff API: the same selectors and actions as the pages, the same rules and errors
(DomainError -> ``{"code", "detail"}`` with its status, by ``mash.exceptions.api_exception_handler``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from mash import audit
from mash.exceptions import InvalidInput, NotFound
from mash.roles import mash_staff_users
from referrals.person_index.selectors import rereferrals

from .. import decisions, selectors
from ..forms import EdtFilterForm, QueueFilterForm, QueueSearchForm
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Invalid: field errors, or {code, detail} for a broken rule"
    ),
    403: OpenApiResponse(s.ErrorSerializer, description="Not signed in, or not permitted for this role"),
    404: OpenApiResponse(s.ErrorSerializer, description="No such referral that you can see"),
    409: OpenApiResponse(
        s.ErrorSerializer, description="Conflict: already claimed, or not allowed in this state"
    ),
}
PAGE = OpenApiParameter(
    "page", {"type": "string", "pattern": s.DIGITS}, required=False, description="Page number (empty: first)"
)
# Documented from the filter forms themselves, so the schema offers exactly the values they accept.
QUEUE_FILTERS = [
    *s.query_parameters(
        QueueFilterForm,
        {
            "q": "Search: a reference, part of a child's first or last name, or a date of birth (27/3/2018)",
            "status": "A referral status (default: every open status; 'all' for every status)",
            "rag": "red, amber, green or blue",
            "team": "A team id",
            "overdue": "yes or no",
            "out_of_hours": "yes or no",
            "domestic_abuse": "yes or no",
            "source": "CIN census referral source code",
        },
    ),
    PAGE,
]


# Bodies are JSON only, through the project's bounded JSON parser: form encodings would carry the
# same fields with other meanings (no null, no nesting, every value a string) than the schema states.
JSON_ONLY = [p for p in api_settings.DEFAULT_PARSER_CLASSES if p.media_type == "application/json"]


def _documented(*, request=None, response=None, parameters=None):
    """The schema of a triage API method: its body, its answer, and every error it can give."""
    return extend_schema(request=request, responses={200: response, **ERRORS}, parameters=parameters)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _QueueApi(APIView):
    """A paginated queue; every page served is recorded as a read of the referrals on it."""

    audit_action = "triage.api_queue_view"
    search_action = "triage.api_queue_search"
    filter_form = None  # a QueueSearchForm subclass, for the queues that can be searched

    def rows(self, request: Request):
        raise NotImplementedError

    def form(self, request: Request):
        """The queue's search and filters from the query string; a bad one is a 400 naming its field."""
        if getattr(self, "_form", None) is None:  # a view instance serves one request: validate once
            self._form = self.filter_form(request.query_params or None)
        form = self._form
        if request.query_params and not form.is_valid():
            raise InvalidInput("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return form

    def searched(self, request: Request) -> str:
        if self.filter_form is None or not request.query_params:
            return ""
        form = self.form(request)
        return form.search_text if form.search() else ""

    @_documented(response=s.QueuePageSerializer, parameters=QUEUE_FILTERS[-1:])
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(self.rows(request), request, view=self)
        search = self.searched(request)
        details = {"referrals": [r.pk for r in page], **({"search": search} if search else {})}
        audit.record_read(
            self.search_action if search else self.audit_action,
            actor=request.user,
            reason="Searching the queue (API)" if search else "Working the queue (API)",
            details=details,
            ip_address=audit.client_ip(request),
        )
        context = {"rereferrals": rereferrals(page)}  # two queries for the whole page
        return paginator.get_paginated_response(s.QueueRowSerializer(page, many=True, context=context).data)


class TriageQueueApi(_QueueApi):
    filter_form = QueueFilterForm

    @_documented(response=s.QueuePageSerializer, parameters=QUEUE_FILTERS)
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request):
        selectors.require_triage_user(request.user)
        form = self.form(request)
        return selectors.referral_queue(request.user, form.to_filters() if request.query_params else None)


class EarlyHelpQueueApi(_QueueApi):
    audit_action = "triage.api_early_help_queue_view"
    search_action = "triage.api_early_help_queue_search"
    filter_form = QueueSearchForm

    @_documented(response=s.QueuePageSerializer, parameters=[QUEUE_FILTERS[0], QUEUE_FILTERS[-1]])
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request):
        form = self.form(request)
        return selectors.early_help_queue(request.user, form.search() if request.query_params else None)


class EdtQueueApi(_QueueApi):
    audit_action = "triage.api_edt_queue_view"
    search_action = "triage.api_edt_queue_search"
    filter_form = EdtFilterForm

    @_documented(
        response=s.QueuePageSerializer,
        parameters=[
            QUEUE_FILTERS[0],
            *s.query_parameters(
                EdtFilterForm,
                {
                    "acknowledged": "no (default: waiting for the EDT), yes (acknowledged, not yet taken by "
                    "the day team) or any"
                },
            ),
            QUEUE_FILTERS[-1],
        ],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request):
        return selectors.edt_queue(request.user, self.form(request).to_filters())


class DomesticAbuseQueueApi(_QueueApi):
    audit_action = "triage.api_domestic_abuse_queue_view"

    @_documented(
        response=s.QueuePageSerializer,
        parameters=[OpenApiParameter("grade", str, required=False, description="high, medium or standard")],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request):
        return selectors.domestic_abuse_queue(request.user, grade=request.query_params.get("grade", ""))


class ReferralDetailApi(APIView):
    @_documented(response=s.ReferralPageSerializer)
    def get(self, request: Request, reference: str) -> Response:
        referral = selectors.referral_read(
            request.user,
            reference,
            purpose="Screening and threshold decision (API)",
            ip_address=audit.client_ip(request),
        )
        return Response(_detail(request.user, referral))


def _detail(user, referral) -> dict:
    return s.ReferralPageSerializer(
        {
            "referral": referral,
            "children": referral.children.all(),
            "adults": referral.adults.all(),
            "decisions": selectors.referral_decisions(referral),
            "status_history": selectors.referral_status_history(referral),
            "deadlines": selectors.referral_deadlines(referral),
            "allowed_actions": sorted(selectors.allowed_actions(user, referral)),
        }
    ).data


class _ReferralActionApi(APIView):
    """POST to an action on one referral; answers with the referral as the user now sees it."""

    parser_classes = JSON_ONLY

    def act(self, request: Request, referral) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.access_referral(request.user, reference)
        self.act(request, referral)
        # Re-read without the visibility check: a step up takes the referral away from early help,
        # and the caller is still owed the answer about what they just did.
        referral.refresh_from_db()
        return Response(
            {
                "reference": referral.reference,
                "status": referral.status,
                "rag": referral.rag,
                "claimed_by": referral.claimed_by.get_username() if referral.claimed_by else None,
                "allowed_actions": sorted(selectors.allowed_actions(request.user, referral)),
            }
        )


@_documented(request=None, response=s.ActionResultSerializer)
class ReferralClaimApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_claim(referral, by=request.user)


@_documented(request=None, response=s.ActionResultSerializer)
class ReferralReleaseApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_release(referral, by=request.user)


@_documented(request=s.ReassignInputSerializer, response=s.ActionResultSerializer)
class ReferralReassignApi(_ReferralActionApi):
    def act(self, request, referral):
        data = _valid(s.ReassignInputSerializer, request)
        to = mash_staff_users().filter(username=data["to"]).first()
        if to is None:
            raise InvalidInput("Referrals can only be reassigned to active MASH staff.")
        decisions.referral_reassign(referral, to=to, reason=data["reason"], by=request.user)


@_documented(request=s.DecideInputSerializer, response=s.ActionResultSerializer)
class ReferralDecideApi(_ReferralActionApi):
    def act(self, request, referral):
        data = _valid(s.DecideInputSerializer, request)
        inputs = [decisions.ChildDecisionInput(**d) for d in data["decisions"]]
        decisions.referral_decide(referral, decisions=inputs, by=request.user)


@_documented(request=s.ChangeRagInputSerializer, response=s.ActionResultSerializer)
class ReferralChangeRagApi(_ReferralActionApi):
    def act(self, request, referral):
        data = dict(_valid(s.ChangeRagInputSerializer, request))
        reason = data.pop("reason")
        decisions.referral_change_rag(
            referral, decision=decisions.ChildDecisionInput(**data), reason=reason, by=request.user
        )


@_documented(request=s.ReasonInputSerializer, response=s.ActionResultSerializer)
class ReferralStepUpApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_step_up(
            referral, reason=_valid(s.ReasonInputSerializer, request)["reason"], by=request.user
        )


@_documented(request=s.ReasonInputSerializer, response=s.ActionResultSerializer)
class ReferralReturnApi(_ReferralActionApi):
    def act(self, request, referral):
        reason = _valid(s.ReasonInputSerializer, request)["reason"]
        decisions.referral_return_for_consent(referral, reason=reason, by=request.user)


@_documented(request=None, response=s.ActionResultSerializer)
class ReferralEdtAcknowledgeApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_edt_acknowledge(referral, by=request.user)


class DomesticAbuseBatchDecideApi(APIView):
    parser_classes = JSON_ONLY

    @_documented(request=s.DaBatchInputSerializer, response=s.BatchResultSerializer)
    def post(self, request: Request) -> Response:
        data = _valid(s.DaBatchInputSerializer, request)
        refs = list(dict.fromkeys(data.pop("references")))
        found = {
            r.reference: r for r in selectors.referrals_visible_to(request.user).filter(reference__in=refs)
        }
        missing = [ref for ref in refs if ref not in found]
        if missing:
            raise NotFound(f"No referral you can see has the reference {missing[0]}.")
        count = decisions.da_batch_decide([found[ref] for ref in refs], by=request.user, **data)
        return Response({"decided": count})
