"""Pages for the statutory items after allocation: the child's assessments, S47 enquiries and
closure. For the allocated worker and the team's manager only (anyone else: 404).

Thin: access through ``statutory_selectors``, an audited read, a form, one action, a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form, ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from mash import audit
from referrals.models import Referral
from referrals.states import Status
from triage.casework import actions as casework
from triage.casework import selectors as selectors
from triage.casework import selectors_census
from triage.casework.forms import (
    AssessmentAuthoriseForm,
    AssessmentStartForm,
    CinCloseForm,
    IcpcForm,
    OversightForm,
    S47StartForm,
)
from triage.casework.oversight import oversight_record
from triage.casework.oversight_selectors import oversight_clock, oversight_notes
from triage.multiagency import actions as multiagency
from triage.multiagency import strategy, strategy_selectors
from triage.multiagency.forms import StrategyDecisionForm, StrategyDiscussionForm
from triage.multiagency.views import _act, _posted
from triage.permissions import allows


def _open(request: HttpRequest, reference: str, action: str):
    referral = selectors.access_allocated_referral(request.user, reference)
    audit.record_read(action, actor=request.user, obj=referral, ip_address=audit.client_ip(request))
    return referral


@dataclass(frozen=True)
class _Step:
    """One recording page: its read audit action, its form, its action, and what it says; ``nothing``
    is what it says instead of the form when its first question (which child, plan or conference) has
    no answer to offer on this referral."""

    read: str
    title: str
    done: str
    form: Callable[[Referral, Any], Form]
    act: Callable[[Referral, dict, Any], Any]
    nothing: str = ""


STEPS = {
    "assessment_start": _Step(
        "triage.assessment_start_view",
        "Start an assessment",
        "The assessment has been started.",
        lambda r, data: AssessmentStartForm(data, children=selectors.open_children(r)),
        lambda r, fields, by: casework.assessment_start(r, by=by, **fields),
    ),
    "assessment_authorise": _Step(
        "triage.assessment_authorise_view",
        "Authorise an assessment",
        "The assessment has been authorised.",
        lambda r, data: AssessmentAuthoriseForm(data, assessments=selectors.open_assessments(r)),
        lambda r, fields, by: casework.assessment_authorise(by=by, **fields),
    ),
    "s47_start": _Step(
        "triage.s47_start_view",
        "Start a section 47 enquiry",
        "The section 47 enquiry has been started.",
        lambda r, data: S47StartForm(data, children=selectors.open_children(r)),
        lambda r, fields, by: casework.s47_start(r, by=by, **fields),
    ),
    "icpc_record": _Step(
        "triage.icpc_view",
        "Record the initial child protection conference",
        "The initial conference has been recorded.",
        lambda r, data: IcpcForm(data, enquiries=selectors.open_enquiries(r)),
        lambda r, fields, by: casework.icpc_record(by=by, **fields),
    ),
    "cin_close": _Step(
        "triage.cin_close_view",
        "Close a child in need episode",
        "The episode has been closed.",
        lambda r, data: CinCloseForm(data, children=selectors.open_children(r)),
        lambda r, fields, by: casework.cin_close(r, by=by, **fields),
    ),
    # The team's manager: management oversight (004: every 10 working days) and, once allocated, the
    # strategy discussion (004: the assessment team considers one and holds it within 24 hours).
    "oversight_record": _Step(
        "triage.oversight_view",
        "Record management oversight",
        "The management oversight has been recorded: the next one is due in the policy's working days.",
        lambda r, data: OversightForm(data),
        lambda r, fields, by: oversight_record(r, by=by, **fields),
    ),
    "strategy_decide": _Step(
        "triage.strategy_discussion_view",
        "Decide to hold a strategy discussion",
        "The strategy discussion is to be held: the invitations have been sent.",
        lambda r, data: StrategyDecisionForm(data),
        lambda r, fields, by: strategy.strategy_discussion_decide(r, by=by, **fields),
    ),
    "strategy_record": _Step(
        "triage.strategy_discussion_view",
        "Record the strategy discussion",
        "The strategy discussion has been recorded.",
        lambda r, data: StrategyDiscussionForm(data),
        lambda r, fields, by: multiagency.strategy_discussion_record(r, by=by, **fields),
    ),
}


def _nothing_to_choose(form: Form) -> bool:
    """Whether the form's first question (which child, plan or conference) has no answer to offer."""
    chooser = next((f for f in form.fields.values() if isinstance(f, ModelChoiceField)), None)
    return chooser is not None and not chooser.queryset.exists()


def step_page(name: str, step: _Step) -> Callable[..., HttpResponse]:
    """The page for one recording step (of this table or the census one): the form on GET, the
    action on POST (then the record)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        referral = _open(request, reference, step.read)
        form = step.form(referral, _posted(request))
        if step.nothing and _nothing_to_choose(form):
            context = {"referral": referral, "title": step.title, "nothing": step.nothing}
            return render(
                request, "casework/nothing.html", context, status=400 if request.method == "POST" else 200
            )
        if request.method == "POST" and _act(
            form, lambda: step.act(referral, form.cleaned_data, request.user)
        ):
            messages.success(request, step.done)
            return redirect("casework:record", reference=referral.reference)
        context = {"referral": referral, "form": form, "title": step.title}
        return render(request, "casework/form.html", context, status=400 if form.errors else 200)

    view.__name__ = view.__qualname__ = f"{name}_page"
    return view


@login_required
@require_GET
def record_page(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _open(request, reference, "triage.statutory_view")
    context = {
        "referral": referral,
        "rows": selectors.statutory_record(referral),
        "census_rows": selectors_census.census_record(referral),
        "can_record": referral.status == Status.ALLOCATED,
        "oversight_due": oversight_clock(referral),
        "oversights": oversight_notes(referral),
        "can_oversee": allows("record_oversight", request.user, referral),
        "can_decide_strategy": allows("decide_strategy_discussion", request.user, referral),
        "can_record_strategy": allows("strategy_discussion", request.user, referral),
        "strategy": getattr(referral, "strategy_discussion", None),
        **strategy_selectors.strategy_record(referral),
    }
    return render(request, "casework/record.html", context)
