"""Person index pages: the known-child check, a person's chronology, merging and unmerging.

Thin: validate, access (selectors), act (actions), redirect. A DomainError from an action on a form
page goes into the form's error summary; others are rendered by DomainErrorMiddleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mash import audit
from mash.exceptions import DomainError, NotFound

from . import actions, selectors
from .forms import MatchDecisionForm, MergeForm, ReasonForm


def _referral(request: HttpRequest, reference: str):
    return selectors.access_referral_for_check(request.user, reference)


@login_required
@require_GET
def known_child_check(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _referral(request, reference)
    return _check_page(request, referral)


def _match_form(kind: str, subject, person_id: int, data=None) -> MatchDecisionForm:
    return MatchDecisionForm(
        data,
        prefix=MatchDecisionForm.prefix_for(kind, subject.pk, person_id),
        subject=str(subject),
        record=person_id,
    )


def _check_page(request: HttpRequest, referral, bound: MatchDecisionForm | None = None) -> HttpResponse:
    """The check, with an answer form for every candidate; ``bound`` (an answer refused) keeps what
    was entered and its messages, in the page's one error summary."""
    checks = selectors.known_child_check(request.user, referral, ip_address=audit.client_ip(request))
    forms = []
    for check in checks:
        for candidate in check.candidates:
            form = _match_form(check.kind, check.subject, candidate.person.pk)
            if bound is not None and bound.prefix == form.prefix:
                form = bound
            candidate.form = form
            forms.append(form)
    # An answer refused for a candidate no longer offered (linked or rejected meanwhile) has no form
    # on the page to show it in: the summary says it on its own.
    unplaced = bound is not None and bound not in forms
    return render(
        request,
        "person_index/referral_check.html",
        {
            "referral": referral,
            "checks": checks,
            "forms": forms,
            "error": " ".join(bound.non_field_errors()) if unplaced else "",
            "has_errors": bound is not None,
            "rereferral": selectors.rereferral_for(referral),
        },
        status=400 if bound is not None else 200,
    )


@login_required
@require_POST
def match_decide(
    request: HttpRequest, reference: str, kind: str, subject_id: int, person_id: int
) -> HttpResponse:
    referral = _referral(request, reference)
    subject = selectors.access_subject(referral, kind, subject_id)
    person = selectors.access_person(request.user, person_id)
    form = _match_form(kind, subject, person.pk, request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "confirm":
                result = actions.match_confirm(
                    referral, subject, person, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    f"{subject.full_name} linked to index record {person.pk}. "
                    + (result.note if result.routed else ""),
                )
            else:
                actions.match_reject(
                    referral, subject, person, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, f"Record {person.pk} will not be offered again for {subject.full_name}."
                )
            return redirect("person_index:known_child_check", reference=referral.reference)
        except DomainError as error:
            form.add_error(None, error.message)
    return _check_page(request, referral, bound=form)


@login_required
@require_GET
def person_chronology(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.access_person(request.user, person_id)
    entries = selectors.person_chronology(request.user, person, ip_address=audit.client_ip(request))
    return render(
        request,
        "person_index/person_chronology.html",
        {
            "person": person,
            "entries": entries,
            "merges": selectors.live_merges(person),
            "can_merge": _is_lead(request.user),
        },
    )


def _is_lead(user) -> bool:
    try:
        selectors.require_mash_lead(user)
    except DomainError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_mash_lead(request.user)
    survivor = selectors.access_person(request.user, person_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = selectors.person_by_identifier(form.cleaned_data["other"])
        try:
            if other is None:
                raise NotFound("There is no index record with that number.")
            actions.person_merge(survivor, other, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Record {other.pk} merged into record {survivor.pk}.")
            return redirect("person_index:person_chronology", person_id=survivor.pk)
        except DomainError as error:
            form.add_error("other", error.message)
    return render(
        request,
        "person_index/person_merge.html",
        {"person": survivor, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = selectors.access_merge(request.user, merge_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.person_unmerge(merge, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Record {merge.merged_id} stands on its own again.")
            return redirect(reverse("person_index:person_chronology", args=[merge.survivor_id]))
        except DomainError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "person_index/person_unmerge.html",
        {"merge": merge, "form": form},
        status=400 if form.errors else 200,
    )
