"""Triage pages: validate, access (selectors), act (decisions), redirect. Thin on purpose.

A DomainError raised by an action on a form page is shown in the form's error summary; anything
else a DomainError raises is rendered by ``mash.exceptions.DomainErrorMiddleware``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mash import audit
from mash.codes import DomesticAbuseRisk
from mash.exceptions import DomainError, InvalidInput, NotPermitted
from referrals.person_index.selectors import rereferrals

from . import decisions, selectors, signals
from .domestic_abuse import selectors as domestic_abuse
from .forms import (
    ChangeRagForm,
    CseMatrixForm,
    DaBatchForm,
    DecisionFields,
    EdtFilterForm,
    QueueFilterForm,
    QueueSearchForm,
    ReassignForm,
    ReturnForm,
    StepUpForm,
)
from .policy import current_policy, policy_for

PAGE_SIZE = 25


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (``request.POST or None`` would treat a post with
    nothing chosen as no post at all, and show no errors)."""
    return request.POST if request.method == "POST" else None


def _page(
    request: HttpRequest, queryset, *, action: str, template: str, context: dict, search: str = ""
) -> HttpResponse:
    """Paginate a queue, record who saw which referrals (and what they searched for), and render the
    page (or, for htmx, its rows)."""
    form = context.get("form")
    if request.htmx and _filters_invalid(request, form):
        # The rows alone cannot show the error summary: have htmx load the whole page instead.
        return HttpResponse(headers={"HX-Redirect": request.get_full_path()})
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    details = {"page": page.number, "referrals": [r.pk for r in page.object_list]}
    if search:
        details["search"] = search
    audit.record_read(
        f"{action}_search" if search else f"{action}_view",
        actor=request.user,
        reason="Searching the queue" if search else "Working the queue",
        details=details,
        ip_address=audit.client_ip(request),
    )
    query = request.GET.copy()
    query.pop("page", None)
    # Re-referrals within 12 months, through the person index: two queries for the whole page.
    context = {
        **context,
        "page": page,
        "query": query.urlencode(),
        "searched": search,
        "filters_invalid": _filters_invalid(request, form),
        "rereferrals": rereferrals(page.object_list),
        # The sweeper's open warnings and breaches for this page, in one query.
        "alerts": signals.open_alert_levels(r.pk for r in page.object_list),
    }
    if request.htmx:
        return render(request, "triage/queue_rows.html", context)
    return render(request, template, context)


def _filters_invalid(request: HttpRequest, form) -> bool:
    """A queue's search or filters could not be used (its rows are then the unfiltered queue)."""
    return request.method == "GET" and form is not None and form.is_bound and bool(form.errors)


def _searched(form) -> str:
    """The search as typed, when it was valid and found something to search for."""
    return form.search_text if form.is_bound and form.search() else ""


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    rows = selectors.referral_queue(request.user, form.to_filters() if request.GET else None)
    return _page(
        request,
        rows,
        action="triage.queue",
        template="triage/queue_list.html",
        context={"form": form, "title": "Triage queue"},
        search=_searched(form),
    )


@login_required
@require_GET
def early_help_queue(request: HttpRequest) -> HttpResponse:
    form = QueueSearchForm(request.GET or None)
    rows = selectors.early_help_queue(request.user, form.search() if request.GET else None)
    return _page(
        request,
        rows,
        action="triage.early_help_queue",
        template="triage/queue_list.html",
        context={"form": form, "title": "Early help queue"},
        search=_searched(form),
    )


