"""GOV.UK Notify's delivery receipts callback: Notify posts each notification's status here.

Not a staff page: Notify authenticates with the bearer token the council set on its callback
(NOTIFY_CALLBACK_TOKEN), compared in constant time. A request without it changes nothing.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import receipts


def _authorised(request: HttpRequest) -> bool:
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and constant_time_compare(given.encode(), f"Bearer {token}".encode())


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)  # the API's one error shape


@csrf_exempt  # Notify posts without a session or CSRF token; the bearer token is its proof
@require_POST
def notify_callback(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        response = _problem(401, "not_authenticated", "A valid bearer token is required.")
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        body = json.loads(request.body)
    except (RequestDataTooBig, ValueError):
        return _problem(400, "invalid", "The body must be JSON.")
    if not isinstance(body, dict):
        return _problem(400, "invalid", "The body must be a JSON object.")
    notify_id, status = body.get("id"), body.get("status")
    if not isinstance(notify_id, str) or not notify_id or len(notify_id) > 36:
        return _problem(400, "invalid", "id: a notification id is required.")
    if status not in receipts.KNOWN_STATUSES:
        return _problem(400, "invalid", "status: not one of GOV.UK Notify's statuses.")
    completed = body.get("completed_at")
    at = parse_datetime(completed) if isinstance(completed, str) else None
    updated = receipts.receipt_record(notify_id, status, at=at)
    return JsonResponse({"updated": updated})
