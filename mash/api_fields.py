"""Serializer fields whose OpenAPI schema says exactly what they accept.

DRF's own fields accept more than their schema states: a CharField takes a number and turns it into
text, refuses a NUL character and, when it may not be blank, a value of only spaces; an IntegerField
takes "4" as 4. A client (or a fuzzer) that trusts the schema then meets a 400 for a request the
schema allows, or a 200 for one it forbids. These fields accept JSON's own types only, and the
schema carries the pattern that the text rules come to.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

# ECMA-262 patterns (what JSON Schema validators read): no NUL anywhere, and for text that may not
# be blank at least one character that is not white space (DRF trims the value before it checks).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class Text(serializers.CharField):
    """A JSON string; blank (or only spaces) only where ``allow_blank``; never a NUL character."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumber(serializers.IntegerField):
    """A JSON integer: not a string of digits, not true or false."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextSchema(OpenApiSerializerFieldExtension):
    target_class = Text
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        # A field with its own pattern (a reference, say) is documented by that pattern instead.
        if not any(isinstance(v, RegexValidator) for v in self.target.validators):
            schema["pattern"] = NO_NUL if self.target.allow_blank else NOT_BLANK
        if not self.target.allow_blank:
            schema["minLength"] = max(schema.get("minLength", 0), 1)
        return schema


class ListSchema(OpenApiSerializerFieldExtension):
    """A nested list (``many=True``) documents its length rules too: DRF checks ``allow_empty``,
    ``min_length`` and ``max_length`` but drf-spectacular leaves them out of the schema."""

    target_class = serializers.ListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        least = max(self.target.min_length or 0, 0 if self.target.allow_empty else 1)
        if least:
            schema["minItems"] = least
        if self.target.max_length is not None:
            schema["maxItems"] = self.target.max_length
        return schema
