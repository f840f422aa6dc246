"""Pages of domestic abuse triage: the next meeting's agenda, a meeting's minutes, and the MARAC
referral of a high-risk notification. Thin: validate, access (selectors), act, redirect."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from mash import audit
from mash.exceptions import DomainError, NotFound, NotPermitted
from triage import selectors as triage_selectors
from triage.policy import current_policy, policy_for

from . import actions, selectors
from .forms import MaracReferralForm, MinutesForm


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _read(request: HttpRequest, action: str, agenda: selectors.Agenda) -> None:
    audit.record_read(
        action,
        actor=request.user,
        reason="Domestic abuse triage meeting",
        details={"meeting": agenda.starts_at.isoformat(), "referrals": [i.referral_id for i in agenda.items]},
        ip_address=audit.client_ip(request),
    )


@login_required
@require_GET
def next_meeting(request: HttpRequest) -> HttpResponse:
    """The next meeting's agenda, and earlier meetings whose minutes are still to be recorded."""
    selectors.require_mash_staff(request.user)
    policy, now = current_policy(), timezone.now()
    starts = selectors.next_meeting_start(policy, now)
    agenda = selectors.agenda_for(request.user, starts) if starts else None
    if agenda is not None:
        _read(request, "triage.triage_meeting_agenda_view", agenda)
    context = {
        "policy": policy,
        "agenda": agenda,
        "agency_names": [
            selectors.AGENCY_NAMES[a] for a in (policy.domestic_abuse_meetings or {}).get("agencies", [])
        ],
        "after": selectors.meetings_from(policy, starts, 3) if starts else [],
        "to_minute": selectors.meetings_to_minute(request.user, now),
    }
    return render(request, "domestic_abuse/meeting_next.html", context)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound("There is no domestic abuse triage meeting on that day.") from None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, day: str) -> HttpResponse:
    policy = current_policy()
    starts = selectors.access_meeting_start(request.user, _day(day), policy)
    agenda = selectors.agenda_for(request.user, starts)
    _read(request, "triage.triage_meeting_minutes_view", agenda)
    meeting_policy = agenda.meeting.policy_version if agenda.meeting else policy
    agencies = list((meeting_policy.domestic_abuse_meetings or {}).get("agencies", []))
    form = MinutesForm(_posted(request), agencies=agencies, items=agenda.items)
    if request.method == "POST" and form.is_valid():
        try:
            actions.triage_meeting_minutes_record(
                starts_at=starts, attendees=form.attendees(), minutes=form.minutes(), by=request.user
            )
        except DomainError as error:
            if error.status_code != 400:
                raise
            form.add_error(None, error.message)
        else:
            messages.success(request, "Minutes recorded.")
            return redirect("domestic_abuse:minutes", day=day)
    return render(
        request,
        "domestic_abuse/meeting_minutes.html",
        {
            "agenda": agenda,
            "form": form,
            "started": timezone.now() >= starts,
            "agency_names": selectors.AGENCY_NAMES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def marac_referral(request: HttpRequest, reference: str) -> HttpResponse:
    referral = triage_selectors.access_referral(request.user, reference)
    if "refer_to_marac" not in triage_selectors.allowed_actions(request.user, referral):
        raise NotPermitted("You cannot record a MARAC referral for this referral now.")
    form = MaracReferralForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.referral_marac_record(
                referral,
                referred_on=form.cleaned_data["referred_on"],
                marac_reference=form.cleaned_data["marac_reference"],
                by=request.user,
            )
        except DomainError as error:
            if error.status_code != 400:
                raise
            form.add_error(None, error.message)
        else:
            messages.success(request, "Referral to MARAC recorded.")
            return redirect("triage:referral", reference=referral.reference)
    status = selectors.marac_status(referral, policy_for(referral))
    return render(
        request, "domestic_abuse/marac_referral.html", {"referral": referral, "form": form, "status": status}
    )
