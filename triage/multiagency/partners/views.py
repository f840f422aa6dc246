"""The partner portal: an agency user sees and answers only the requests addressed to their agency."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mash import audit
from mash.exceptions import DomainError, NotFound
from mash.roles import is_partner
from triage.multiagency import request_selectors as selectors
from triage.multiagency import requests as actions

from .forms import AnswerForm, DeclineForm


def _partner_only(request: HttpRequest) -> None:
    # Anyone else gets the same 404 as a request outside their agency: the portal reveals nothing.
    if not is_partner(request.user):
        raise NotFound("There is no such page.")


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _partner_only(request)
    rows = list(selectors.partner_request_list(request.user))
    audit.record_read(
        "partner_portal.list",
        actor=request.user,
        ip_address=audit.client_ip(request),
        details={"requests": [str(row.public_id) for row in rows]},
    )
    open_rows = [row for row in rows if row.is_open]
    closed_rows = [row for row in rows if not row.is_open]
    return render(request, "partners/request_list.html", {"open_rows": open_rows, "closed_rows": closed_rows})


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, public_id) -> HttpResponse:
    _partner_only(request)
    info_request = selectors.access_partner_request(request.user, public_id)
    audit.record_read(
        "partner_portal.request", actor=request.user, obj=info_request, ip_address=audit.client_ip(request)
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.information_request_answer(info_request, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your answer has been sent to the MASH.")
            return redirect("partners:request_list")
    return _detail_page(request, info_request, form, DeclineForm(), status=400 if form.errors else 200)


@login_required
@require_POST
def request_decline(request: HttpRequest, public_id) -> HttpResponse:
    _partner_only(request)
    info_request = selectors.access_partner_request(request.user, public_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            actions.information_request_decline(
                info_request, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "You have declined the request.")
            return redirect("partners:request_list")
    audit.record_read(
        "partner_portal.request", actor=request.user, obj=info_request, ip_address=audit.client_ip(request)
    )
    return _detail_page(request, info_request, AnswerForm(), form, status=400)


def _detail_page(request, info_request, answer_form, decline_form, *, status: int) -> HttpResponse:
    # Both forms share the page's one error summary, each error linked to its own control.
    context = {
        "req": info_request,
        "form": answer_form,
        "decline_form": decline_form,
        "answer_forms": [answer_form, decline_form],
    }
    return render(request, "partners/request_detail.html", context, status=status)
