"""Pages to ask for break-glass access and to review grants."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from mash import audit
from mash.exceptions import Conflict, DomainError, InvalidInput, NotFound
from mash.models import AuditEvent
from mash.templatetags.govuk import govuk_datetime

from . import break_glass
from .forms import BreakGlassRequestForm, BreakGlassReviewForm

PAGE_SIZE = 50
REQUEST_PAGE = "security/breakglassgrant_request.html"


@login_required
@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    """Name the child, give the reason, then choose among the referrals found about that child."""
    if not break_glass.can_request(request.user):
        raise NotFound("Page not found.")
    form = BreakGlassRequestForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_valid():
        if over_rate(request):
            return _refused_for_rate(request, form)
        form = _offer_candidates(request, form)
        if form.is_valid() and form.cleaned_data.get("referral"):
            try:
                grant = break_glass.break_glass_grant(
                    user=request.user,
                    reference=form.cleaned_data["referral"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except Conflict as refusal:
                error = refusal.message  # the cap: no field of the form would fix it
            except DomainError as refusal:
                field = "reason" if isinstance(refusal, InvalidInput) else "referral"
                form.add_error(field, refusal.message)
            else:
                messages.success(
                    request,
                    f"You have access to referral {grant.referral.reference} until "
                    f"{govuk_datetime(grant.expires_at)}. This access will be reviewed.",
                )
                return redirect("break_glass_request")
    return render(request, REQUEST_PAGE, {"form": form, "error": error})


def _offer_candidates(request: HttpRequest, form: BreakGlassRequestForm) -> BreakGlassRequestForm:
    """The same answers, now with the referrals found about the child to choose from. The search
    runs again on every answer, so a referral is chosen only from what these answers find."""
    candidates = break_glass.break_glass_search(request.user, **form.search_terms())
    offered = BreakGlassRequestForm(request.POST, candidates=candidates)
    if offered.is_valid() and not candidates:
        offered.add_error(
            "first_name",
            "No referral about a child with that name and date of birth needs emergency access. Check "
            "the spelling and the date, or find the referral in your queue",
        )
    return offered


def over_rate(request: HttpRequest) -> bool:
    """True when this user has sent more break-glass requests than the policy's rate allows. Only a
    complete request counts, so someone fixing a blank field in an emergency is not held back."""
    return is_ratelimited(
        request,
        group="security:break_glass",
        key="user",
        rate=break_glass.break_glass_limits().rate,
        method="POST",
        increment=True,
    )


def _refused_for_rate(request: HttpRequest, form) -> HttpResponse:
    audit.record(
        AuditEvent.Kind.AUTH,
        "break_glass.refused_rate",
        actor=request.user,
        reason=f"More than {break_glass.break_glass_limits().rate} break-glass requests",
        ip_address=audit.client_ip(request),
    )
    error = (
        "You have asked for emergency access too many times in a short while. Ask a MASH lead, "
        "who can open the referral through normal access, or try again later."
    )
    return render(request, REQUEST_PAGE, {"form": form, "error": error}, status=429)


@login_required
@require_GET
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
