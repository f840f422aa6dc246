"""Single sign-on: the start (off to the provider) and the callback (its answer), which signs the
person in, asks for the service's second factor unless the provider's counts, or refuses with a
page that says why and who to ask."""

from __future__ import annotations

from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from mash import audit
from mash.navigation import landing_url

from . import sessions, sso


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    audit.record(
        audit.AuditEvent.Kind.AUTH,
        "auth.sso_refused",
        actor=None,
        ip_address=audit.client_ip(request),
        details={"reason": reason},
    )
    context = {"reason": reason, "contact": settings.SSO_ACCESS_CONTACT}
    return render(request, "security/sso_refused.html", context, status=403)


class SsoStartView(OIDCAuthenticationRequestView):
    """Off to the provider's sign-in, with a fresh state, nonce and PKCE verifier in the session."""

    def dispatch(self, request, *args, **kwargs):
        if not sso.configured():
            raise Http404("Single sign-on is not set up.")
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        # The library reads its settings here; they exist only once SSO is configured.
        if sso.configured():
            super().__init__(*args, **kwargs)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. Only an answer to a sign-in this browser started is taken: its
    ``state`` must be one this session holds, else the person is refused and nothing is asked of
    the provider."""

    def get(self, request):
        if not sso.configured():
            raise Http404("Single sign-on is not set up.")
        if request.GET.get("error"):
            return _refused(request, sso.Refusal.PROVIDER)
        if request.GET.get("state") not in request.session.get("oidc_states", {}):
            return _refused(request, sso.Refusal.STATE)
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, ValueError):
            return _refused(request, getattr(request, "sso_refusal", sso.Refusal.PROVIDER))

    def login_failure(self):
        return _refused(self.request, getattr(self.request, "sso_refusal", sso.Refusal.PROVIDER))

    def login_success(self):
        request, user = self.request, self.user
        if not sso.has_a_role(user):
            request.session.pop("oidc_id_token", None)  # nothing of the sign-in is kept
            audit.record(audit.AuditEvent.Kind.AUTH, "auth.sso_no_role", actor=user, obj=user)
            context = {"person": user, "contact": settings.SSO_ACCESS_CONTACT}
            return render(request, "security/sso_no_role.html", context, status=403)
        next_url = request.session.get("oidc_login_next") or ""
        auth.login(request, user)
        sessions.start(request.session)
        claims = getattr(request, "sso_claims", {})
        audit.record(
            audit.AuditEvent.Kind.AUTH,
            "auth.sso_accepted",
            actor=user,
            obj=user,
            ip_address=audit.client_ip(request),
            details={"amr": claims.get("amr") or [], "acr": claims.get("acr") or ""},
        )
        if sso.provider_second_factor(claims):
            otp_login(request, sso.provider_device(user))
            audit.record(
                audit.AuditEvent.Kind.AUTH,
                "auth.second_factor_verified",
                actor=user,
                obj=user,
                ip_address=audit.client_ip(request),
                details={"method": "provider"},
            )
            return redirect(next_url or landing_url(user))
        target = reverse("two_factor_verify")
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
