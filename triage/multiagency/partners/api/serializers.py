"""The partner API's own serializers: an agency sees its request, the people, and its own answer only."""

from __future__ import annotations

from rest_framework import serializers

from mash.api_fields import Text
from triage.multiagency.models import InformationRequest


class ErrorOutput(serializers.Serializer):
    """A broken rule (``code``, ``detail``), or DRF's own errors (``detail`` only)."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField()


class PersonOutput(serializers.Serializer):
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    address = serializers.CharField()
    postcode = serializers.CharField()


class AdultOutput(PersonOutput):
    relationship = serializers.CharField()


class SharedPartOutput(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField()


class SharedItemOutput(serializers.Serializer):
    """One item the council's policy shares beyond the people and the question, with its basis."""

    item = serializers.CharField()
    label = serializers.CharField()
    lawful_basis = serializers.CharField()
    parts = SharedPartOutput(many=True)


class PartnerRequestOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    agency = serializers.CharField(source="agency.name")
    question = serializers.CharField()
    lawful_basis = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.CharField()
    children = PersonOutput(source="referral.children.all", many=True)
    adults = AdultOutput(source="referral.adults.all", many=True)
    shared = SharedItemOutput(many=True)
    known = serializers.CharField()
    summary = serializers.CharField()
    risk_indicators = serializers.ListField(child=serializers.CharField())
    date_checked = serializers.DateField(allow_null=True)
    free_text = serializers.CharField()
    declined_reason = serializers.CharField()


class PartnerAnswerInput(serializers.Serializer):
    """The answer's shape. Its rules (a summary when known, a check date not in the future) are the
    action's, so the API and the portal refuse the same answers with the same words."""

    known = serializers.ChoiceField(choices=InformationRequest.Known.choices)
    summary = Text(allow_blank=True, required=False, default="", help_text="Needed when known")
    risk_indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=InformationRequest.RiskIndicator.choices),
        required=False,
        default=list,
    )
    date_checked = serializers.DateField(help_text="Today or earlier")
    free_text = Text(allow_blank=True, required=False, default="")
