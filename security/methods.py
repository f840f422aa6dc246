"""A class-based view answers 405 to a method it has no handler for, before anything else decides.

DRF's ``APIView.dispatch`` authenticates and checks permissions before it looks for the handler,
so a method no API view serves (TRACE, PUT) was answered 401, 403 or 404 by whatever refused the
caller first, and clients and scanners were told the resource might serve it to someone else. The
same holds for Django views whose mixins run before ``dispatch`` picks the handler. Checking here,
once, covers every class-based view (every API view), including views added later. Function views
declare theirs with ``require_http_methods`` and friends.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from rest_framework.views import APIView


def served_methods(view_class: type) -> list[str]:
    """The methods the view class has a handler for; HEAD wherever GET is (Django's View.setup)."""
    served = [name for name in view_class.http_method_names if hasattr(view_class, name)]
    if "get" in served and "head" not in served and "head" in view_class.http_method_names:
        served.append("head")
    return [name.upper() for name in served]


def method_not_allowed(request: HttpRequest, view_class: type, allowed: list[str]) -> HttpResponse:
    if issubclass(view_class, APIView):
        # The API's one error shape (mash/exceptions.py's api_exception_handler).
        return JsonResponse(
            {"code": "method_not_allowed", "detail": f'Method "{request.method}" not allowed.'},
            status=405,
            headers={"Allow": ", ".join(allowed)},
        )
    return HttpResponseNotAllowed(allowed)


class DeclaredMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        view_class = getattr(view_func, "view_class", None)
        if view_class is None:
            return None
        allowed = served_methods(view_class)
        if request.method in allowed:
            return None
        return method_not_allowed(request, view_class, allowed)
