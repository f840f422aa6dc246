"""A drf-spectacular postprocessing hook: document the error responses every endpoint can give.

Authentication, permission, validation and domain errors come from project-wide machinery (DRF's
handler and mash.exceptions.api_exception_handler), so they are documented here once instead of
on every view; the schema then tells the truth and Schemathesis can hold each response to it.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: DRF's {detail} or a domain error's {code, detail}; validation errors "
    "name each field.",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "The request was not valid; the body says what to change.",
    "401": "No valid credentials (or the session has ended).",
    "403": "Not permitted, or a second factor is needed.",
    "404": "Not found, or outside what this caller may see.",
    "409": "Conflicts with the record's current state.",
    "429": "Too many requests; try again later.",
}
UNSAFE = {"post", "put", "patch", "delete"}


def _codes(method: str) -> list[str]:
    # 404 everywhere: anything outside what a caller may see is "not found", lists included.
    codes = ["400", "401", "403", "404", "429"]
    if method in UNSAFE:
        codes.append("409")
    return codes


def add_error_responses(result: dict, generator, request, public) -> dict:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(method):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
