"""The partner API: the same selector as the portal, so the API cannot show what the portal hides."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from mash import audit
from mash.exceptions import NotFound
from mash.roles import is_partner
from triage.multiagency import request_selectors as selectors
from triage.multiagency import requests as actions

from .serializers import ErrorOutput, PartnerAnswerInput, PartnerRequestOutput

# Every answer a partner API method can give besides success (documented for the schema tests).
ERRORS = {
    403: OpenApiResponse(ErrorOutput, description="Not signed in with a verified second factor"),
    404: OpenApiResponse(ErrorOutput, description="Not an agency user, or no such request for your agency"),
}
# The path's id: an opaque UUID (the pattern tells schema-driven clients and fuzzers its shape).
PUBLIC_ID = OpenApiParameter(
    "public_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    pattern="^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    description="The request's id as the list gives it",
)
ANSWER_ERRORS = {
    **ERRORS,
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Invalid: field errors, or {code, detail} for a broken rule"
    ),
    409: OpenApiResponse(ErrorOutput, description="The request has already been answered or declined"),
}


class PartnerOnly(IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not is_partner(request.user):
            raise NotFound("There is no such resource.")
        return True


class PartnerRequestListApi(APIView):
    permission_classes = [PartnerOnly]

    @extend_schema(
        responses={200: PartnerRequestOutput(many=True), **ERRORS},
        parameters=[OpenApiParameter("open", str, required=False, description="1: only requests still open")],
    )
    def get(self, request):
        rows = list(
            selectors.partner_request_list(request.user, open_only=request.query_params.get("open") == "1")
        )
        audit.record_read(
            "partner_api.list",
            actor=request.user,
            ip_address=audit.client_ip(request),
            details={"requests": [str(row.public_id) for row in rows]},
        )
        return Response(PartnerRequestOutput(rows, many=True).data)


class PartnerRequestDetailApi(APIView):
    permission_classes = [PartnerOnly]

    @extend_schema(responses={200: PartnerRequestOutput, **ERRORS}, parameters=[PUBLIC_ID])
    def get(self, request, public_id):
        row = selectors.access_partner_request(request.user, public_id)
        audit.record_read(
            "partner_api.request", actor=request.user, obj=row, ip_address=audit.client_ip(request)
        )
        return Response(PartnerRequestOutput(row).data)


class PartnerRequestAnswerApi(APIView):
    permission_classes = [PartnerOnly]
    # JSON only, through the project's bounded JSON parser, as the schema states.
    parser_classes = [p for p in api_settings.DEFAULT_PARSER_CLASSES if p.media_type == "application/json"]

    @extend_schema(
        request=PartnerAnswerInput,
        responses={200: PartnerRequestOutput, **ANSWER_ERRORS},
        parameters=[PUBLIC_ID],
    )
    def post(self, request, public_id):
        row = selectors.access_partner_request(request.user, public_id)
        data = PartnerAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.information_request_answer(row, by=request.user, **data.validated_data)
        return Response(PartnerRequestOutput(selectors.access_partner_request(request.user, public_id)).data)
