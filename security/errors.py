"""Error pages that answer an API caller in JSON: a URL under /api/ that matches no route (or fails)
gets the same ``{"code", "detail"}`` body as every other API error, not an HTML page, so the
schema's documented error response is true of every path."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": "server_error", "detail": "Something went wrong."}, status=500)
    return defaults.server_error(request)
