"""Outbox handlers: one function per kind of side effect. Each runs under the outbox row's lock."""

from django.core.mail import EmailMessage

from .models import OutboxMessage
from .outbox import handler, message_id_for


@handler("email")
def send_email(message: OutboxMessage) -> None:
    """A plain e-mail; payload: to, subject, body. Sent inside the lock (see outbox.deliver_once)."""
    payload = message.payload
    EmailMessage(
        subject=" ".join(payload["subject"].split()),  # no header injection through a newline
        body=payload["body"],
        to=[payload["to"]],
        headers={"Message-ID": message_id_for(message.key)},
    ).send()


# Outcome letters register their handler in letters.py (kept beside the code that queues them).
from . import letters  # noqa: E402,F401
