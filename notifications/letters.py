"""Outcome letters: queued in the outcome's transaction, rendered to PDF and e-mailed by the outbox.

Only professional referrers get the outcome letter; a member of the public gets an acknowledgement
of their referral (intake), never the outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.models import Team
from mash.actor import Actor
from mash.audit import SYSTEM, record_write
from mash.outbox.delivery import handler, outbox_enqueue
from mash.pdf import StaticOnlyFetcher, render_pdf, static_url
from mash.text import isolated, strip_controls
from triage.deadlines import deadline_meet, deadline_start, letter_clock_start
from triage.models import Deadline
from triage.policy import current_policy

from . import notify
from .models import Letter, LetterOutcome, LetterTemplate, OutboxMessage
from .wording import DEFAULT_BODY, DEFAULT_SUBJECT, challenge_url

logger = logging.getLogger(__name__)

OUTCOME_LETTER = "outcome_letter"
# An isolated engine for the administrator's wording: no template directories and no tag libraries
# beyond the built-ins, so the wording can use {{ placeholders }} and {% if %} but cannot load or
# include anything. Its output is plain text; the letter's base template escapes it.
_WORDING_ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False)
PLACEHOLDERS = ("reference", "initials", "outcome", "team_name", "team_phone", "council_name", "decided_on")


# Queueing -----------------------------------------------------------------------------------------


def on_outcome_decided(sender, *, referral, by: Actor, outcome=None, decided_at=None, **kwargs) -> None:
    """Receiver of triage's ``outcome_decided``: the referrer's letter, in the decision's transaction."""
    letter_enqueue_outcome(referral, by=by, outcome=outcome, decided_at=decided_at)


