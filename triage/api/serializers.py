"""Input and output serializers of the triage staff API. Input serializers check shapes only;
the rules live in ``triage.decisions`` so the API and the pages break them the same way."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from mash.api_fields import NO_NUL, Text, WholeNumber
from mash.codes import PrimaryNeed
from mash.converters import ReferenceConverter
from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.states import Rag

from ..decisions import BATCH_RAGS, ChildDecisionInput
from ..models_decisions import ChildDecision, ConsentBasis
from ..templatetags.triage_tags import age_text, time_left_text


class QueueChildSerializer(serializers.Serializer):
    name = serializers.CharField(source="full_name")
    age = serializers.SerializerMethodField()

    def get_age(self, child: ReferralChild) -> str:
        return age_text(child.date_of_birth, child.expected_date_of_birth)


class ErrorSerializer(serializers.Serializer):
    """A broken rule (``code``, ``detail``), or DRF's own errors (``detail`` only)."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField()


class RereferralSerializer(serializers.Serializer):
    reference = serializers.CharField()
    outcome = serializers.CharField()


class QueueRowSerializer(serializers.ModelSerializer):
    claimed_by = serializers.CharField(source="claimed_by.display_name", default=None, allow_null=True)
    team = serializers.CharField(source="team.name", default=None, allow_null=True)
    children = QueueChildSerializer(many=True)
    overdue = serializers.SerializerMethodField()
    time_left = serializers.SerializerMethodField()
    rereferral = serializers.SerializerMethodField()
    # When the emergency duty team acknowledged its flag (null: not flagged, or not yet acknowledged).
    edt_acknowledged_at = serializers.DateTimeField(
        source="edt_flag.acknowledged_at", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Referral
        fields = [
            "reference",
            "status",
            "rag",
            "rag_changed",
            "source",
            "received_at",
            "out_of_hours",
            "next_due_at",
            "overdue",
            "time_left",
            "domestic_abuse_risk",
            "claimed_by",
            "team",
            "children",
            "rereferral",
            "edt_acknowledged_at",
        ]

    @extend_schema_field(RereferralSerializer(allow_null=True))
    def get_rereferral(self, referral: Referral) -> dict | None:
        """The earlier referral about the same child within 12 months (person index), if any."""
        previous = self.context.get("rereferrals", {}).get(referral.pk)
        return {"reference": previous.reference, "outcome": previous.outcome} if previous else None

    def get_overdue(self, referral: Referral) -> bool:
        return referral.next_due_at is not None and referral.next_due_at <= timezone.now()

    def get_time_left(self, referral: Referral) -> str:
        return time_left_text(referral.next_due_at)


class ChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralChild
        exclude = ["referral", "person"]


class AdultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralAdult
        exclude = ["referral", "person"]


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.display_name")
    policy_version = serializers.IntegerField(source="policy_version.version", default=None, allow_null=True)

    class Meta:
        model = ChildDecision
        fields = [
            "id",
            "child",
            "version",
            "is_current",
            "rag",
            "level_of_need",
            "rationale",
            "primary_need",
            "consent_basis",
            "consent_reason",
            "advice_given",
            "decided_by",
            "decided_at",
            "policy_version",
            "change_reason",
            "superseded_by",
        ]


class ReferralDetailSerializer(serializers.ModelSerializer):
    """Everything the referrer said, and where the referral stands (fields named, never ``__all__``,
    so a field another app adds is not published by accident)."""

    claimed_by = serializers.CharField(source="claimed_by.display_name", default=None, allow_null=True)
    team = serializers.CharField(source="team.name", default=None, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "reference",
            "channel",
            "received_at",
            "out_of_hours",
            "referrer_type",
            "referrer_anonymous",
            "referrer_name",
            "referrer_organisation",
            "referrer_role",
            "referrer_email",
            "referrer_phone",
            "referrer_relationship",
            "source",
            "concerns",
            "risks",
            "why_now",
            "actions_taken",
            "early_help",
            "support_needed",
            "childs_voice",
            "parents_voice",
            "gillick_considered",
            "parents_aware",
            "safe_to_contact_parents",
            "domestic_abuse_risk",
            "consent",
            "consent_given_by",
            "consent_given_on",
            "consent_notes",
            "status",
            "rag",
            "rag_changed",
            "level_of_need",
            "claimed_by",
            "claimed_at",
            "team",
            "next_due_at",
        ]


class StatusChangeSerializer(serializers.Serializer):
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by_label")
    reason = serializers.CharField(allow_blank=True)


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)


