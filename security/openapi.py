"""drf-spectacular postprocessing hooks: the error responses every endpoint can give, and the links
between operations.

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


# OpenAPI links: where a response gives the identifier another operation takes, so a client (and
# Schemathesis's stateful phase) can follow a referral from intake through triage's actions, and a
# partner's request from the list to its answer. (source operation, status) -> {target: parameters}.
REFERRAL_ACTIONS = [
    f"v1_triage_referrals_{action}_create"
    for action in ("claim", "decisions", "rag", "reassign", "release", "return", "step_up", "edt_acknowledge")
]
READ_REFERRAL = "v1_triage_referrals_retrieve"
QUEUES = ("queue", "edt", "early_help", "domestic_abuse")


def _to(targets: list[str], parameter: str, expression: str) -> dict[str, dict]:
    return {target: {parameter: expression} for target in targets}


LINKS: dict[tuple[str, str], dict[str, dict]] = {
    ("referral_create", "201"): _to([READ_REFERRAL], "reference", "$response.body#/reference"),
    ("referral_create", "200"): _to([READ_REFERRAL], "reference", "$response.body#/reference"),
    (READ_REFERRAL, "200"): _to(REFERRAL_ACTIONS, "reference", "$response.body#/referral/reference"),
    **{
        (action, "200"): _to([READ_REFERRAL, *REFERRAL_ACTIONS], "reference", "$response.body#/reference")
        for action in REFERRAL_ACTIONS
    },
    **{
        (f"v1_triage_{queue}_retrieve", "200"): _to(
            [READ_REFERRAL], "reference", "$response.body#/results/0/reference"
        )
        for queue in QUEUES
    },
    ("v1_partners_requests_list", "200"): _to(
        ["v1_partners_requests_retrieve", "v1_partners_requests_answer_create"],
        "public_id",
        "$response.body#/0/id",
    ),
    ("v1_partners_requests_retrieve", "200"): _to(
        ["v1_partners_requests_answer_create"], "public_id", "$response.body#/id"
    ),
}


def add_links(result: dict, generator, request, public) -> dict:
    operations = {
        operation["operationId"]: operation
        for path_operations in result.get("paths", {}).values()
        for method, operation in path_operations.items()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), targets in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {
            _link_name(target): {"operationId": target, "parameters": parameters}
            for target, parameters in targets.items()
            if target in operations
        }
    return result


def _link_name(operation_id: str) -> str:
    return "".join(word.capitalize() for word in operation_id.removeprefix("v1_").split("_"))