def letter_enqueue_outcome(
    referral, *, by: Actor, outcome: str | None = None, decided_at: datetime | None = None
) -> Letter | None:
    """Queue the outcome letter to the professional referrer. Call inside the outcome action's
    transaction, after the outcome is saved (``referral.outcome``).

    Requires: the referral row locked by the caller; ``outcome`` (a ``LetterOutcome`` code) and
    ``decided_at`` default to ``referral.outcome.destination`` / ``.decided_at``.
    Causes: a Letter row (queued), a LETTER deadline due ``letter_deadline_working_days`` working
    days after the decision, or after the referral's receipt where the policy's
    ``letter_clock_starts`` says so (``triage.deadlines.letter_clock_start``), an audit row, and an
    outbox row that renders and e-mails the PDF after commit. Returns None, and does nothing, when
    the referrer is a member of the public, or when the referrer's latest letter already gives this
    outcome (a re-decision after a step-up that changes nothing): then only a ``letter_not_needed``
    audit row says why no letter went. A later letter with a changed outcome replaces the earlier
    one and says so (``replaces_letter``).
    """
    if referral.referrer_type != referral.ReferrerType.PROFESSIONAL:
        return None
    decision = getattr(referral, "outcome", None)
    code = outcome or getattr(decision, "destination", "")
    if code not in LetterOutcome.values:
        raise ValueError(f"Unknown outcome {code!r} for the letter")
    latest = referral.letters.order_by("-sequence").first()
    if latest is not None and latest.outcome == code:
        _record_letter_not_needed(latest, by=by)
        return None
    decided_at = decided_at or getattr(decision, "decided_at", None) or timezone.now()
    policy = current_policy()
    sequence = (latest.sequence if latest else 0) + 1
    start = letter_clock_start(policy, referral, decided_at=decided_at, first_letter=sequence == 1)
    deadline = deadline_start(
        referral, Deadline.Kind.LETTER, policy=policy, start=start, subject=f"letter:{sequence}", by=by
    )
    letter = Letter.objects.create(
        referral=referral,
        sequence=sequence,
        outcome=code,
        recipient=referral.referrer_email,
        decided_at=decided_at,
        due_at=deadline.due_at,
        deadline=deadline,
        policy_version=policy,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record_write(
        "letter_queued",
        actor=by,
        obj=letter,
        reason=f"outcome {code}; letter due {letter.due_at.isoformat()}",
    )
    if letter.recipient:
        outbox_enqueue(
            OUTCOME_LETTER, key=letter.outbox_key, payload={"letter_id": letter.pk}, referral=referral
        )
    else:  # nowhere to send it: stays failed, and its deadline breaches and alerts like any other
        Letter.objects.filter(pk=letter.pk).update(
            status=Letter.Status.FAILED, last_error="The referrer gave no e-mail address"
        )
    return letter


def _record_letter_not_needed(latest: Letter, *, by: Actor) -> None:
    """The referrer already has (or is being sent) a letter with this outcome: a second, identical
    one would only confuse them, so none goes and the audit log says why."""
    record_write(
        "letter_not_needed",
        actor=by,
        obj=latest,
        reason=(
            f"outcome {latest.outcome} unchanged by the new decision: the referrer's letter "
            f"{latest.sequence} of {_letter_date(latest):%-d %B %Y} still holds"
        ),
    )


def _letter_date(letter: Letter) -> date:
    """The date the letter bears: the day it was sent, or, while unsent, the day it was queued."""
    return timezone.localdate(letter.sent_at or letter.created_at)


def replaces_letter(letter: Letter) -> Letter | None:
    """The earlier letter this one replaces: the referrer's previous letter, with another outcome."""
    return letter.referral.letters.filter(sequence__lt=letter.sequence).order_by("-sequence").first()


# Rendering ----------------------------------------------------------------------------------------


@dataclass
class RenderedLetter:
    subject: str
    pdf: bytes
    email_body: str
    fetcher: StaticOnlyFetcher


def wording_for(outcome: str) -> tuple[str, str]:
    template = LetterTemplate.objects.filter(outcome=outcome).first()
    if template is not None:
        return template.subject, template.body
    return DEFAULT_SUBJECT, DEFAULT_BODY[outcome]


def render_wording(text: str, values: dict[str, Any]) -> str:
    """The administrator's wording with its placeholders filled in, as plain text."""
    return _WORDING_ENGINE.from_string(text).render(Context(values, autoescape=False))


def check_wording(text: str) -> None:
    """Raise ValueError with a readable message if the wording cannot be rendered."""
    try:
        render_wording(text, {name: "" for name in PLACEHOLDERS})
    except TemplateSyntaxError as error:
        raise ValueError(f"The wording has a template error: {error}") from error
    except Exception as error:  # e.g. {% include %} of anything: there is nothing to include
        raise ValueError(f"The wording cannot be used: {type(error).__name__}") from error


def _destination(letter: Letter) -> tuple[str, str]:
    """The team (or lead agency) the referral went to: name and phone."""
    decision = getattr(letter.referral, "outcome", None)
    lead_agency = getattr(decision, "lead_agency", None)
    if letter.outcome == LetterOutcome.OTHER_AGENCY_LEAD and lead_agency is not None:
        return lead_agency.name, lead_agency.phone
    team = getattr(decision, "team", None) or letter.referral.team
    team = team or Team.objects.filter(kind=Team.Kind.MASH, is_active=True).first()
    return (team.name, team.phone) if team else ("The MASH", "")


def letter_context(letter: Letter) -> dict[str, Any]:
    referral = letter.referral
    policy = letter.policy_version
    team_name, team_phone = _destination(letter)
    initials = ", ".join(
        strip_controls(child.initials) for child in referral.children.all() if child.initials
    )
    values = {
        "reference": referral.reference,
        "initials": initials or "the child",
        "outcome": letter.get_outcome_display(),
        "team_name": team_name,
        "team_phone": team_phone,
        "council_name": policy.council_name if policy else "",
        "decided_on": f"{timezone.localtime(letter.decided_at):%-d %B %Y}",
    }
    replaced = replaces_letter(letter)
    subject_text, body_text = wording_for(letter.outcome)
    subject = " ".join(render_wording(subject_text, values).split())
    paragraphs = [p.strip() for p in render_wording(body_text, values).split("\n\n") if p.strip()]
    return {
        **values,
        "subject": subject,
        "paragraphs": paragraphs,
        "outcome_label": values["outcome"],
        "initials": initials,
        "council_address": policy.council_address if policy else "",
        "mash_phone": policy.council_phone if policy else "",
        "letter_date": timezone.localdate(),
        "received_at": referral.received_at,
        "decided_at": letter.decided_at,
        "recipient_name": isolated(referral.referrer_name),
        "recipient_organisation": isolated(referral.referrer_organisation),
        "stylesheet_url": static_url("notifications/letter.css"),
        "challenge_url": challenge_url(),
        "replaces_letter_of": _letter_date(replaced) if replaced else None,
    }


def letter_render(
    letter: Letter, *, fetcher: StaticOnlyFetcher | None = None, by_link: bool = False
) -> RenderedLetter:
    """The letter's subject, PDF and covering e-mail, from the server-owned templates. ``by_link``:
    the e-mail gives a link to the letter (GOV.UK Notify's file link) rather than attaching it."""
    context = letter_context(letter)
    fetcher = fetcher or StaticOnlyFetcher()
    html = render_to_string("notifications/letter_outcome.html", context)
    pdf = render_pdf(html, fetcher=fetcher)
    email_body = render_to_string("notifications/letter_outcome_email.txt", {**context, "by_link": by_link})
    return RenderedLetter(context["subject"], pdf, email_body, fetcher)


# Sending (the outbox handler) -----------------------------------------------------------------------


def _letter_failed(message: OutboxMessage, error: BaseException) -> None:
    Letter.objects.filter(pk=message.payload["letter_id"]).exclude(status=Letter.Status.SENT).update(
        status=Letter.Status.FAILED, attempts=message.attempts, last_error=message.last_error
    )


def _letter_sent(message: OutboxMessage) -> None:
    """Stamp the letter sent and meet its deadline, in the transaction that marks the outbox row done."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("referral")
        .get(pk=message.payload["letter_id"])
    )
    if letter.status == Letter.Status.SENT:
        return
    now = timezone.now()
    letter.status, letter.sent_at, letter.attempts = Letter.Status.SENT, now, message.attempts
    letter.last_error, letter.message_id = "", message.message_id
    letter.notify_id = message.notify_id
    letter.delivery_status = "created" if message.notify_id else ""
    letter.delivery_status_at = now if message.notify_id else None
    letter.save(
        update_fields=[
            "status",
            "sent_at",
            "attempts",
            "last_error",
            "message_id",
            "notify_id",
            "delivery_status",
            "delivery_status_at",
        ]
    )
    _meet_deadline(letter, now)
    how = "as a GOV.UK Notify file link" if letter.notify_id else "with the PDF attached"
    reason = f"e-mailed to the referrer {how}, attempt {letter.attempts}"
    if message.resent_in_doubt:
        reason += f" (sent again {message.resent_in_doubt} time(s) with the same Message-ID)"
    record_write("letter_sent", actor=SYSTEM, obj=letter, reason=reason)


@handler(OUTCOME_LETTER, on_sent=_letter_sent, on_failure=_letter_failed)
def send_outcome_letter(message: OutboxMessage) -> str | None:
    """Render the PDF and e-mail it: attached, with the Message-ID the outbox recorded for this
    message (SMTP), or as a GOV.UK Notify file link the referrer opens after confirming their e-mail
    address, returning Notify's notification id.

    Runs outside any transaction (see outbox.deliver_once): the PDF renders and the mail server
    answers with nothing locked; ``_letter_sent`` records it afterwards.
    """
    letter = Letter.objects.select_related("referral", "policy_version", "deadline").get(
        pk=message.payload["letter_id"]
    )
    if letter.notify_id:  # Notify has it: never sent twice
        return letter.notify_id
    if letter.status == Letter.Status.SENT:
        return None
    if letter.referral.referrer_type != letter.referral.ReferrerType.PROFESSIONAL:
        raise PermissionError("Outcome letters go to professional referrers only")
    if notify.in_use():
        return _send_by_notify(letter, retry=message.attempts > 1)
    rendered = letter_render(letter)
    email = EmailMessage(
        subject=rendered.subject,
        body=rendered.email_body,
        to=[letter.recipient],
        headers={"Message-ID": message.message_id},
    )
    email.attach(f"outcome-{letter.referral.reference}.pdf", rendered.pdf, "application/pdf")
    email.send()
    return None


def _send_by_notify(letter: Letter, *, retry: bool) -> str:
    rendered = letter_render(letter, by_link=True)
    filename = f"outcome-{letter.referral.reference}.pdf"
    return notify.send_email(
        to=letter.recipient,
        template_id=settings.NOTIFY_LETTER_EMAIL_TEMPLATE_ID,
        personalisation={
            "subject": rendered.subject,
            "body": rendered.email_body,
            "link_to_file": notify.file_link(rendered.pdf, filename=filename),
        },
        reference=letter.notify_reference,
        retry=retry,
    )


def _meet_deadline(letter: Letter, now: datetime) -> None:
    deadline_meet(
        letter.referral, Deadline.Kind.LETTER, at=now, subject=f"letter:{letter.sequence}", by=SYSTEM
    )


def letters_unsent():
    """Letters not yet sent, oldest deadline first (the admin's and the performance view's list)."""
    return Letter.objects.exclude(status=Letter.Status.SENT).select_related("referral").order_by("due_at")


def letters_of(referral) -> list[Letter]:
    """The referral's outcome letters with their delivery record, newest first (its page)."""
    return list(Letter.objects.filter(referral=referral).order_by("-sequence"))
