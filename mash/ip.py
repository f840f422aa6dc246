"""The client's address, with the number of trusted reverse proxies applied.

Each proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies in front of Django the client is the N-th entry from the right; anything to its
left was written by the client and may be forged. django-ipware's ``proxy_count`` counts the
proxies *listed in* the header, which cannot express the common "one nginx that appends" case,
so this small rule is used by django-axes (AXES_CLIENT_IP_CALLABLE), the audit log and
rate limiting alike.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR with no proxies; otherwise the entry the outermost trusted proxy wrote."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < proxies:
        # Fewer hops than configured proxies: the request bypassed the proxy; trust only the socket.
        return remote
    return _valid(chain[-proxies]) or remote
