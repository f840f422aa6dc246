"""Pages after the threshold decision: information requests, the MASH and strategy discussions,
the outcome, the summary report, the team manager's queue and allocation, the assessment teams'
duty rota, and challenges.

Thin: access through a selector (anything outside is a 404), validate a form, call one action,
redirect. Every page showing a child's data writes an audit read first.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from agencies import selectors as agency_selectors
from mash import audit
from mash.exceptions import DomainError, NotFound, NotPermitted
from mash.pdf import render_pdf
from mash.roles import is_mash_lead, is_team_manager
from triage.casework import oversight_selectors
from triage.multiagency import actions as outcomes
from triage.multiagency import partner_access, request_selectors, rota, strategy_selectors
from triage.multiagency import requests as information_requests
from triage.multiagency import selectors as selectors
from triage.multiagency import strategy as strategy_decisions
from triage.multiagency.forms import (
    AllocationForm,
    ChallengeForm,
    ChallengeResponseForm,
    DutyRotaForm,
    InformationRequestForm,
    MashDiscussionForm,
    OutcomeForm,
    StrategyDecisionForm,
    StrategyDiscussionForm,
)
from triage.permissions import allows
from triage.policy import policy_for

# Challenges a client address may send: a professional sends one or two, a guesser thousands.
CHALLENGE_RATE = "10/h"


def _read(request: HttpRequest, referral, action: str) -> None:
    audit.record_read(action, actor=request.user, obj=referral, ip_address=audit.client_ip(request))


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (``request.POST or None`` would leave a form
    sent with nothing in it unbound: no messages, and the page as if never sent)."""
    return request.POST if request.method == "POST" else None


def _act(form, call) -> bool:
    """Run an action for a valid form; a domain error becomes the form's error and nothing changes."""
    if not form.is_valid():
        return False
    try:
        call()
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_mash_referral(request.user, reference)
    if request.method == "POST" and not is_mash_lead(request.user):
        raise NotPermitted("Only a MASH lead can request information from agencies.")
    _read(request, referral, "triage.information_requests_view")
    policy = policy_for(referral)
    rows = request_selectors.referral_requests(referral)
    # The policy's agencies for this RAG start ticked, except those already asked: pressing Send
    # again must not ask an agency a second time by default.
    asked = {row.agency_id for row in rows}
    defaults = agency_selectors.default_agencies_for(referral.rag, policy).exclude(pk__in=asked)
    form = InformationRequestForm(
        _posted(request),
        agencies=agency_selectors.active_agencies(),
        initial={"agencies": list(defaults.values_list("pk", flat=True))},
    )
    if request.method == "POST" and _act(
        form,
        lambda: information_requests.information_requests_send(
            referral,
            agencies=form.cleaned_data["agencies"],
            question=form.cleaned_data["question"],
            lawful_basis=form.cleaned_data["lawful_basis"],
            by=request.user,
        ),
    ):
        messages.success(request, "The requests have been sent.")
        return redirect("multiagency:requests", reference=referral.reference)
    context = {
        "referral": referral,
        "rows": rows,
        "children": selectors.referral_children(referral),
        "form": form,
        "can_request": is_mash_lead(request.user),
    }
    return render(request, "multiagency/requests.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def request_chase(request: HttpRequest, reference: str, public_id) -> HttpResponse:
    referral = selectors.access_mash_referral(request.user, reference)
    info_request = request_selectors.access_referral_request(request.user, referral, public_id)
    try:
        information_requests.information_request_chase(info_request, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{info_request.agency.name} has been chased.")
    return redirect("multiagency:requests", reference=referral.reference)


@login_required
@require_POST
def request_resend_link(request: HttpRequest, reference: str, public_id) -> HttpResponse:
    """MASH staff send a new one-time link (the partner's was lost or has expired)."""
    referral = selectors.access_mash_referral(request.user, reference)
    info_request = request_selectors.access_referral_request(request.user, referral, public_id)
    try:
        access = partner_access.partner_link_resend(info_request, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"A new link has been emailed to {access.email}.")
    return redirect("multiagency:requests", reference=referral.reference)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_page(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_mash_referral(request.user, reference)
    _read(request, referral, "triage.mash_discussion_view")
    record = selectors.referral_record(referral)
    agencies = [column.agency for column in record["columns"]]
    form = MashDiscussionForm(
        _posted(request),
        agencies=agencies,
        current_rag=referral.rag,
        current_level=referral.level_of_need,
    )
    if request.method == "POST" and _act(
        form,
        lambda: outcomes.mash_discussion_record(
            referral,
            held_at=form.cleaned_data["held_at"],
            attendees=form.cleaned_data["attendees"],
            summary=form.cleaned_data["summary"],
            level_of_need=form.cleaned_data["level_of_need"],
            rag_after=form.cleaned_data["rag_after"],
            rag_change_reason=form.cleaned_data["rag_change_reason"],
            contributions=form.contributions(),
            by=request.user,
        ),
    ):
        messages.success(request, "The MASH discussion has been recorded.")
        return redirect("multiagency:outcome", reference=referral.reference)
    context = {"referral": referral, "form": form, "can_record": is_mash_lead(request.user), **record}
    return render(request, "multiagency/discussion.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The decision to hold a strategy discussion (which starts its clock and invites every involved
    professional), then the record of the discussion (which meets it): one form at a time."""
    referral = selectors.access_mash_referral(request.user, reference)
    _read(request, referral, "triage.strategy_discussion_view")
    step = request.POST.get("step") if request.method == "POST" else None
    decide = StrategyDecisionForm(_posted(request) if step == "decide" else None)
    form = StrategyDiscussionForm(_posted(request) if step == "record" else None)
    if step == "decide" and _act(
        decide,
        lambda: strategy_decisions.strategy_discussion_decide(
            referral, by=request.user, **decide.cleaned_data
        ),
    ):
        messages.success(request, "The strategy discussion is to be held: the invitations have been sent.")
        return redirect("multiagency:strategy", reference=referral.reference)
    if step == "record" and _act(
        form,
        lambda: outcomes.strategy_discussion_record(referral, by=request.user, **form.cleaned_data),
    ):
        messages.success(request, "The strategy discussion has been recorded.")
        return redirect("multiagency:outcome", reference=referral.reference)
    context = {
        "referral": referral,
        "form": form,
        "decide_form": decide,
        "can_decide": allows("decide_strategy_discussion", request.user, referral),
        "can_record": allows("strategy_discussion", request.user, referral),
        "strategy_hours": policy_for(referral).strategy_discussion_hours,
        **strategy_selectors.strategy_record(referral),
        **selectors.referral_record(referral),
    }
    failed = form.errors or decide.errors
    return render(request, "multiagency/strategy.html", context, status=400 if failed else 200)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_page(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_mash_referral(request.user, reference)
    _read(request, referral, "triage.outcome_view")
    duty_team = rota.duty_team_today()
    form = OutcomeForm(
        _posted(request),
        teams=agency_selectors.active_teams(),
        agencies=agency_selectors.active_agencies(),
        duty_team=duty_team if policy_for(referral).duty_rota_allocation == "suggest" else None,
    )
    if request.method == "POST" and _act(
        form, lambda: outcomes.outcome_record(referral, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, "The outcome has been recorded.")
        return redirect("multiagency:outcome", reference=referral.reference)
    context = {
        "referral": referral,
        "form": form,
        "can_record": is_mash_lead(request.user),
        "duty_team": duty_team,
        **selectors.referral_record(referral),
    }
    return render(request, "multiagency/record.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def summary_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The referral's summary report for the receiving team, as a PDF rendered by WeasyPrint with
    the deny-by-default URL fetcher of mash/pdf.py (nothing outside the document is ever loaded)."""
    referral = selectors.access_summary_referral(request.user, reference)
    audit.record_read(
        "triage.summary_report", actor=request.user, obj=referral, ip_address=audit.client_ip(request)
    )
    context = {
        "referral": referral,
        "children": list(referral.children.all()),
        "adults": list(referral.adults.all()),
        **selectors.referral_record(referral),
    }
    pdf = render_pdf(render_to_string("multiagency/summary_pdf.html", context))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="summary-{referral.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def team_queue(request: HttpRequest) -> HttpResponse:
    if not (is_team_manager(request.user) or is_mash_lead(request.user)):
        raise NotFound("There is no such page.")
    rows = list(selectors.team_queue(request.user))
    challenges = list(selectors.challenges_for(request.user))
    audit.record_read(
        "triage.team_queue", actor=request.user, details={"referrals": [row.pk for row in rows]}
    )
    context = {
        "rows": rows,
        "challenges": challenges,
        "oversight": oversight_selectors.oversight_clocks(row.pk for row in rows),
    }
    return render(request, "multiagency/team_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def allocate_page(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_managed_referral(request.user, reference)
    _read(request, referral, "triage.allocation_view")
    form = AllocationForm(_posted(request), workers=selectors.team_workers(referral.team))
    if request.method == "POST" and _act(
        form, lambda: outcomes.referral_allocate(referral, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, f"{referral.reference} has been allocated.")
        return redirect("multiagency:team_queue")
    context = {
        "referral": referral,
        "form": form,
        "duty_team": rota.duty_team_today(),
        **selectors.referral_record(referral),
    }
    return render(request, "multiagency/allocate.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def challenge_page(request: HttpRequest) -> HttpResponse:
    """Public: a professional challenges an outcome with the reference and the e-mail they gave.
    Only the form's shape is checked here: the challenge is kept and matched later by the worker,
    so the page does the same work, and answers the same, whether or not they match; nothing in
    its words or its timing confirms a reference. POSTs are rate limited per client address."""
    if is_ratelimited(
        request, group="multiagency:challenge", key="ip", rate=CHALLENGE_RATE, method="POST", increment=True
    ):
        return render(request, "multiagency/challenge_limited.html", status=429)
    form = ChallengeForm(_posted(request))
    if request.method == "POST" and _act(form, lambda: outcomes.challenge_submit(**form.cleaned_data)):
        return render(request, "multiagency/challenge_done.html")
    return render(request, "multiagency/challenge.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_respond(request: HttpRequest, public_id) -> HttpResponse:
    challenge = selectors.access_challenge(request.user, public_id)
    audit.record_read(
        "triage.challenge_view", actor=request.user, obj=challenge, ip_address=audit.client_ip(request)
    )
    form = ChallengeResponseForm(_posted(request))
    if request.method == "POST" and _act(
        form, lambda: outcomes.challenge_respond(challenge, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, "Your response has been recorded.")
        return redirect(reverse("multiagency:team_queue"))
    return render(
        request,
        "multiagency/challenge_respond.html",
        {"challenge": challenge, "outcome": selectors.challenged_outcome(challenge), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_rota_page(request: HttpRequest) -> HttpResponse:
    """The assessment teams' duty rota for the next fortnight; a MASH lead or an assessment team's
    manager changes it."""
    today = timezone.localdate()
    days = rota.rota(request.user, start=today)
    can_keep = rota.can_keep_rota(request.user)
    form = DutyRotaForm(_posted(request) if can_keep else None, days=days, teams=rota.assessment_teams())
    if request.method == "POST":
        if not can_keep:
            raise NotPermitted("Only a MASH lead or an assessment team's manager can keep the duty rota.")
        if _act(form, lambda: rota.duty_rota_set(form.chosen(), by=request.user)):
            messages.success(request, "The duty rota has been saved.")
            return redirect("multiagency:duty_rota")
    context = {"form": form, "days": days, "can_keep": can_keep, "today": days[0]}
    return render(request, "multiagency/duty_rota.html", context, status=400 if form.errors else 200)
