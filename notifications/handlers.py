"""Outbox handlers: one function per kind of side effect."""

from django.core.mail import EmailMessage

from .models import OutboxMessage
from .outbox import handler


@handler("email")
def send_email(message: OutboxMessage) -> None:
    """A plain e-mail; payload: to, subject, body."""
    payload = message.payload
    EmailMessage(subject=payload["subject"], body=payload["body"], to=[payload["to"]]).send()
