"""The intake API's shapes. The request serializers are generated from the step forms, so the
documented fields, choices and lengths are the ones the forms enforce (they are never written twice).
"""

from __future__ import annotations

from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from mash.api_fields import Text

from ..fields import DatePartsField
from ..forms import AdultForm, ChildForm
from ..intake import PROFESSIONAL, TOPICS, form_class_for


class YesNoChoice(serializers.ChoiceField):
    """A yes/no answer: one of its choices as text, or JSON's true or false for "yes" and "no"."""


class YesNoChoiceSchema(OpenApiSerializerFieldExtension):
    target_class = YesNoChoice

    def map_serializer_field(self, auto_schema, direction):
        choice = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        nullable = choice.pop("nullable", False)
        documented = {key: choice.pop(key) for key in ("title", "description") if key in choice}
        schema = {"oneOf": [choice, {"type": "boolean"}], **documented}
        return {**schema, "nullable": True} if nullable else schema


def is_yes_no(field: forms.Field) -> bool:
    """Whether the form field is a yes/no question (so true and false may stand for its answers)."""
    return isinstance(field, forms.ChoiceField) and {"yes", "no"} <= {str(key) for key, _ in field.choices}


def _field(field: forms.Field) -> serializers.Field:
    # An optional answer may be sent as null (no answer); a required one may not.
    common = {
        "required": field.required,
        "allow_null": not field.required,
        "help_text": field.help_text or None,
        "label": str(field.label),
    }
    if isinstance(field, DatePartsField):
        return serializers.DateField(**common)
    if isinstance(field, forms.ChoiceField):
        choices = [choice for choice in field.choices if choice[0] != ""]
        kind = YesNoChoice if is_yes_no(field) else serializers.ChoiceField
        return kind(choices=choices, allow_blank=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(max_length=field.max_length, allow_blank=not field.required, **common)
    return Text(max_length=field.max_length, allow_blank=not field.required, **common)


def fields_of(*form_classes) -> dict[str, serializers.Field]:
    return {name: _field(field) for form_class in form_classes for name, field in form_class().fields.items()}


def partner_topic_forms() -> list:
    return [form_class_for(topic, PROFESSIONAL, partner=True) for topic in TOPICS if topic != "route"]


ChildInputSerializer = type("ChildInput", (serializers.Serializer,), fields_of(ChildForm))
AdultInputSerializer = type("AdultInput", (serializers.Serializer,), fields_of(AdultForm))
ReferralInputSerializer = type(
    "ReferralInput",
    (serializers.Serializer,),
    {
        **fields_of(*partner_topic_forms()),
        "children": ChildInputSerializer(many=True, help_text="Every child the concern is about (1 to 15)"),
        # null, like an empty list, says there are no adults to tell of.
        "adults": AdultInputSerializer(
            many=True, required=False, allow_null=True, help_text="Adults in the household (up to 20)"
        ),
        "__doc__": "A referral from a partner system. Dates are YYYY-MM-DD; yes/no answers are "
        '"yes", "no" (or true/false), and "not_known" where offered.',
    },
)


class ReferralReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="Quote this reference, e.g. MASH-2026-000123")
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class IntakeErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Messages by field path, e.g. {"children[0].nhs_number": ["..."]}',
    )
