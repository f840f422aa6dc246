"""POST /api/v1/referrals/: partner systems (for example a police force's domestic abuse
notifications) send referrals, checked by the same forms as the online form."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django import forms
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.authentication import AgencyTokenAuthentication, IsAgencyClient
from mash import audit
from mash.exceptions import InvalidInput

from ..actions import referral_submit_once
from ..fields import DatePartsField
from ..forms import AdultForm, ChildForm
from ..intake import TOPICS, IntakeInvalid, clean_intake
from ..models import Referral
from ..selectors import referral_by_idempotency_key
from .examples import EXAMPLE_REFERRAL
from .serializers import (
    IntakeErrorSerializer,
    ReferralInputSerializer,
    ReferralReceiptSerializer,
    is_yes_no,
    partner_topic_forms,
)

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
PEOPLE_FORMS = {"children": ChildForm, "adults": AdultForm}
NOT_SCALAR = "Enter a single value, not a list or an object"
NOT_TEXT = "Enter this answer as text in quotes"
NOT_NULL = "This field is required; null is not an answer"
NOT_A_DATE = "Enter a date as YYYY-MM-DD, or leave the answer out (or null) when it is not known"


class BodyInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def _scalar(value: Any, field: forms.Field) -> str:
    """The answer as the form reads it, taking exactly what the schema states: text; true or false
    for a yes/no question; null for an optional answer (no answer)."""
    if isinstance(value, bool) and is_yes_no(field):
        return "yes" if value else "no"
    if value is None and not field.required:
        return ""
    if value is None:
        raise ValueError(NOT_NULL)
    if isinstance(value, list | dict):
        raise ValueError(NOT_SCALAR)
    if not isinstance(value, str):
        raise ValueError(NOT_TEXT)
    if value == "" and isinstance(field, DatePartsField):
        raise ValueError(NOT_A_DATE)  # the schema's date format has no empty date
    return value


def _topic_data(obj: dict, fields: dict[str, forms.Field], path: str, errors: dict) -> dict[str, str]:
    data = {}
    for name, field in fields.items():
        if name in obj:
            try:
                data[name] = _scalar(obj[name], field)
            except ValueError as problem:
                errors[f"{path}{name}"] = [str(problem)]
    return data


def _people(body: dict, kind: str, errors: dict) -> list[dict]:
    entries = body.get(kind, [])
    if entries is None:
        return []
    if not isinstance(entries, list):
        errors[kind] = ["Send a list of objects"]
        return []
    fields = PEOPLE_FORMS[kind]().fields
    result = []
    for index, entry in enumerate(entries):
        path = f"{kind}[{index}]."
        if not isinstance(entry, dict):
            errors[path.rstrip(".")] = ["Send each person as an object"]
            continue
        for unknown in sorted(set(entry) - set(fields)):
            errors[f"{path}{unknown}"] = ["Unknown field"]
        result.append(_topic_data(entry, fields, path, errors))
    return result


def body_to_raw(body: Any) -> dict[str, Any]:
    """The JSON body in the shape ``clean_intake`` reads: one dict per topic and the people lists."""
    if not isinstance(body, dict):
        raise BodyInvalid({"non_field_errors": ["Send the referral as a JSON object"]})
    errors: dict[str, list[str]] = {}
    topic_forms = dict(zip([t for t in TOPICS if t != "route"], partner_topic_forms(), strict=True))
    known = {"children", "adults"}
    raw: dict[str, Any] = {}
    for topic, form_class in topic_forms.items():
        fields = form_class().fields
        known |= set(fields)
        raw[topic] = _topic_data(body, fields, "", errors)
    for unknown in sorted(set(body) - known):
        errors[unknown] = ["Unknown field"]
    raw["children"] = _people(body, "children", errors)
    raw["adults"] = _people(body, "adults", errors)
    if errors:
        raise BodyInvalid(errors)
    return raw


def fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def _receipt(referral: Referral, created: bool) -> Response:
    data = ReferralReceiptSerializer(
        {"reference": referral.reference, "status": referral.status, "received_at": referral.received_at}
    ).data
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _invalid(errors: dict[str, list[str]]) -> Response:
    return Response(
        {"code": "invalid", "detail": "The referral has problems; nothing was saved.", "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


class ReferralCreateApi(APIView):
    authentication_classes = [AgencyTokenAuthentication]
    permission_classes = [IsAgencyClient]
    # JSON only, through the project's bounded JSON parser (settings: REST_FRAMEWORK's parsers).
    parser_classes = [p for p in api_settings.DEFAULT_PARSER_CLASSES if p.media_type == "application/json"]

    @extend_schema(
        operation_id="referral_create",
        summary="Send a referral",
        description=(
            "Checked by the same rules as the online form. The referrer's agency, and so the DfE "
            "referral source, is the API key's agency. Send an `Idempotency-Key` with every request: "
            "a retry with the same key and the same body returns the first referral with **200**; "
            "the first time gives **201**; the same key with a different body gives **409** and saves "
            "nothing. Domestic abuse notifications give `domestic_abuse_risk` (standard, medium, high)."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                pattern=IDEMPOTENCY_KEY.pattern,
                description="1 to 64 letters, digits, '.', '_', ':' or '-'; one per referral (e.g. your id).",
            )
        ],
        request=ReferralInputSerializer,
        responses={
            201: OpenApiResponse(ReferralReceiptSerializer, description="Referral received"),
            200: OpenApiResponse(
                ReferralReceiptSerializer, description="Already received with this key and body"
            ),
            400: OpenApiResponse(
                IntakeErrorSerializer, description="Invalid: every problem listed, nothing saved"
            ),
            401: OpenApiResponse(description="No valid API key"),
            409: OpenApiResponse(
                IntakeErrorSerializer, description="Idempotency key reused with a different body"
            ),
        },
        examples=[OpenApiExample("Domestic abuse notification", request_only=True, value=EXAMPLE_REFERRAL)],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise InvalidInput(
                "Send an Idempotency-Key header of 1 to 64 letters, digits, '.', '_', ':' or '-'."
            )
        token = request.auth
        # Keys are per agency, so one partner can neither collide with nor find another's referrals.
        scoped_key = f"api:{token.agency_id}:{key}"
        body_print = fingerprint(request.data)
        existing = referral_by_idempotency_key(scoped_key, body_print)
        if existing is not None:
            return _receipt(existing, created=False)
        try:
            data = clean_intake(body_to_raw(request.data), partner=True)
        except (BodyInvalid, IntakeInvalid) as problems:
            return _invalid(problems.errors)
        data.referral.update(source=token.agency.referral_source, referrer_agency=token.agency)
        outcome = referral_submit_once(
            data,
            by=token.label,
            channel=Referral.Channel.API,
            idempotency_key=scoped_key,
            fingerprint=body_print,
            ip_address=audit.client_ip(request),
        )
        return _receipt(outcome.referral, outcome.created)
