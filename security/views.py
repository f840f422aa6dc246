"""Sign-in, second factor, recovery codes, password change and sign-out."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from mash import audit
from mash.navigation import landing_url

from . import sessions, sso, two_factor
from .backends import local_passwords
from .forms import EnrolForm, GovukPasswordChangeForm, SignInForm, TokenForm


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` the sign-in was asked for, if it stays on this site; else empty."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _next(request: HttpRequest) -> str:
    """Where to go once signed in: a safe ``next``, else the start of this member of staff's work."""
    return _safe_next(request) or landing_url(request.user)


def _with_next(url_name: str, request: HttpRequest) -> str:
    target = _safe_next(request)
    return f"{reverse(url_name)}?{urlencode({'next': target})}" if target else reverse(url_name)


class SignInView(auth_views.LoginView):
    """Password step. django-axes counts failures (its backend runs first), per username and per
    address; success goes on to the second-factor step, never straight to a staff page, carrying
    only a safe ``next`` (without one, the second factor leads to the user's own work)."""

    http_method_names = ["get", "post"]  # Django's form views also take PUT, as a POST
    template_name = "mash/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = False

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if sso.configured():
            # The council account's button comes first; focus stays at the top of the page.
            form.fields["username"].widget.attrs.pop("autofocus", None)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(sso=sso.configured(), local_passwords=local_passwords())
        return context

    def post(self, request, *args, **kwargs):
        if not local_passwords():
            # Refused before any password is looked at (the backend refuses them too).
            context = self.get_context_data(password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        super().form_valid(form)  # auth.login: cycles the session key
        sessions.start(self.request.session)
        audit.record(
            audit.AuditEvent.Kind.AUTH,
            "auth.password_accepted",
            actor=form.get_user(),
            obj=form.get_user(),
            ip_address=audit.client_ip(self.request),
        )
        return redirect(_with_next("two_factor_verify", self.request))


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView): flushes the session row, so the cookie is worthless. A
    session that began at the council's identity provider ends there too (RP-initiated logout)."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.logout_url(request)
        if request.user.is_authenticated:
            audit.record(
                audit.AuditEvent.Kind.AUTH,
                "auth.signed_out",
                actor=request.user,
                obj=request.user,
                details={"provider": bool(provider_logout)},
            )
        response = super().post(request, *args, **kwargs)
        return redirect(provider_logout) if provider_logout else response


# The method first: these paths are open to the anonymous, who are refused 405 before sign-in.
@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_device(request.user):
        return redirect(_with_next("two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = two_factor.verify(request, form.cleaned_data["token"])
        if device is not None:
            left = two_factor.recovery_codes_left(request.user)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(request, f"You used a recovery code. You have {left} left.")
            return redirect(_next(request))
        form.add_error("token", "The security code is wrong or has expired. Check your app and try again.")
    return render(request, "security/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@require_http_methods(["GET", "POST"])
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Only for users without one: replacing a device is an
    administrator's job (admin, "TOTP devices"), so a stolen password cannot re-enrol."""
    if two_factor.has_device(request.user):
        return redirect(_with_next("two_factor_verify", request))
    device = two_factor.pending_totp(request.user)
    form = EnrolForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.totp_confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", "The security code is wrong. Enter the code your app shows now.")
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": b32encode(device.bin_key).decode(),
        "next": _safe_next(request),
    }
    return render(request, "security/two_factor_setup.html", context)


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A verified user replaces their recovery codes; the new set is shown once."""
    if request.method == "POST":
        codes = two_factor.recovery_codes_issue(request.user, by=request.user)
        return render(request, "security/recovery_codes.html", {"codes": codes, "next": reverse("home")})
    left = two_factor.recovery_codes_left(request.user)
    return render(request, "security/recovery_codes_replace.html", {"left": left})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view keeps this session (update_session_auth_hash) while the changed password
    hash invalidates every other session of the user at their next request."""

    http_method_names = ["get", "post"]
    template_name = "security/password_change.html"
    form_class = GovukPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            audit.AuditEvent.Kind.AUTH,
            "auth.password_changed",
            actor=self.request.user,
            obj=self.request.user,
        )
        messages.success(self.request, "Your password has been changed. Other sessions have been signed out.")
        return response
