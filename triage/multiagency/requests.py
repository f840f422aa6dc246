"""Every write of an information request: send, chase, decline, answer.

Each action is one transaction: the referral (or request) row is locked, the move is checked, the
change, its deadline and an audit row are written together, and e-mails go through the outbox.
E-mails to agencies never carry a child's details: they point at the partner portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from mash import audit
from mash.actor import Actor
from mash.codes import LawfulBasis
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.links import absolute_url
from mash.outbox.delivery import outbox_enqueue
from mash.roles import is_mash_staff
from mash.templatetags.govuk import govuk_datetime
from referrals.models import Referral
from referrals.states import Status
from triage import deadlines
from triage.actions import referral_lock, referral_transition
from triage.models import Deadline, PolicyVersion
from triage.multiagency.models import InformationRequest, PartnerAccess
from triage.multiagency.partner_links import partner_link_issue
from triage.permissions import require_role, require_state
from triage.policy import due_at, policy_for
from triage.policy_shapes import PARTNER_SHARE_ITEMS


def partner_due_at(referral: Referral, *, start: datetime, policy: PolicyVersion) -> datetime:
    timescale = (policy.partner_timescales or {}).get(referral.rag)
    if not timescale:
        raise InvalidInput(
            f"The policy sets no partner response time for {referral.get_rag_display()} referrals."
        )
    return due_at(policy, timescale, start)


def information_requests_send(
    referral: Referral,
    *,
    agencies: Iterable[Agency],
    question: str,
    lawful_basis: str,
    by: Actor,
    now: datetime | None = None,
) -> list[InformationRequest]:
    """Ask each of ``agencies`` the same question about ``referral``.

    Requires: what ``triage.permissions`` allows for "request_information" (a MASH lead; a Red or
    Amber referral that is decided or being gathered or discussed); a question; a lawful basis from
    LawfulBasis; no open request to the same agency.
    Causes: one request per agency due by the policy's partner timescale for the RAG, carrying
    what the policy shares beyond the people and the question (``shared_items``), with a
    PARTNER_RESPONSE deadline ("informationrequest:<id>"); the referral moves to information gathering
    if it was only decided; an audit row each; an e-mail to each agency pointing at the portal.
    """
    require_role("request_information", by)
    agencies = list(agencies)
    question = (question or "").strip()
    if not agencies:
        raise InvalidInput("Choose at least one agency.")
    if not question:
        raise InvalidInput("Enter what you are asking the agencies.")
    if lawful_basis not in LawfulBasis.values:
        raise InvalidInput("Choose the lawful basis for sharing.")
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the referral: two leads sending at once must not both open a request to one agency.
        referral = referral_lock(referral)
        require_state("request_information", referral)
        busy = set(
            referral.information_requests.filter(status__in=InformationRequest.OPEN_STATUSES).values_list(
                "agency__name", flat=True
            )
        )
        clash = sorted(busy & {agency.name for agency in agencies})
        if clash:
            raise Conflict(f"A request is already open with {', '.join(clash)}.")
        policy = policy_for(referral)
        due = partner_due_at(referral, start=now, policy=policy)
        if referral.status == Status.DECIDED:
            referral_transition(
                referral,
                to=Status.INFORMATION_GATHERING,
                by=by,
                reason="Information requested from agencies",
                policy=policy,
            )
        created = [
            _create_one(referral, agency, question, lawful_basis, due, now, policy, by) for agency in agencies
        ]
    return created


def shared_items(referral: Referral, *, policy: PolicyVersion, lawful_basis: str) -> list[dict]:
    """What the policy shares with an agency beyond the people and the question
    (``PolicyVersion.partner_shares``), as sent: one entry per item with the lawful basis it is
    shared under and its parts (``{"label", "text"}``), so the portal and the API show these and
    nothing more, and the record says what left the MASH."""
    parts = {
        "rag": lambda: [{"label": "RAG rating", "text": referral.get_rag_display()}],
        # 002's "referral information": what the referrer is worried about, not who they are.
        "referral_information": lambda: [
            {"label": label, "text": text.strip()}
            for label, text in (
                ("What the referrer is worried about", referral.concerns),
                ("Risks", referral.risks),
                ("Why now", referral.why_now),
            )
            if text.strip()
        ],
    }
    chosen = set(policy.partner_shares or ())
    return [
        {"item": item, "label": label, "lawful_basis": lawful_basis, "parts": parts[item]()}
        for item, label in PARTNER_SHARE_ITEMS.items()
        if item in chosen
    ]


def _create_one(referral, agency, question, lawful_basis, due, now, policy, by: Actor) -> InformationRequest:
    if not agency.is_active:
        raise InvalidInput(f"{agency.name} is no longer an active agency.")
    shared = shared_items(referral, policy=policy, lawful_basis=lawful_basis)
    request = InformationRequest.objects.create(
        referral=referral,
        agency=agency,
        question=question,
        lawful_basis=lawful_basis,
        shared=shared,
        requested_by=by,
        requested_at=now,
        due_at=due,
    )
    deadline = deadlines.deadline_start(
        referral,
        Deadline.Kind.PARTNER_RESPONSE,
        start=now,
        policy=policy,
        subject=request.deadline_subject,
        by=by,
    )
    # The deadline module is the one authority on due times; the request keeps a link and a copy.
    request.deadline, request.due_at = deadline, deadline.due_at
    request.save(update_fields=["deadline", "due_at"])
    audit.record_write(
        "information_request.send",
        actor=by,
        obj=request,
        reason=question,
        details={
            "agency": agency.slug,
            "lawful_basis": lawful_basis,
            "due_at": request.due_at.isoformat(),
            # Each item shared beyond the people and the question, with its basis (the values are
            # on the request; the audit log keeps no copy of the child's details).
            "shared": [{"item": entry["item"], "lawful_basis": entry["lawful_basis"]} for entry in shared],
            "policy_version": policy.pk,
        },
    )
    _email_agency(
        request,
        key=f"inforequest:{request.pk}:sent",
        subject="New MASH information request",
        reason=PartnerAccess.Reason.SENT,
        by=by,
    )
    return request


def _email_agency(request: InformationRequest, *, key: str, subject: str, reason: str, by: Actor) -> None:
    """The request's e-mail: with a one-time link to answer without an account where the request
    may have one (``partner_links``), else pointing at the portal only."""
    if not request.agency.email:
        return
    if partner_link_issue(request, reason=reason, by=by, key=key) is not None:
        return
    link = absolute_url("partners:request_detail", public_id=request.public_id)
    due = govuk_datetime(request.due_at)
    body = (
        "The MASH has asked your agency for information.\n\n"
        f"Please answer in the partner portal by {due}: {link}\n\n"
        "Details of the people concerned are shown only in the portal."
    )
    outbox_enqueue(
        "email",
        key=key,
        referral=request.referral,
        payload={"to": request.agency.email, "subject": subject, "body": body},
    )


def request_lock_open(request: InformationRequest) -> InformationRequest:
    request = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "referral")
        .get(pk=request.pk)
    )
    if not request.is_open:
        raise Conflict(f"This request has already been {request.get_status_display().lower()}.")
    return request


def information_request_chase(
    request: InformationRequest, *, by: Actor, now: datetime | None = None
) -> InformationRequest:
    """Remind the agency of an open request.

    Requires: MASH staff; the request still open. Causes: status chased, the chase counted and
    stamped, an audit row, an e-mail to the agency (one per chase). The due time is unchanged.
    """
    if not is_mash_staff(by):
        raise NotPermitted("Only MASH staff can chase a request.")
    now = now or timezone.now()
    with transaction.atomic():
        request = request_lock_open(request)
        request.status = InformationRequest.Status.CHASED
        request.chase_count += 1
        request.chased_at = now
        request.save(update_fields=["status", "chase_count", "chased_at"])
        audit.record_write(
            "information_request.chase", actor=by, obj=request, details={"chase": request.chase_count}
        )
        _email_agency(
            request,
            key=f"inforequest:{request.pk}:chase:{request.chase_count}",
            subject="Reminder: MASH information request",
            reason=PartnerAccess.Reason.CHASED,
            by=by,
        )
    return request


def _check_partner(request: InformationRequest, by: Actor) -> None:
    # Callers reach the request through partner_requests_visible_to; this guards direct use too.
    if not by.agencies.filter(pk=request.agency_id).exists():
        raise NotPermitted("Only the agency the request is addressed to can respond to it.")


def information_request_decline(
    request: InformationRequest, *, reason: str, by: Actor, now: datetime | None = None
) -> InformationRequest:
    """The agency declines to share. Requires: a member of the agency; a reason; an open request.
    Causes: status declined with the reason, the partner deadline met, an audit row."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Enter why your agency is declining.")
    now = now or timezone.now()
    with transaction.atomic():
        request = request_lock_open(request)
        _check_partner(request, by)
        request.status = InformationRequest.Status.DECLINED
        request.declined_reason, request.declined_at, request.declined_by = reason, now, by
        request.save(update_fields=["status", "declined_reason", "declined_at", "declined_by"])
        deadlines.deadline_meet(
            request.referral, Deadline.Kind.PARTNER_RESPONSE, subject=request.deadline_subject, at=now, by=by
        )
        audit.record_write("information_request.decline", actor=by, obj=request, reason=reason)
    return request


