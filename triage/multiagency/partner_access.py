"""Partner sign-in without a council account: a one-time link, a code e-mailed to the request's
address, then a short session that opens that one request only (docs/partner-sign-in.md).

The steps, each audited with the link's address as the actor and the client's address:

1. The link (``partner_links``) opens a page asking for the address the request was sent to. Only
   that address gets a code; another address changes nothing, and the page says the same either way.
2. The code (six digits, PARTNER_CODE_MINUTES, PARTNER_CODE_ATTEMPTS wrong tries, at most
   PARTNER_CODES_PER_LINK per link) starts a session of PARTNER_SESSION_MINUTES for this link only.
3. The answer spends the link; a later use says it was used.

Refusals are recorded after the transaction that found them, so a refused step leaves its audit row
and its counted failure but changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from mash import audit
from mash.actor import Actor
from mash.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from mash.roles import is_mash_staff
from referrals.restricted import is_restricted
from triage.multiagency.models import InformationRequest, PartnerAccess
from triage.multiagency.partner_links import (
    code_for,
    may_have_link,
    partner_code_enqueue,
    partner_link_issue,
    token_hash,
)
from triage.multiagency.request_selectors import partner_request_by_pk
from triage.multiagency.requests import answer_record, request_lock_open

SESSION_KEY = "partner_access"


@dataclass(frozen=True)
class Refusal:
    action: str
    message: str
    details: dict | None = None


def actor_label(access: PartnerAccess) -> str:
    """How the audit log names whoever holds the link: the address it was sent to."""
    return f"partner-link:{access.email}"[:150]


# --- reads ----------------------------------------------------------------------------------


def access_for_token(token: str) -> PartnerAccess:
    """The link's row; NotFound for a token that is no link (never saying whether one was)."""
    try:
        return PartnerAccess.objects.select_related("request__agency", "request__referral").get(
            token_hash=token_hash(token or "")
        )
    except PartnerAccess.DoesNotExist:
        raise NotFound("This link is not recognised. Check you copied all of it from the e-mail.") from None


def closed_reason(access: PartnerAccess, now: datetime | None = None) -> str:
    """Why the link no longer opens anything, in words for its holder ("" while it works)."""
    now = now or timezone.now()
    if access.spent_at:
        return "This link has already been used to answer the request. It cannot be used again."
    if access.revoked_at:
        return "A newer link has been sent for this request. Use the link in the latest e-mail from the MASH."
    if not access.request.is_open:
        return f"This request has already been {access.request.get_status_display().lower()}."
    if access.expires_at <= now:
        return "This link has expired. Contact the MASH and ask them to send a new link."
    if is_restricted(access.request.referral_id):
        return "This link no longer works. Contact the MASH."
    return ""


def signed_in_access(session: Any, token: str, now: datetime | None = None) -> PartnerAccess:
    """The link's row when this session signed in with it, within the session's time, and the link
    still works. Anything else is NotPermitted: the pages send the holder back to the code step."""
    now = now or timezone.now()
    access = access_for_token(token)
    held = session.get(SESSION_KEY) or {}
    if held.get("access") != access.pk or held.get("until", 0) <= now.timestamp():
        raise NotPermitted("Sign in with the code we e-mail you to see this request.")
    reason = closed_reason(access, now)
    if reason:
        raise Conflict(reason)
    return access


def session_sign_in(session: Any, access: PartnerAccess, now: datetime | None = None) -> None:
    """Scope the browser's session to this one link for PARTNER_SESSION_MINUTES (a new session key,
    so a key set before the code cannot be carried over)."""
    now = now or timezone.now()
    session.cycle_key()
    until = now + timedelta(minutes=settings.PARTNER_SESSION_MINUTES)
    session[SESSION_KEY] = {"access": access.pk, "until": until.timestamp()}


def session_sign_out(session: Any) -> None:
    session.pop(SESSION_KEY, None)


def partner_request_view(access: PartnerAccess, *, ip_address: str | None) -> InformationRequest:
    """The one request the link opens, with what a partner may see of it only; the read audited."""
    request = partner_request_by_pk(access.request_id)
    audit.record_read(
        "partner_access.request_view",
        actor=actor_label(access),
        obj=request,
        ip_address=ip_address,
        details={"link": access.pk},
    )
    return request


# --- writes ---------------------------------------------------------------------------------


def _lock(access: PartnerAccess) -> PartnerAccess:
    return (
        PartnerAccess.objects.select_for_update(of=("self",))
        .select_related("request__agency", "request__referral")
        .get(pk=access.pk)
    )


def _refuse(access: PartnerAccess, refusal: Refusal, *, ip_address: str | None, error=InvalidInput):
    audit.record_write(
        f"partner_access.{refusal.action}",
        actor=actor_label(access),
        obj=access,
        referral_id=access.request.referral_id,
        reason=refusal.message,
        details=refusal.details,
        ip_address=ip_address,
    )
    raise error(refusal.message)


def partner_link_open(access: PartnerAccess, *, ip_address: str | None, now: datetime | None = None) -> None:
    """Record that the link was opened; Conflict, recorded too, when it no longer works."""
    reason = closed_reason(access, now)
    if reason:
        _refuse(access, Refusal("link_closed", reason), ip_address=ip_address, error=Conflict)
    audit.record_read(
        "partner_access.link_open",
        actor=actor_label(access),
        obj=access,
        referral_id=access.request.referral_id,
        ip_address=ip_address,
    )


def partner_code_request(
    access: PartnerAccess, *, email: str, ip_address: str | None, now: datetime | None = None
) -> bool:
    """E-mail a new code if ``email`` is the address the request was sent to.

    Requires: the link working; fewer than PARTNER_CODES_PER_LINK codes sent. Causes, for the
    request's address: the code counted and timed, earlier codes of the link void, wrong tries reset,
    an audit row, the e-mail. For another address: an audit row only, and False (callers say the same
    either way, so the page tells nobody which address the MASH wrote to).
    """
    now = now or timezone.now()
    given = (email or "").strip()
    with transaction.atomic():
        access = _lock(access)
        refusal = _code_request_refusal(access, given, now)
        if refusal is None:
            access.codes_sent += 1
            access.code_sent_at, access.code_failures = now, 0
            access.save(update_fields=["codes_sent", "code_sent_at", "code_failures"])
            audit.record_write(
                "partner_access.code_send",
                actor=actor_label(access),
                obj=access,
                referral_id=access.request.referral_id,
                details={"code": access.codes_sent},
                ip_address=ip_address,
            )
            partner_code_enqueue(access)
            return True
    if refusal.action == "code_wrong_address":
        audit.record_write(
            "partner_access.code_wrong_address",
            actor=actor_label(access),
            obj=access,
            referral_id=access.request.referral_id,
            details=refusal.details,
            ip_address=ip_address,
        )
        return False
    _refuse(access, refusal, ip_address=ip_address, error=Conflict)
    return False


def _code_request_refusal(access: PartnerAccess, given: str, now: datetime) -> Refusal | None:
    reason = closed_reason(access, now)
    if reason:
        return Refusal("link_closed", reason)
    if given.casefold() != access.email.casefold():
        return Refusal("code_wrong_address", "", {"given": given[:254]})
    if access.codes_sent >= settings.PARTNER_CODES_PER_LINK:
        return Refusal(
            "code_limit",
            "No more codes can be sent for this link. Contact the MASH and ask them to send a new link.",
        )
    return None


