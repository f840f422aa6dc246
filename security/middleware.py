"""Middleware that applies to every request, so pages added later are covered without opting in.

``SessionLimitsMiddleware`` ends sessions past the idle or absolute limit.
``SecondFactorMiddleware`` demands a verified second factor (django-otp) on every route except
an explicit allow-list of public and sign-in paths: staff pages, the admin and the staff API alike.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import sessions

# Paths anyone may use without a second factor: the public start page and referral form, the
# probes, static files, the sign-in and enrolment pages, and the API parts that authenticate
# with an agency token or describe the API. Everything else needs a verified second factor.
EXEMPT_EXACT = frozenset({"/", "/healthz", "/readyz"})
SIGN_IN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/two-factor/")
SIGN_IN_PREFIXES += ("/accounts/sso/",)  # single sign-on: off to the council's provider and back
PUBLIC_PREFIXES = ("/refer/", "/static/", "/api/v1/referrals/", "/api/schema/", "/api/docs/")
# A partner's one-time link to one request: its own sign-in by e-mailed code, never a staff session.
PUBLIC_PREFIXES += ("/partner-access/",)
EXEMPT_PREFIXES = SIGN_IN_PREFIXES + PUBLIC_PREFIXES
# Staff pages that live inside a public prefix (recording a phone referral, a consultation).
STAFF_WITHIN_PUBLIC = ("/refer/record/", "/refer/consultation/")
API_PREFIX = "/api/"


def is_exempt(path: str) -> bool:
    if path.startswith(STAFF_WITHIN_PUBLIC):
        return False
    return path in EXEMPT_EXACT or path.startswith(EXEMPT_PREFIXES)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class SessionLimitsMiddleware:
    """Signs a user out once the session has been idle, or alive, longer than settings allow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = sessions.expired(request.session)
            if reason:
                logout(request)  # flushes the session row, not just the cookie
                if _is_api(request):
                    return JsonResponse(
                        {"code": "session_expired", "detail": "Your session has ended."}, status=401
                    )
                messages.info(
                    request, "You were signed out because your session ended. Sign in again to continue."
                )
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            sessions.touch(request.session)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Every non-exempt route needs ``request.user.is_verified()`` (after django-otp's middleware).

    Pages: anonymous users go to sign in, signed-in but unverified users to the second-factor
    step (or to enrolment when they have no device). API: an unverified session is refused with
    403; requests without a session pass on to DRF, whose token authentication decides. On the
    public form and API paths an unverified session counts as anonymous, so it has no staff powers
    there and only a token can act on the intake API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = user.is_authenticated and user.is_verified()
        if verified:
            return self.get_response(request)
        if is_exempt(request.path):
            if user.is_authenticated and request.path.startswith(PUBLIC_PREFIXES):
                # A half-signed-in session is the public here: no staff powers on the form or API.
                request.user = AnonymousUser()
            return self.get_response(request)
        if _is_api(request):
            if user.is_authenticated:
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "detail": "Verify your second factor to use the staff API.",
                    },
                    status=403,
                )
            return self.get_response(request)
        target = "login" if not user.is_authenticated else "two_factor_verify"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