def information_request_answer(
    request: InformationRequest,
    *,
    known: str,
    summary: str,
    risk_indicators: Iterable[str],
    date_checked: date,
    free_text: str = "",
    by: Actor,
    now: datetime | None = None,
) -> InformationRequest:
    """The agency's structured answer. Requires: a member of the agency; an open request; known or
    not known; a summary when known; indicators from the list; a check date not in the future.
    Causes: status answered, the partner deadline met, an audit row."""
    now = now or timezone.now()
    indicators = list(dict.fromkeys(risk_indicators))
    _validate_answer(known, summary, indicators, date_checked, now)
    with transaction.atomic():
        request = request_lock_open(request)
        _check_partner(request, by)
        return answer_record(
            request,
            known=known,
            summary=summary,
            risk_indicators=indicators,
            date_checked=date_checked,
            free_text=free_text,
            by=by,
            now=now,
        )


def answer_record(
    request: InformationRequest,
    *,
    known: str,
    summary: str,
    risk_indicators: list[str],
    date_checked: date,
    free_text: str,
    by: Actor,
    now: datetime,
) -> InformationRequest:
    """Write a checked answer to a request locked open by the caller (the portal's action above, or
    a one-time link's in ``partner_access``): status answered, the partner deadline met, an audit
    row. ``answered_by`` is the signed-in user, or empty for a link (its audit row names the address)."""
    _validate_answer(known, summary, risk_indicators, date_checked, now)
    request.status = InformationRequest.Status.ANSWERED
    request.known, request.summary, request.risk_indicators = known, summary.strip(), risk_indicators
    request.date_checked, request.free_text = date_checked, (free_text or "").strip()
    request.answered_by = by if getattr(by, "is_authenticated", False) else None
    request.answered_at = now
    request.save()
    deadlines.deadline_meet(
        request.referral, Deadline.Kind.PARTNER_RESPONSE, subject=request.deadline_subject, at=now, by=by
    )
    audit.record_write(
        "information_request.answer",
        actor=by,
        obj=request,
        details={"known": known, "risk_indicators": risk_indicators},
    )
    return request


def _validate_answer(
    known: str, summary: str, indicators: list[str], date_checked: date | None, now: datetime
) -> None:
    if known not in InformationRequest.Known.values:
        raise InvalidInput("Say whether the people are known to your agency.")
    if known == InformationRequest.Known.KNOWN and not (summary or "").strip():
        raise InvalidInput("Summarise what your agency knows.")
    unknown = set(indicators) - set(InformationRequest.RiskIndicator.values)
    if unknown:
        raise InvalidInput(f"Unknown risk indicators: {', '.join(sorted(unknown))}.")
    if date_checked is None:
        raise InvalidInput("Enter the date your records were checked.")
    if date_checked > timezone.localdate(now):
        raise InvalidInput("The date checked cannot be in the future.")
