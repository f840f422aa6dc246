"""The triage staff API: the same selectors and actions as the pages, the same rules and errors
(DomainError -> ``{"code", "detail"}`` with its status, by ``mash.exceptions.api_exception_handler``)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mash import audit
from mash.exceptions import InvalidInput, NotFound, NotPermitted
from referrals.person_index.selectors import rereferrals

from .. import decisions, selectors
from ..forms import QueueFilterForm
from . import serializers as s


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _QueueApi(APIView):
    """A paginated queue; every page served is recorded as a read of the referrals on it."""

    audit_action = "triage.api_queue_view"

    def rows(self, request: Request):
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(self.rows(request), request, view=self)
        audit.record_read(
            self.audit_action,
            actor=request.user,
            reason="Working the queue (API)",
            details={"referrals": [r.pk for r in page]},
            ip_address=audit.client_ip(request),
        )
        context = {"rereferrals": rereferrals(page)}  # two queries for the whole page
        return paginator.get_paginated_response(s.QueueRowSerializer(page, many=True, context=context).data)


class TriageQueueApi(_QueueApi):
    def rows(self, request: Request):
        if not (selectors.is_mash_staff(request.user) or request.user.has_role(*selectors.TEAM_ROLES)):
            raise NotPermitted("The triage queue is for MASH and council team staff.")
        form = QueueFilterForm(request.query_params or None)
        if request.query_params and not form.is_valid():
            raise InvalidInput("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return selectors.referral_queue(request.user, form.to_filters() if request.query_params else None)


class EarlyHelpQueueApi(_QueueApi):
    audit_action = "triage.api_early_help_queue_view"

    def rows(self, request: Request):
        return selectors.early_help_queue(request.user)


class EdtQueueApi(_QueueApi):
    audit_action = "triage.api_edt_queue_view"

    def rows(self, request: Request):
        return selectors.edt_queue(request.user)


class DomesticAbuseQueueApi(_QueueApi):
    audit_action = "triage.api_domestic_abuse_queue_view"

    def rows(self, request: Request):
        return selectors.domestic_abuse_queue(request.user, grade=request.query_params.get("grade", ""))


class ReferralDetailApi(APIView):
    def get(self, request: Request, reference: str) -> Response:
        referral = selectors.referral_read(
            request.user,
            reference,
            purpose="Screening and threshold decision (API)",
            ip_address=audit.client_ip(request),
        )
        return Response(_detail(request.user, referral))


def _detail(user, referral) -> dict:
    return {
        "referral": s.ReferralDetailSerializer(referral).data,
        "children": s.ChildSerializer(referral.children.all(), many=True).data,
        "adults": s.AdultSerializer(referral.adults.all(), many=True).data,
        "decisions": s.DecisionSerializer(selectors.referral_decisions(referral), many=True).data,
        "status_history": [
            {"from": c.from_status, "to": c.to_status, "at": c.at, "by": c.by_label, "reason": c.reason}
            for c in selectors.referral_status_history(referral)
        ],
        "deadlines": [
            {"kind": d.kind, "due_at": d.due_at, "met_at": d.met_at, "breached_at": d.breached_at}
            for d in selectors.referral_deadlines(referral)
        ],
        "allowed_actions": sorted(selectors.allowed_actions(user, referral)),
    }


class _ReferralActionApi(APIView):
    """POST to an action on one referral; answers with the referral as the user now sees it."""

    def act(self, request: Request, referral) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.access_referral(request.user, reference)
        self.act(request, referral)
        referral = selectors.access_referral(request.user, referral.pk)
        return Response(
            {
                "reference": referral.reference,
                "status": referral.status,
                "rag": referral.rag,
                "claimed_by": referral.claimed_by.get_username() if referral.claimed_by else None,
                "allowed_actions": sorted(selectors.allowed_actions(request.user, referral)),
            }
        )


class ReferralClaimApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_claim(referral, by=request.user)


class ReferralReleaseApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_release(referral, by=request.user)


class ReferralReassignApi(_ReferralActionApi):
    def act(self, request, referral):
        data = _valid(s.ReassignInputSerializer, request)
        to = selectors.mash_staff_users().filter(username=data["to"]).first()
        if to is None:
            raise InvalidInput("Referrals can only be reassigned to active MASH staff.")
        decisions.referral_reassign(referral, to=to, reason=data["reason"], by=request.user)


class ReferralDecideApi(_ReferralActionApi):
    def act(self, request, referral):
        data = _valid(s.DecideInputSerializer, request)
        inputs = [decisions.ChildDecisionInput(**d) for d in data["decisions"]]
        decisions.referral_decide(referral, decisions=inputs, by=request.user)


class ReferralChangeRagApi(_ReferralActionApi):
    def act(self, request, referral):
        data = dict(_valid(s.ChangeRagInputSerializer, request))
        reason = data.pop("reason")
        decisions.referral_change_rag(
            referral, decision=decisions.ChildDecisionInput(**data), reason=reason, by=request.user
        )


class ReferralStepUpApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_step_up(
            referral, reason=_valid(s.ReasonInputSerializer, request)["reason"], by=request.user
        )


class ReferralReturnApi(_ReferralActionApi):
    def act(self, request, referral):
        reason = _valid(s.ReasonInputSerializer, request)["reason"]
        decisions.referral_return_for_consent(referral, reason=reason, by=request.user)


class ReferralEdtAcknowledgeApi(_ReferralActionApi):
    def act(self, request, referral):
        decisions.referral_edt_acknowledge(referral, by=request.user)


class DomesticAbuseBatchDecideApi(APIView):
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
