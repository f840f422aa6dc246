"""The one-time link's pages, mounted at /partner-access/ (public: no staff sign-in, and no staff
powers either, security.middleware). A professional with no account opens the link from the
request's e-mail, gets a code at the address the request went to, and answers that one request.

Each page finds its link by the token in its address; the steps' rules are in
``triage.multiagency.partner_access``. Every sign-in attempt (a posted address or code, or a link
that is no link) counts towards PARTNER_SIGN_IN_RATE for the client's address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from mash import audit
from mash.exceptions import Conflict, DomainError, NotFound, NotPermitted
from mash.models import AuditEvent
from triage.multiagency import partner_access as access_actions

from .forms import AccessAddressForm, AccessCodeForm, AnswerForm

DONE_KEY = "partner_access_done"


def _over_rate(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="partner_access:sign_in",
        key="ip",
        rate=lambda group, request: settings.PARTNER_SIGN_IN_RATE,
        # A posted address or code; on a link that is no link, any method (a guess at a token).
        method=ALL if request.method == "GET" else "POST",
        increment=True,
    )


def _limited(request: HttpRequest) -> HttpResponse:
    audit.record(
        AuditEvent.Kind.AUTH,
        "partner_access.refused_rate",
        actor=audit.PUBLIC,
        ip_address=audit.client_ip(request),
    )
    return render(request, "partners/access_limited.html", status=429)


def _link(request: HttpRequest, token: str):
    """The link's row, or the not-recognised page (and a counted attempt) for a token that is none."""
    try:
        return access_actions.access_for_token(token), None
    except NotFound as exc:
        if _over_rate(request):
            return None, _limited(request)
        audit.record(
            AuditEvent.Kind.AUTH,
            "partner_access.unknown_link",
            actor=audit.PUBLIC,
            ip_address=audit.client_ip(request),
        )
        return None, _closed(request, exc.message, status=404)


def _closed(request: HttpRequest, message: str, *, status: int = 410) -> HttpResponse:
    return render(request, "partners/access_closed.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def access_start(request: HttpRequest, token: str) -> HttpResponse:
    access, refused = _link(request, token)
    if refused:
        return refused
    if request.method == "POST" and _over_rate(request):
        return _limited(request)
    ip = audit.client_ip(request)
    form = AccessAddressForm(request.POST if request.method == "POST" else None)
    try:
        if request.method == "GET":
            access_actions.partner_link_open(access, ip_address=ip)
        elif form.is_valid():
            access_actions.partner_code_request(access, email=form.cleaned_data["email"], ip_address=ip)
            # The same next page whichever address was typed: it names no address.
            request.session["partner_access_asked"] = form.cleaned_data["email"]
            return redirect("partner_access:code", token=token)
    except Conflict as exc:
        return _closed(request, exc.message)
    context = {"form": form, "agency": access.request.agency, "token": token}
    return render(request, "partners/access_start.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def access_code(request: HttpRequest, token: str) -> HttpResponse:
    access, refused = _link(request, token)
    if refused:
        return refused
    if request.method == "POST" and _over_rate(request):
        return _limited(request)
    form = AccessCodeForm(request.POST if request.method == "POST" else None)
    reason = access_actions.closed_reason(access)
    if reason:
        return _closed(request, reason)
    if request.method == "POST" and form.is_valid():
        try:
            access = access_actions.partner_code_verify(
                access, code=form.cleaned_data["code"].strip(), ip_address=audit.client_ip(request)
            )
        except Conflict as exc:
            return _closed(request, exc.message)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            access_actions.session_sign_in(request.session, access)
            return redirect("partner_access:request", token=token)
    context = {
        "form": form,
        "token": token,
        "asked": request.session.get("partner_access_asked", ""),
        "code_minutes": settings.PARTNER_CODE_MINUTES,
    }
    return render(request, "partners/access_code.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def access_request(request: HttpRequest, token: str) -> HttpResponse:
    access, refused = _link(request, token)
    if refused:
        return refused
    try:
        access = access_actions.signed_in_access(request.session, token)
    except NotPermitted:
        return redirect("partner_access:start", token=token)
    except Conflict as exc:
        return _closed(request, exc.message)
    ip = audit.client_ip(request)
    info_request = access_actions.partner_request_view(access, ip_address=ip)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access_actions.partner_access_answer(access, ip_address=ip, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            access_actions.session_sign_out(request.session)
            request.session[DONE_KEY] = access.pk
            return redirect("partner_access:done", token=token)
    context = {"req": info_request, "form": form, "answer_forms": [form]}
    return render(request, "partners/access_request.html", context, status=400 if form.errors else 200)


@require_GET
def access_done(request: HttpRequest, token: str) -> HttpResponse:
    access, refused = _link(request, token)
    if refused:
        return refused
    if request.session.get(DONE_KEY) != access.pk:
        return redirect("partner_access:start", token=token)
    return render(request, "partners/access_done.html", {"agency": access.request.agency})
