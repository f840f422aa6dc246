"""Limits on what a JSON body may be, checked before it is parsed: a body too large is refused with 413
and one nested too deeply with 400, in the API's own error shape, instead of being read whole or
overflowing the parser's recursion (a server error)."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def nesting_depth(text: str, limit: int) -> int:
    """The deepest nesting of arrays and objects in ``text`` (stopping once past ``limit``); brackets
    inside strings do not count."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser behind a size and a depth limit (settings API_MAX_BODY_BYTES, API_MAX_JSON_DEPTH)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"The request body is not valid {encoding}.") from exc
        if nesting_depth(text, settings.API_MAX_JSON_DEPTH) > settings.API_MAX_JSON_DEPTH:
            raise ParseError(f"The JSON is nested more than {settings.API_MAX_JSON_DEPTH} levels deep.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
