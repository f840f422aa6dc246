"""The administrators' audit view: who looked at this child, and what did this user look at."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mash import audit
from mash.exceptions import NotFound
from mash.forms import GovukFormMixin
from mash.models import AuditEvent
from referrals.models import Referral, ReferralAdult, ReferralChild

from .break_glass import can_review

PAGE_SIZE = 50
READ_KINDS = (AuditEvent.Kind.READ, AuditEvent.Kind.SEARCH, AuditEvent.Kind.EXPORT)


class AuditFilterForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(label="Referral reference", required=False, max_length=20)
    person = forms.IntegerField(
        label="Person index number",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the person index number as digits, for example 1042",
            "min_value": "Enter the person index number as digits, for example 1042",
        },
    )
    username = forms.CharField(label="Username", required=False, max_length=150)
    reads_only = forms.BooleanField(label="Only reads, searches and exports", required=False)


def audit_events(
    *, reference: str = "", person: int | None = None, username: str = "", reads_only=False
) -> QuerySet:
    """Audit rows about one referral, one person (through every referral they appear in) or by one
    user. Uses the (referral_id, at), (object_type, object_id, at) and (actor, at) indexes."""

    events = AuditEvent.objects.all()
    if reference:
        referral_ids = Referral.objects.filter(reference=reference.strip().upper()).values("pk")
        events = events.filter(referral_id__in=referral_ids)
    if person:
        events = events.filter(
            Q(referral_id__in=ReferralChild.objects.filter(person_id=person).values("referral_id"))
            | Q(referral_id__in=ReferralAdult.objects.filter(person_id=person).values("referral_id"))
            | Q(object_type="referrals.Person", object_id=str(person))
        )
    if username:
        events = events.filter(actor__username=username.strip())
    if reads_only:
        events = events.filter(kind__in=READ_KINDS)
    return events.only(
        "at", "actor_label", "kind", "action", "object_type", "object_id", "referral_id", "reason"
    )


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        raise NotFound("Page not found.")
    form = AuditFilterForm(request.GET or None)
    page = None
    if form.is_valid() and any(form.cleaned_data[k] for k in ("reference", "person", "username")):
        filters = form.cleaned_data
        # Looking at the audit trail of a child is itself a read worth recording.
        audit.record(
            AuditEvent.Kind.SEARCH,
            "audit.search",
            actor=request.user,
            details={k: v for k, v in filters.items() if v not in ("", None, False)},
        )
        page = Paginator(audit_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "security/auditevent_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )
