"""One-time links to an information request, and the e-mails that carry them and their sign-in codes.

A link and its codes are derived from the row's random ``seed`` with the service's secret key
(Django's ``salted_hmac``): the database keeps the seed and the SHA-256 of the link's token, and the
outbox keeps only the row's id, so neither a copy of the database nor the outbox's payloads can be
turned into a working link or code. The e-mails are written when they are sent (the outbox handler
below), to the address stored on the row and nowhere else.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mash import audit
from mash.actor import Actor
from mash.links import absolute_url
from mash.outbox.delivery import handler, outbox_enqueue
from mash.outbox.models import OutboxMessage
from mash.templatetags.govuk import govuk_datetime
from referrals.restricted import is_restricted
from triage.multiagency.models import InformationRequest, PartnerAccess

OUTBOX_KIND = "partner_access_email"
SUBJECTS = {
    PartnerAccess.Reason.SENT: "New MASH information request",
    PartnerAccess.Reason.CHASED: "Reminder: MASH information request",
    PartnerAccess.Reason.RESENT: "Your new link to a MASH information request",
}


def _derived(access: PartnerAccess, purpose: str) -> bytes:
    return salted_hmac(
        "triage.multiagency.partner_links", f"{purpose}:{access.seed}", algorithm="sha256"
    ).digest()


def link_token(access: PartnerAccess) -> str:
    return _derived(access, "link").hex()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def code_for(access: PartnerAccess, number: int) -> str:
    """The ``number``-th code of this link: six digits, leading zeros kept."""
    value = int.from_bytes(_derived(access, f"code:{number}")[:8], "big") % 1_000_000
    return f"{value:06d}"


def link_url(access: PartnerAccess) -> str:
    return absolute_url("partner_access:start", token=link_token(access))


def may_have_link(request: InformationRequest) -> str:
    """Why this request cannot be opened by a link ("" when it can)."""
    if not request.agency.email:
        return f"{request.agency.name} has no e-mail address to send a link to."
    if not request.is_open:
        return f"This request has already been {request.get_status_display().lower()}."
    if is_restricted(request.referral_id):
        # Only the people named on a restricted referral may open it; a link names nobody.
        return "The referral is restricted: only partners named on it can see the request, in the portal."
    return ""


def partner_link_issue(
    request: InformationRequest, *, reason: str, by: Actor, key: str = "", now: datetime | None = None
) -> PartnerAccess | None:
    """A new link to ``request`` for the agency's address, e-mailed through the outbox.

    Call inside the caller's transaction with the request locked. Requires nothing more (callers
    decide who may send); returns None, sending nothing, when the request cannot have a link
    (:func:`may_have_link`). Causes: earlier links of the request revoked, the new row, an audit
    row, the e-mail (sent with the request, a chase, or a resend by MASH staff), under the outbox
    ``key`` the caller gives (the request's own e-mail's key) or one of the link's.
    """
    if may_have_link(request):
        return None
    now = now or timezone.now()
    request.partner_accesses.filter(spent_at=None, revoked_at=None).update(revoked_at=now)
    access = PartnerAccess(
        request=request,
        email=request.agency.email,
        reason=reason,
        seed=secrets.token_hex(32),
        created_at=now,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=now + timedelta(hours=settings.PARTNER_LINK_HOURS),
    )
    access.token_hash = token_hash(link_token(access))
    access.save()
    audit.record_write(
        "partner_access.link_issue",
        actor=by,
        obj=access,
        referral_id=request.referral_id,
        details={"request": str(request.public_id), "reason": reason, "to": access.email},
    )
    outbox_enqueue(
        OUTBOX_KIND,
        key=key or f"partneraccess:{access.pk}:link",
        referral=request.referral,
        payload={"access": access.pk, "what": "link"},
    )
    return access


def partner_code_enqueue(access: PartnerAccess) -> None:
    """E-mail the link's newest code (number ``codes_sent``); the caller holds the row's lock."""
    outbox_enqueue(
        OUTBOX_KIND,
        key=f"partneraccess:{access.pk}:code:{access.codes_sent}",
        referral=access.request.referral,
        payload={"access": access.pk, "what": "code", "number": access.codes_sent},
    )


def _link_body(access: PartnerAccess) -> str:
    request = access.request
    portal = absolute_url("partners:request_detail", public_id=request.public_id)
    return (
        f"The MASH has asked {request.agency.name} for information about a child.\n\n"
        f"Please answer by {govuk_datetime(request.current_due_at)}.\n\n"
        "To answer without an account, open this link:\n"
        f"{link_url(access)}\n\n"
        f"We will e-mail a 6-digit code to this address ({access.email}) to check it is you. "
        f"The link works until {govuk_datetime(access.expires_at)} and only for one answer.\n\n"
        f"If you have a partner portal account, you can answer there instead: {portal}\n\n"
        "Details of the people concerned are shown only after you sign in. Please do not forward "
        "this e-mail. If the link has stopped working, contact the MASH and ask for a new one."
    )


def _code_body(access: PartnerAccess, number: int) -> str:
    return (
        f"Your code is {code_for(access, number)}\n\n"
        f"Enter it on the page where you asked for it. It works for {settings.PARTNER_CODE_MINUTES} "
        "minutes.\n\n"
        "If you did not ask for a code, you can ignore this e-mail: nobody can sign in without it."
    )


def email_text(payload: dict) -> tuple[PartnerAccess, str, str]:
    """The row, subject and body of a link's or a code's e-mail, written from the row now."""
    access = PartnerAccess.objects.select_related("request__agency", "request__deadline").get(
        pk=payload["access"]
    )
    if payload["what"] == "code":
        return access, "Your MASH sign-in code", _code_body(access, payload["number"])
    return access, SUBJECTS[access.reason], _link_body(access)


@handler(OUTBOX_KIND)
def send_partner_access_email(message: OutboxMessage) -> None:
    """The link or a code, to the row's address only (never an address from the payload)."""
    access, subject, body = email_text(message.payload)
    EmailMessage(
        subject=subject, body=body, to=[access.email], headers={"Message-ID": message.message_id}
    ).send()
