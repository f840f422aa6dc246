"""Pages to ask for break-glass access and to review grants."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mash.exceptions import DomainError, InvalidInput, NotFound
from mash.templatetags.govuk import govuk_datetime

from . import break_glass
from .forms import BreakGlassRequestForm, BreakGlassReviewForm

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    if not break_glass.can_request(request.user):
        raise NotFound("Page not found.")
    form = BreakGlassRequestForm(request.POST or None)
    if form.is_valid():
        try:
            grant = break_glass.break_glass_grant(
                user=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error("reason" if isinstance(error, InvalidInput) else "reference", error.message)
        else:
            messages.success(
                request,
                f"You have access to referral {grant.referral.reference} until "
                f"{govuk_datetime(grant.expires_at)}. This access will be reviewed.",
            )
            return redirect("break_glass_request")
    return render(request, "security/breakglassgrant_request.html", {"form": form})


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    if not break_glass.can_review(request.user):
        raise NotFound("Page not found.")
    page = Paginator(break_glass.grants_to_review(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "security/breakglassgrant_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = break_glass.access_grant(request.user, grant_id)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass.break_glass_review(grant, **form.cleaned_data, by=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Review recorded.")
            return redirect("break_glass_review")
    status = 400 if form.errors else 200
    return render(
        request, "security/breakglassgrant_review.html", {"grant": grant, "form": form}, status=status
    )
