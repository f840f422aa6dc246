"""Outbox handlers: one function per kind of side effect. Each hands its work over (sends the e-mail)
after the outbox has recorded the attempt, and writes nothing itself (see outbox.deliver_once)."""

from django.core.mail import EmailMessage

from mash.outbox.delivery import handler

from .models import OutboxMessage


@handler("email")
def send_email(message: OutboxMessage) -> None:
    """A plain e-mail; payload: to, subject, body; the Message-ID the outbox recorded for it."""
    payload = message.payload
    EmailMessage(
        subject=" ".join(payload["subject"].split()),  # no header injection through a newline
        body=payload["body"],
        to=[payload["to"]],
        headers={"Message-ID": message.message_id},
    ).send()


# Outcome letters register their handler in letters.py (kept beside the code that queues them).
from . import letters  # noqa: E402,F401