def partner_code_verify(
    access: PartnerAccess, *, code: str, ip_address: str | None, now: datetime | None = None
) -> PartnerAccess:
    """Check the code typed against the link's newest code.

    Requires: the link working; a code sent within PARTNER_CODE_MINUTES and not used; fewer than
    PARTNER_CODE_ATTEMPTS wrong tries at it. Causes: right, the code used up, the link's sign-in
    stamped and an audit row (the caller then starts the session); wrong, the try counted and an
    audit row, and InvalidInput saying how many tries are left.
    """
    now = now or timezone.now()
    with transaction.atomic():
        access = _lock(access)
        refusal = _code_refusal(access, now)
        if refusal is None and not constant_time_compare(
            (code or "").strip(), code_for(access, access.codes_sent)
        ):
            access.code_failures += 1
            access.save(update_fields=["code_failures"])
            left = settings.PARTNER_CODE_ATTEMPTS - access.code_failures
            refusal = Refusal(
                "code_wrong",
                f"The code is not right. Check the e-mail and try again. You can try {left} more "
                f"time{'s' if left != 1 else ''}."
                if left
                else "The code is not right, and you have no tries left. Ask for a new code.",
                {"tries": access.code_failures},
            )
        elif refusal is None:
            access.code_sent_at, access.signed_in_at = None, now
            access.save(update_fields=["code_sent_at", "signed_in_at"])
            audit.record_write(
                "partner_access.sign_in",
                actor=actor_label(access),
                obj=access,
                referral_id=access.request.referral_id,
                ip_address=ip_address,
            )
            return access
    _refuse(
        access,
        refusal,
        ip_address=ip_address,
        error=Conflict if refusal.action == "link_closed" else InvalidInput,
    )
    return access


def _code_refusal(access: PartnerAccess, now: datetime) -> Refusal | None:
    reason = closed_reason(access, now)
    if reason:
        return Refusal("link_closed", reason)
    if access.code_sent_at is None:
        return Refusal("code_none", "Ask for a code first: there is no code waiting for this link.")
    if access.code_sent_at + timedelta(minutes=settings.PARTNER_CODE_MINUTES) <= now:
        return Refusal("code_expired", "The code has expired. Ask for a new code.")
    if access.code_failures >= settings.PARTNER_CODE_ATTEMPTS:
        return Refusal("code_locked", "You have typed a wrong code too many times. Ask for a new code.")
    return None


def partner_access_answer(
    access: PartnerAccess,
    *,
    known: str,
    summary: str,
    risk_indicators: list[str],
    date_checked: date,
    free_text: str = "",
    ip_address: str | None,
    now: datetime | None = None,
) -> InformationRequest:
    """The link holder's answer. Requires: the link working (signed in is the view's check); the
    request open; the answer's own rules (``requests.answer_record``). Causes: the answer written as
    the portal writes it, the link spent, an audit row."""
    now = now or timezone.now()
    with transaction.atomic():
        # The request first, then the link: the order a send, chase or resend locks them in.
        request = request_lock_open(access.request)
        access = _lock(access)
        reason = closed_reason(access, now)
        if reason:
            raise Conflict(reason)
        answer_record(
            request,
            known=known,
            summary=summary,
            risk_indicators=list(dict.fromkeys(risk_indicators)),
            date_checked=date_checked,
            free_text=free_text,
            by=actor_label(access),
            now=now,
        )
        access.spent_at = now
        access.save(update_fields=["spent_at"])
        audit.record_write(
            "partner_access.spend",
            actor=actor_label(access),
            obj=access,
            referral_id=request.referral_id,
            ip_address=ip_address,
        )
    return request


def partner_link_resend(
    request: InformationRequest, *, by: Actor, now: datetime | None = None
) -> PartnerAccess:
    """A new link for an open request, e-mailed to the agency's address (a lost or expired link).

    Requires: MASH staff (a link's holder cannot ask for one: a link goes only where the MASH sends
    it); the request open, not about a restricted referral, its agency with an address. Causes:
    earlier links revoked, the new link, an audit row, the e-mail (``partner_links``).
    """
    if not is_mash_staff(by):
        raise NotPermitted("Only MASH staff can send a new link.")
    with transaction.atomic():
        request = request_lock_open(request)
        reason = may_have_link(request)
        if reason:
            raise InvalidInput(reason)
        return partner_link_issue(request, reason=PartnerAccess.Reason.RESENT, by=by, now=now)
