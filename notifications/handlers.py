"""Outbox handlers: one function per kind of side effect. Each hands its work over (sends the e-mail)
after the outbox has recorded the attempt, and writes nothing itself (see outbox.deliver_once)."""

from django.conf import settings
from django.core.mail import EmailMessage

from mash.outbox.delivery import handler

from . import notify
from .models import OutboxMessage


@handler("email")
def send_email(message: OutboxMessage) -> str | None:
    """A plain e-mail; payload: to, subject, body. By SMTP with the Message-ID the outbox recorded for
    it, or by GOV.UK Notify's e-mail template (its ``subject`` and ``body`` fields), returning
    Notify's notification id."""
    payload = message.payload
    subject = " ".join(payload["subject"].split())  # no header injection through a newline
    if notify.in_use():
        return notify.send_email(
            to=payload["to"],
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": subject, "body": payload["body"]},
            reference=f"mash-email-{message.pk}",
            retry=message.attempts > 1,
        )
    EmailMessage(
        subject=subject, body=payload["body"], to=[payload["to"]], headers={"Message-ID": message.message_id}
    ).send()
    return None


# Outcome letters register their handler in letters.py (kept beside the code that queues them).
from . import letters  # noqa: E402,F401
