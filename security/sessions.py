"""Idle and absolute session limits (ASVS V3.3), kept as two timestamps in the session."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

STARTED_KEY = "security.started_at"
SEEN_KEY = "security.last_seen"
# The last-seen stamp is rewritten at most this often, so ordinary pages do not write the
# session row on every request; idle expiry is therefore accurate to this many seconds.
SEEN_GRANULARITY_SECONDS = 60


def _now() -> float:
    return timezone.now().timestamp()


def start(session) -> None:
    """Stamp a freshly signed-in session: the absolute limit counts from here."""
    now = _now()
    session[STARTED_KEY] = now
    session[SEEN_KEY] = now


def expired(session) -> str | None:
    """'idle' or 'absolute' when the session is past a limit, else None."""
    now = _now()
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    if started is None or seen is None:
        # A session signed in some other way (e.g. the admin's own form) starts its clocks now.
        start(session)
        return None
    if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def touch(session) -> None:
    if _now() - session.get(SEEN_KEY, 0) >= SEEN_GRANULARITY_SECONDS:
        session[SEEN_KEY] = _now()
