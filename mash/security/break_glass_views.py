"""Pages to ask for break-glass access and to review grants."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mash.exceptions import DomainError, NotFound
from mash.models import BreakGlassGrant

from . import break_glass
from .forms import BreakGlassRequestForm

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
            form.add_error("reference" if isinstance(error, NotFound) else "reason", error.message)
        else:
            messages.success(
                request,
                f"You have access to referral {grant.referral.reference} until "
                f"{grant.expires_at:%H:%M on %d %B %Y}. This access will be reviewed.",
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
    error = ""
    if request.method == "POST":
        try:
            break_glass.break_glass_review(
                grant,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "Review recorded.")
            return redirect("break_glass_review")
    context = {"grant": grant, "error": error, "outcomes": BreakGlassGrant.Outcome.choices}
    return render(request, "security/breakglassgrant_review.html", context, status=400 if error else 200)
