"""Links that leave the service (in a letter or an e-mail) carry its full address: they are opened from
a mail client or read on paper, where a path alone leads nowhere."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, **kwargs) -> str:
    """The full address of a page of the service, from SERVICE_BASE_URL."""
    return settings.SERVICE_BASE_URL.rstrip("/") + reverse(viewname, kwargs=kwargs or None)