@login_required
@require_GET
def edt_queue(request: HttpRequest) -> HttpResponse:
    form = EdtFilterForm(request.GET or None)
    filters = form.to_filters()
    rows = selectors.edt_queue(request.user, filters)
    return _page(
        request,
        rows,
        action="triage.edt_queue",
        template="triage/queue_list.html",
        context={"form": form, "title": "Emergency duty team queue", "edt": True},
        search=_searched(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def domestic_abuse_queue(request: HttpRequest) -> HttpResponse:
    # An unknown grade in the address shows every grade (it never reaches the database).
    grade = request.GET.get("grade", "")
    grade = grade if grade in DomesticAbuseRisk.values else ""
    rows = selectors.domestic_abuse_queue(request.user, grade=grade)
    candidates = selectors.domestic_abuse_queue(request.user, grade="standard")
    form = DaBatchForm(_posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = decisions.da_batch_decide(
                list(data["referrals"]),
                rag=data["rag"],
                level_of_need=data["level_of_need"],
                rationale=data["rationale"],
                advice_given=data["advice_given"],
                primary_need=data["primary_need"],
                by=request.user,
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{count} notification{'s' if count != 1 else ''} decided.")
            return redirect("triage:domestic_abuse")
    policy = current_policy()
    return _page(
        request,
        rows,
        action="triage.domestic_abuse_queue",
        template="triage/domestic_abuse_list.html",
        context={
            "title": "Domestic abuse notifications",
            "form": form,
            "timescales": policy.domestic_abuse_timescales,
            "marac_required": policy.marac_required_for_high,
            "holds_meetings": domestic_abuse.holds_meetings(policy),
            "meeting_grades": (policy.domestic_abuse_meetings or {}).get("agenda_grades", []),
            "grade": grade,
            "grades": [("", "All grades"), *reversed(DomesticAbuseRisk.choices)],
            "da": True,
        },
    )


@login_required
@require_GET
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.referral_read(
        request.user,
        reference,
        purpose="Screening and threshold decision",
        ip_address=audit.client_ip(request),
    )
    context = {
        "referral": referral,
        "children": list(referral.children.all()),
        "adults": list(referral.adults.all()),
        "decisions": selectors.referral_decisions(referral),
        "status_history": selectors.referral_status_history(referral),
        "claim_history": selectors.referral_claim_history(referral),
        "deadlines": selectors.referral_deadlines(referral),
        "actions": selectors.allowed_actions(request.user, referral),
        "edt_flag": getattr(referral, "edt_flag", None),
        **selectors.cse_matrix_context(referral),
        "marac": domestic_abuse.marac_status(referral, policy_for(referral)),
        "agenda_items": domestic_abuse.agenda_items_of(referral),
        "letters": signals.referral_letters(referral),
    }
    return render(request, "triage/referral_detail.html", context)


def _button(action, success: str, *, back_to: str = ""):
    """A one-button POST view: access the referral, run ``action(referral, by=user)``, say so, go back.
    A broken rule (e.g. already claimed: 409) is rendered by the DomainError middleware."""

    @login_required
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        referral = selectors.access_referral(request.user, reference)
        action(referral, by=request.user)
        messages.success(request, success.format(reference=referral.reference))
        if back_to:
            return redirect(back_to)
        return redirect("triage:referral", reference=referral.reference)

    return view


referral_claim = _button(decisions.referral_claim, "You have claimed referral {reference}.")
referral_release = _button(decisions.referral_release, "Referral {reference} is back in the queue.")
referral_edt_acknowledge = _button(
    decisions.referral_edt_acknowledge,
    "Referral {reference} acknowledged by the emergency duty team.",
    back_to="triage:edt",
)


def _form_page(
    request, referral, form, *, action: str, template: str, run, success: str, extra: dict | None = None
):
    """The shared GET/POST cycle of an action form: only offered when the user's role allows the
    action in the referral's state (403 otherwise); a broken rule shows in the error summary."""
    if action not in selectors.allowed_actions(request.user, referral):
        raise NotPermitted("You cannot do this to this referral now.")
    if request.method == "POST" and form.is_valid():
        try:
            run(form)
        except DomainError as error:
            if error.status_code != 400:
                raise
            form.add_error(None, error.message)
        else:
            messages.success(request, success)
            return redirect("triage:referral", reference=referral.reference)
    return render(request, template, {"referral": referral, "form": form, **(extra or {})})


@login_required
@require_http_methods(["GET", "POST"])
def referral_reassign(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_referral(request.user, reference)
    return _form_page(
        request,
        referral,
        ReassignForm(_posted(request)),
        action="reassign",
        template="triage/referral_reassign.html",
        run=lambda f: decisions.referral_reassign(
            referral, to=f.cleaned_data["to"], reason=f.cleaned_data["reason"], by=request.user
        ),
        success="Referral reassigned.",
    )


def _reason_view(action: str, form_class, act, success: str, extra=None):
    """A page whose form is just a reason: step up, return for lack of consent. ``extra()``: more
    for the page to say."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        referral = selectors.access_referral(request.user, reference)
        return _form_page(
            request,
            referral,
            form_class(_posted(request)),
            action=action,
            template=f"triage/referral_{action}.html",
            run=lambda f: act(referral, reason=f.cleaned_data["reason"], by=request.user),
            success=success,
            extra=extra() if extra else None,
        )

    return view


referral_step_up = _reason_view(
    "step_up", StepUpForm, decisions.referral_step_up, "Referral stepped up to the MASH."
)
referral_return = _reason_view(
    "return",
    ReturnForm,
    decisions.referral_return_for_consent,
    "Referral returned: not progressed for lack of consent.",
    # The page says what returning does to the personal data (Cambridgeshire 004: nothing is kept).
    extra=lambda: {"retention_days": current_policy().no_consent_retention_days},
)


@login_required
@require_http_methods(["GET", "POST"])
def referral_cse_matrix(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_referral(request.user, reference)
    return _form_page(
        request,
        referral,
        CseMatrixForm(_posted(request)),
        action="record_cse_matrix",
        template="triage/referral_cse_matrix.html",
        run=lambda f: decisions.referral_cse_matrix_record(referral, **f.cleaned_data, by=request.user),
        success="CSE risk matrix recorded.",
        extra=selectors.cse_matrix_context(referral),
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_change_rag(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.access_referral(request.user, reference)
    decided = selectors.current_decisions(referral)
    children = [c for c in referral.children.all() if c.pk in decided]
    form = ChangeRagForm(_posted(request), children=children)
    return _form_page(
        request,
        referral,
        form,
        action="change_rag",
        template="triage/referral_change_rag.html",
        run=lambda f: decisions.referral_change_rag(
            referral,
            decision=f.decision_for(f.cleaned_data["child"]),
            reason=f.cleaned_data["reason"],
            by=request.user,
        ),
        success="Rating changed; the earlier rating is kept in the history.",
        extra={"current": decided, "children": children},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_decide(request: HttpRequest, reference: str) -> HttpResponse:
    """One form per child not yet decided, submitted together (a decision per child)."""
    referral = selectors.access_referral(request.user, reference)
    if "decide" not in selectors.allowed_actions(request.user, referral):
        raise NotPermitted("You cannot make a threshold decision on this referral now.")
    pending = selectors.children_to_decide(referral)
    data = _posted(request)
    routes = current_policy().level_of_need_routes
    forms = [
        (
            child,
            DecisionFields(data, prefix=f"child-{child.pk}", subject=str(child), level_routes=routes),
            earlier,
        )
        for child, earlier in pending
    ]
    error = ""
    if request.method == "POST" and all(form.is_valid() for _, form, _ in forms):
        try:
            decisions.referral_decide(
                referral,
                decisions=[form.decision_for(child.pk) for child, form, _ in forms],
                by=request.user,
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            error = exc.message
        else:
            messages.success(request, "Threshold decision recorded.")
            return redirect("triage:referral", reference=referral.reference)
    context = {
        "referral": referral,
        "forms": forms,
        "error": error,
    }
    step_up = selectors.step_up_awaiting_decision(referral)
    if step_up is not None:
        context.update(step_up=step_up, step_up_reason=selectors.step_up_reason(step_up))
    return render(request, "triage/referral_decide.html", context)
