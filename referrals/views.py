"""The online referral form (public and staff routes) and the advice-only consultation page.

One topic per page; answers live in the session (``referrals.wizard``) until the referrer checks
them and submits. No personal data and no reference ever appears in a URL.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from mash import audit
from mash.exceptions import NotPermitted
from mash.roles import MASH_STAFF_ROLES

from . import answers
from .actions import consultation_record, referral_submit
from .forms import (
    YES,
    AnotherForm,
    ConsultationForm,
    StaffChannelForm,
)
from .intake import IntakeInvalid, clean_intake, form_class_for
from .models import Referral
from .people_pages import PEOPLE
from .selectors import (
    ServiceStatus,
    consultation_line,
    consultations_between,
    out_of_hours_notice,
    referral_for_confirmation,
    service_statuses,
)
from .wizard import Wizard, form_data, submitted

# The topics asked one per page, by URL name; the people pages sit between referrer and concern.
TOPIC_NEXT = {
    "route": "referrals:referrer",
    "referrer": "referrals:children",
    "concern": "referrals:support",
    "support": "referrals:voices",
    "voices": "referrals:consent",
    "consent": "referrals:check",
}


def _rate_of_referrals(group, request) -> str:
    return settings.REFERRAL_RATE_LIMIT


def sending_refused(request: HttpRequest) -> bool:
    """True when this client address has sent more referrals than the limit allows.

    Only a referral sent counts, never a page of the form (one two-child referral is about fifteen
    posts, and a school or hospital shares one address), so a referrer is never stopped part way;
    refused, the answers stay in the session to send a minute later. Staff recording a referral
    (signed in with a second factor) are not counted."""
    if is_intake_staff(request.user):
        return False
    return is_ratelimited(
        request, group="referrals:sent", key="ip", rate=_rate_of_referrals, method="POST", increment=True
    )


def is_intake_staff(user) -> bool:
    return user.is_authenticated and user.has_role(*MASH_STAFF_ROLES)


def _wizard_or_start(request: HttpRequest) -> Wizard | None:
    wizard = Wizard(request.session)
    return wizard if wizard.active else None


# Where each page's "Back" link goes (GOV.UK back link; works without JavaScript).
BACK = {
    "route": "referrals:start",
    "referrer": "referrals:route",
    "children": "referrals:referrer",
    "children_person": "referrals:children",
    "adults": "referrals:children",
    "adults_person": "referrals:adults",
    "concern": "referrals:adults",
    "support": "referrals:concern",
    "voices": "referrals:support",
    "consent": "referrals:voices",
    "check": "referrals:consent",
}


def _back(request: HttpRequest, page: str) -> str:
    return reverse("referrals:check" if request.GET.get("change") else BACK[page])


def _posted(request: HttpRequest):
    """The POST data, even when empty (an empty form must still show its errors)."""
    return request.POST if request.method == "POST" else None


def _after_change_of_route(request: HttpRequest) -> HttpResponse:
    """The questions about the referrer are asked again; from the check page, straight back to it."""
    suffix = "?change=1" if request.GET.get("change") else ""
    return redirect(f"{reverse('referrals:referrer')}{suffix}")


def _after(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the check page when the referrer came from a change link, else on to the next page."""
    return redirect("referrals:check" if request.GET.get("change") else default)


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        Wizard.begin(request.session, channel=Referral.Channel.ONLINE)
        return redirect("referrals:route")
    now = timezone.now()
    return render(
        request,
        "referrals/referral_start.html",
        {"out_of_hours": out_of_hours_notice(now), "services": _services(now)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_start(request: HttpRequest) -> HttpResponse:
    """Staff recording a referral taken by telephone or e-mail, through the same pages."""
    if not is_intake_staff(request.user):
        raise NotPermitted("Only screening officers and MASH leads can record referrals.")
    form = StaffChannelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        Wizard.begin(request.session, channel=form.cleaned_data["channel"], recorded_by=request.user.pk)
        return redirect("referrals:route")
    return render(request, "referrals/referral_record.html", {"form": form, "heading": "Record a referral"})


@require_http_methods(["GET", "POST"])
def topic(request: HttpRequest, topic: str) -> HttpResponse:
    wizard = _wizard_or_start(request)
    if wizard is None:
        return redirect("referrals:start")
    if topic != "route" and wizard.referrer_type is None:
        return redirect("referrals:route")
    form_class = form_class_for(topic, wizard.referrer_type)
    saved = wizard.answers(topic)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            changed_route = topic == "route" and saved and saved != form_data(form, request.POST)
            wizard.save_answers(topic, form_data(form, request.POST))
            if changed_route:  # the other route asks different questions about the referrer
                wizard.forget("referrer")
                return _after_change_of_route(request)
            return _after(request, TOPIC_NEXT[topic])
    else:
        form = form_class(saved) if saved else form_class()
    template = f"referrals/referral_{topic}.html" if topic == "consent" else "referrals/referral_step.html"
    return render(
        request,
        template,
        {"form": form, "wizard": wizard, "heading": form.title, "back_url": _back(request, topic)},
    )


@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, kind: str) -> HttpResponse:
    """The children (or adults) added so far, and 'do you need to add another?'."""
    wizard = _wizard_or_start(request)
    if wizard is None:
        return redirect("referrals:start")
    config = PEOPLE[kind]
    entries = wizard.people(kind)
    if kind == "children" and not entries:
        return redirect("referrals:children_add")
    what = f"another {config['singular']}" if entries else config["first"]
    form = AnotherForm(
        _posted(request),
        question=f"Do you need to add {what}?",
        required=f"Select yes if you need to add {what}",
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["add_another"] == YES and len(entries) < config["limit"]:
            suffix = "?change=1" if request.GET.get("change") else ""
            return redirect(f"{reverse(f'referrals:{kind}_add')}{suffix}")
        return _after(request, config["next"])
    rows = [answers.person_name(kind, entry, index) for index, entry in enumerate(entries)]
    return render(
        request,
        "referrals/referral_people.html",
        {
            "form": form,
            "kind": kind,
            "rows": rows,
            "full": len(entries) >= config["limit"],
            "limit": config["limit"],
            "back_url": _back(request, kind),
        },
    )


@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, kind: str, index: int | None = None) -> HttpResponse:
    """Add a child or adult, or change one already added (by position in this session's list)."""
    wizard = _wizard_or_start(request)
    if wizard is None:
        return redirect("referrals:start")
    config = PEOPLE[kind]
    saved = wizard.person(kind, index) if index is not None else {}
    if saved is None or (index is None and len(wizard.people(kind)) >= config["limit"]):
        return redirect(f"referrals:{kind}")
    number = index + 1 if index is not None else len(wizard.people(kind)) + 1
    if request.method == "POST":
        form = config["form"](request.POST, number=number)
        if form.is_valid():
            wizard.save_person(kind, index, form_data(form, request.POST))
            return _after(request, f"referrals:{kind}")
    else:
        form = config["form"](saved or None, number=number)
    context = {
        "form": form,
        "wizard": wizard,
        "heading": form.title,
        "caption": f"{config['singular'].capitalize()} {number}",
        "back_url": _back(request, f"{kind}_person"),
    }
    return render(request, "referrals/referral_person.html", context)


@require_POST
def person_remove(request: HttpRequest, kind: str, index: int) -> HttpResponse:
    wizard = _wizard_or_start(request)
    if wizard is None:
        return redirect("referrals:start")
    wizard.remove_person(kind, index)
    return redirect(f"referrals:{kind}")


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Check your answers, then submit. A double click or a second submit finds the first referral."""
    done = submitted(request.session)
    if request.method == "POST" and done and request.POST.get("idempotency_key") == done["key"]:
        return redirect("referrals:confirmation")
    wizard = _wizard_or_start(request)
    if wizard is None:
        return redirect("referrals:start")
    try:
        data = clean_intake(wizard.raw())
    except IntakeInvalid as problems:
        return redirect(answers.url_for_problem(problems.topics[0]))
    if request.method == "POST":
        if request.POST.get("idempotency_key") != wizard.key:
            return redirect("referrals:check")  # an old page from another form: show the current answers
        by = _submitter(request, wizard)
        if sending_refused(request):
            return render(request, "referrals/referral_rate_limited.html", status=429)
        referral = referral_submit(
            data,
            by=by,
            channel=wizard.channel,
            idempotency_key=f"web:{wizard.key}",
            ip_address=audit.client_ip(request),
        )
        wizard.finish(referral.pk)
        return redirect("referrals:confirmation")
    sections = answers.sections(wizard)
    return render(
        request,
        "referrals/referral_check.html",
        {"sections": sections, "wizard": wizard, "back_url": reverse(BACK["check"])},
    )


def _submitter(request: HttpRequest, wizard: Wizard):
    if wizard.channel == Referral.Channel.ONLINE:
        return request.user if is_intake_staff(request.user) else audit.PUBLIC
    # Recorded by staff: only the officer who started it, and only while they are still staff.
    if not (is_intake_staff(request.user) and request.user.pk == wizard.recorded_by):
        raise NotPermitted("Only the officer who started recording this referral can submit it.")
    return request.user


@require_GET
def confirmation(request: HttpRequest) -> HttpResponse:
    done = submitted(request.session)
    referral = referral_for_confirmation(done["id"]) if done else None
    if referral is None:
        return redirect("referrals:start")
    return render(
        request,
        "referrals/referral_confirmation.html",
        {"referral": referral, "out_of_hours": out_of_hours_notice(timezone.now())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest) -> HttpResponse:
    """Record a call for advice only: it is not a referral and is counted separately."""
    if not is_intake_staff(request.user):
        raise NotPermitted("Only screening officers and MASH leads can record consultations.")
    form = ConsultationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        recorded = consultation_record(form.cleaned_data, by=request.user)
        now = timezone.localtime()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        count = consultations_between(month_start, now + timedelta(seconds=1)).count()
        context = {"month_count": count, "consultation": recorded, "line": consultation_line(now)}
        return render(request, "referrals/consultation_recorded.html", context)
    now = timezone.now()
    context = {"form": form, "heading": "Record a consultation", "services": _services(now)}
    return render(request, "referrals/consultation_create.html", context)


def _services(now) -> list[tuple[ServiceStatus, str]]:
    """The council's services with their own hours, each with its "open now / opens at" words."""
    today = timezone.localdate(now)
    return [(service, service.now_text(today)) for service in service_statuses(now)]
