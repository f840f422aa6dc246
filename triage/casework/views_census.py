"""Pages for the census items beside the assessment and the enquiry: the child's UPN, disabilities,
birth and death; child in need plans; child protection plans. For the allocated worker and the
team's manager only (anyone else: 404), each a form and one action, as ``triage.casework.views``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form, ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from triage.casework import actions_census as census
from triage.casework import forms_census as forms
from triage.casework import selectors_census as selectors
from triage.casework.views import _open, _Step
from triage.multiagency.views import _act, _posted

STEPS = {
    "child_identifiers": _Step(
        "triage.child_identifiers_view",
        "Record a child's UPN",
        "The UPN has been recorded.",
        lambda r, data: forms.ChildIdentifiersForm(data, children=selectors.all_children(r)),
        lambda r, fields, by: census.child_identifiers_record(by=by, **fields),
    ),
    "child_disabilities": _Step(
        "triage.child_disabilities_view",
        "Record a child's disabilities",
        "The disabilities have been recorded.",
        lambda r, data: forms.ChildDisabilitiesForm(data, children=selectors.all_children(r)),
        lambda r, fields, by: census.child_disabilities_record(by=by, **fields),
    ),
    "child_birth": _Step(
        "triage.child_birth_view",
        "Record the birth of an unborn child",
        "The birth has been recorded.",
        lambda r, data: forms.ChildBirthForm(data, children=selectors.unborn_children(r)),
        lambda r, fields, by: census.child_birth_record(by=by, **fields),
    ),
    "child_death": _Step(
        "triage.child_death_view",
        "Record the death of a child",
        "The death has been recorded.",
        lambda r, data: forms.ChildDeathForm(data, children=selectors.living_children(r)),
        lambda r, fields, by: census.child_death_record(by=by, **fields),
    ),
    "cin_plan_start": _Step(
        "triage.cin_plan_start_view",
        "Start a child in need plan",
        "The child in need plan has been started.",
        lambda r, data: forms.CinPlanStartForm(data, children=selectors.open_episode_children(r)),
        lambda r, fields, by: census.cin_plan_start(r, by=by, **fields),
    ),
    "cin_plan_review": _Step(
        "triage.cin_plan_review_view",
        "Record a child in need plan review",
        "The review has been recorded.",
        lambda r, data: forms.CinPlanReviewForm(data, plans=selectors.open_cin_plans(r)),
        lambda r, fields, by: census.cin_plan_review(by=by, **fields),
    ),
    "cin_plan_end": _Step(
        "triage.cin_plan_end_view",
        "End a child in need plan",
        "The child in need plan has ended.",
        lambda r, data: forms.CinPlanEndForm(data, plans=selectors.open_cin_plans(r)),
        lambda r, fields, by: census.cin_plan_end(by=by, **fields),
    ),
    "cp_plan_start": _Step(
        "triage.cp_plan_start_view",
        "Start a child protection plan",
        "The child protection plan has been started.",
        lambda r, data: forms.CpPlanStartForm(data, enquiries=selectors.conferences_awaiting_plan(r)),
        lambda r, fields, by: census.cp_plan_start(by=by, **fields),
    ),
    "cp_plan_review": _Step(
        "triage.cp_plan_review_view",
        "Record a child protection review conference",
        "The review conference has been recorded.",
        lambda r, data: forms.CpPlanReviewForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_review(by=by, **fields),
    ),
    "cp_plan_category": _Step(
        "triage.cp_plan_category_view",
        "Change a child protection plan's category of abuse",
        "The category of abuse has been changed.",
        lambda r, data: forms.CpPlanCategoryForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_category_change(by=by, **fields),
    ),
    "cp_plan_end": _Step(
        "triage.cp_plan_end_view",
        "End a child protection plan",
        "The child protection plan has ended.",
        lambda r, data: forms.CpPlanEndForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_end(by=by, **fields),
    ),
}


# What each page says when the referral has nothing it could be recorded for (its choice is empty).
NOTHING = {
    "child_birth": "No child of this referral is recorded as unborn.",
    "child_death": "No child of this referral is recorded as born and alive.",
    "cin_plan_start": "Every child in need episode on this referral is closed.",
    "cin_plan_review": "No child in need plan is open on this referral.",
    "cin_plan_end": "No child in need plan is open on this referral.",
    "cp_plan_start": (
        "No initial conference on this referral decided on a child protection plan that is not yet recorded."
    ),
    "cp_plan_review": "No child protection plan is open on this referral.",
    "cp_plan_category": "No child protection plan is open on this referral.",
    "cp_plan_end": "No child protection plan is open on this referral.",
}


def _nothing_to_choose(form: Form) -> bool:
    """Whether the form's first question (which child, plan or conference) has no answer to offer."""
    chooser = next((f for f in form.fields.values() if isinstance(f, ModelChoiceField)), None)
    return chooser is not None and not chooser.queryset.exists()


def census_step_page(name: str) -> Callable[..., HttpResponse]:
    """The page for one census recording step: the form on GET, the action on POST (then the record)."""
    step = STEPS[name]

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        referral = _open(request, reference, step.read)
        form = step.form(referral, _posted(request))
        if name in NOTHING and _nothing_to_choose(form):
            context = {"referral": referral, "title": step.title, "nothing": NOTHING[name]}
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
