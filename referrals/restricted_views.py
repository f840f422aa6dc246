"""The restricted record page: a MASH lead restricts a referral, names and removes people, lifts it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mash import audit
from mash.actor import Actor
from mash.exceptions import DomainError

from . import restricted
from .forms.restricted import LiftForm, NameForm, RestrictForm


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, reference: str) -> HttpResponse:
    referral = restricted.access_restriction(request.user, reference)
    # Who may open a child's record is itself about the child: every look at it is recorded.
    audit.record_read(
        "referral.restriction_read",
        actor=request.user,
        obj=referral,
        reason="Who may open the referral",
        ip_address=audit.client_ip(request),
    )
    restriction = restricted.restriction_of(referral)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    named = list(restricted.named_users(referral)) if restriction else []

    def bound(name: str):
        return request.POST if action == name else None

    forms = {
        "restrict": RestrictForm(bound("restrict"), prefix="restrict"),
        "name": NameForm(bound("name"), prefix="name", users=restricted.nameable_users(referral)),
        "lift": LiftForm(bound("lift"), prefix="lift"),
    }
    error = ""
    if action == "remove":
        person = next((user for user in named if str(user.pk) == request.POST.get("user")), None)
        if person is None:
            error = "That person is not named on this referral."
        else:
            return _run(
                request,
                referral,
                lambda: _act("remove", referral, {"user": person}, request.user),
                on_error=lambda message: _render(request, referral, restriction, named, forms, message),
            )
    elif action in forms and forms[action].is_valid():
        data = forms[action].cleaned_data
        return _run(
            request,
            referral,
            lambda: _act(action, referral, data, request.user),
            on_error=lambda message: _render(request, referral, restriction, named, forms, message),
        )
    return _render(request, referral, restriction, named, forms, error)


def _act(action: str, referral, data: dict, by: Actor) -> str:
    """Run one action of the page; returns what to tell the person."""
    reference = referral.reference
    if action == "restrict":
        restricted.referral_restrict(referral, reason=data["reason"], by=by)
        return f"Referral {reference} is restricted: only the people named on it can open it."
    if action == "name":
        restricted.restricted_access_grant(referral, user=data["user"], reason=data["reason"], by=by)
        return f"{data['user'].display_name} can now open referral {reference}."
    if action == "remove":
        restricted.restricted_access_revoke(referral, user=data["user"], by=by)
        return f"{data['user'].display_name} can no longer open referral {reference}."
    restricted.referral_unrestrict(referral, reason=data["reason"], by=by)
    return f"Referral {reference} is no longer restricted."


def _run(request, referral, run, *, on_error) -> HttpResponse:
    """Run an action; a broken rule shows in the error summary (a 404 stays a 404)."""
    try:
        success = run()
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return on_error(exc.message)
    messages.success(request, success)
    return redirect("restricted:manage", reference=referral.reference)


def _render(request, referral, restriction, named, forms, error: str) -> HttpResponse:
    shown = ("name", "lift") if restriction else ("restrict",)
    failed = bool(error) or any(forms[name].errors for name in shown)
    context = {
        "referral": referral,
        "restriction": restriction,
        "named": named,
        "forms": [forms[name] for name in shown],
        "error": error,
        **{f"{name}_form": forms[name] for name in shown},
    }
    return render(request, "referrals/restricted_manage.html", context, status=400 if failed else 200)
