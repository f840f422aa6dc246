"""GOV.UK Notify as the channel for e-mail and outcome letters (``MESSAGE_CHANNEL=notify``).

These functions hand work to Notify and write nothing: they run in the outbox's hand-over step
(``mash.outbox.delivery.deliver_once``), which records the notification id they return.

- A notification's ``reference`` is an opaque id (``mash-letter-12``, ``mash-email-34``): Notify
  keeps it, so it must carry no personal data.
- A retry first asks Notify for a notification with that reference, so an attempt whose answer was
  lost (a timeout after Notify accepted it) is not sent a second time.
- Notify's 400 (it will not send this) gives the row up; 403, 429 and 5xx are retried by the outbox
  with its backoff, since a fixed key, a quieter minute or a recovered service mends them.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from notifications_python_client import NotificationsAPIClient, prepare_upload
from notifications_python_client.errors import APIError

from mash.outbox.delivery import Undeliverable

# Notify's delivery statuses (e-mail): still on its way, and the three it gives up with.
IN_FLIGHT = ("", "created", "sending", "pending", "accepted")
FAILURES = ("permanent-failure", "temporary-failure", "technical-failure")
DELIVERED = "delivered"
FAILURE_MEANINGS = {
    "permanent-failure": "the e-mail address does not exist or refuses mail",
    "temporary-failure": "the recipient's inbox was full or unavailable for 72 hours",
    "technical-failure": "GOV.UK Notify could not send it",
}


class NotifyError(Exception):
    """Notify answered with an error: its status code and its own words, for the row's last error."""


def in_use() -> bool:
    return settings.MESSAGE_CHANNEL == "notify"


def client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
    )


def _described(error: APIError) -> str:
    detail = error.message
    if isinstance(detail, list):
        detail = "; ".join(f"{item.get('error', '')}: {item.get('message', '')}" for item in detail)
    return f"GOV.UK Notify answered {error.status_code}: {detail}"


def _call(function, *args, **kwargs) -> dict:
    try:
        return function(*args, **kwargs)
    except APIError as error:
        if error.status_code == 400:
            raise Undeliverable(_described(error)) from error
        raise NotifyError(_described(error)) from error


def sent_before(api: NotificationsAPIClient, reference: str) -> str | None:
    """The id of a notification Notify already has with this reference, if any."""
    found = _call(api.get_all_notifications, reference=reference)
    notifications = found.get("notifications") or []
    return notifications[0]["id"] if notifications else None


def send_email(*, to: str, template_id: str, personalisation: dict, reference: str, retry: bool) -> str:
    """Send one e-mail through Notify; returns its notification id.

    ``retry``: an earlier attempt may have reached Notify, so look for it by reference first.
    """
    api = client()
    if retry and (earlier := sent_before(api, reference)):
        return earlier
    answer = _call(
        api.send_email_notification,
        email_address=to,
        template_id=template_id,
        personalisation=personalisation,
        reference=reference,
    )
    return answer["id"]


def file_link(pdf: bytes, *, filename: str) -> dict:
    """The personalisation value that makes Notify e-mail a link to the file; the recipient must
    confirm their e-mail address before it opens."""
    return prepare_upload(
        BytesIO(pdf),
        filename=filename,
        confirm_email_before_download=True,
        retention_period=settings.NOTIFY_FILE_RETENTION,
    )


def notification(notify_id: str) -> dict:
    """Notify's record of one notification (its status), for polling."""
    return _call(client().get_notification_by_id, notify_id)
