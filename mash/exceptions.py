"""Domain errors, each with its HTTP status, mapped once for pages and once for the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A rule of the service was broken. The message is shown to the user as it is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid"


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"


class NotFound(DomainError):
    """Also raised for objects outside what the user may see: we never confirm they exist."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class AlreadyClaimed(Conflict):
    code = "already_claimed"


class DomainErrorMiddleware:
    """Renders a DomainError raised by a page view as a GOV.UK error page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "errors/domain_error.html",
            {"message": exception.message, "status": exception.status_code},
            status=exception.status_code,
        )


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus DomainError as ``{"code": ..., "detail": ...}`` with its status.

    DRF's own errors with a single ``detail`` (a body that is not JSON, not UTF-8, too large) get their
    code too, so a client can rely on one shape: ``{"code", "detail"}``."""
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.message}, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        codes = exc.get_codes() if isinstance(exc, APIException) else None
        response.data = {"code": codes if isinstance(codes, str) else "error", **response.data}
    return response