class ReferralPageSerializer(serializers.Serializer):
    """The staff referral page as data: the referral, its people, decisions, history, clocks, and
    the actions the caller may take now."""

    referral = ReferralDetailSerializer()
    children = ChildSerializer(many=True)
    adults = AdultSerializer(many=True)
    decisions = DecisionSerializer(many=True)
    status_history = StatusChangeSerializer(many=True)
    deadlines = DeadlineSerializer(many=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())


class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueRowSerializer(many=True)


class ActionResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    rag = serializers.CharField(allow_blank=True)
    claimed_by = serializers.CharField(allow_null=True, help_text="The claimant's username")
    allowed_actions = serializers.ListField(child=serializers.CharField())


class BatchResultSerializer(serializers.Serializer):
    decided = serializers.IntegerField()


class ChildDecisionInputSerializer(serializers.Serializer):
    child_id = WholeNumber(help_text="The id of a child named in the referral (the page's children)")
    rag = serializers.ChoiceField(choices=Rag.choices)
    level_of_need = WholeNumber(min_value=1, max_value=4)
    rationale = Text()
    primary_need = serializers.ChoiceField(
        choices=PrimaryNeed.choices, required=False, allow_blank=True, default=""
    )
    consent_basis = serializers.ChoiceField(choices=ConsentBasis.choices)
    consent_reason = Text(required=False, allow_blank=True, default="")
    advice_given = Text(required=False, allow_blank=True, default="", help_text="Needed for Blue")

    def to_input(self, data: dict) -> ChildDecisionInput:
        return ChildDecisionInput(**data)


class DecideInputSerializer(serializers.Serializer):
    decisions = ChildDecisionInputSerializer(many=True, allow_empty=False)


class ChangeRagInputSerializer(ChildDecisionInputSerializer):
    reason = Text()


class ReasonInputSerializer(serializers.Serializer):
    reason = Text()


class ReassignInputSerializer(ReasonInputSerializer):
    to = Text(max_length=150, help_text="The username of the member of MASH staff")


class DaBatchInputSerializer(serializers.Serializer):
    references = serializers.ListField(
        child=Text(validators=[RegexValidator(f"^{ReferenceConverter.regex}$")]), min_length=1
    )
    rag = serializers.ChoiceField(choices=[(r, Rag(r).label) for r in BATCH_RAGS])
    level_of_need = WholeNumber(min_value=1, max_value=4)
    rationale = Text()
    primary_need = serializers.ChoiceField(
        choices=PrimaryNeed.choices, required=False, allow_blank=True, default=""
    )
    advice_given = Text(required=False, allow_blank=True, default="", help_text="Needed for Blue")


def query_parameters(form_class, descriptions: dict[str, str]) -> list[OpenApiParameter]:
    """The query parameters a filter form reads, each documented as exactly what the form accepts:
    its choices (empty for "any"), a team's id, or text of the form's length without NUL. The form
    stays the one place the filters are checked."""
    fields = form_class().fields
    return [
        OpenApiParameter(name, _query_schema(fields[name]), required=False, description=text)
        for name, text in descriptions.items()
    ]


DIGITS = "^[0-9]*$"  # empty: any team, the first page


def _query_schema(field: forms.Field) -> dict:
    if isinstance(field, forms.ModelChoiceField):
        return {"type": "string", "pattern": DIGITS}  # an id: a query string's value is text
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _ in field.choices]
        return {"type": "string", "enum": values if "" in values or field.required else ["", *values]}
    schema = {"type": "string", "pattern": NO_NUL}
    return {**schema, "maxLength": field.max_length} if field.max_length else schema
