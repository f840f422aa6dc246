"""Liveness and readiness probes for the load balancer and docker-compose."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from mash.celery import app as celery_app
from notifications.sweeper import heartbeat_stale

BROKER_TIMEOUT_SECONDS = 2


@require_safe  # probes may ask with HEAD
def healthz(request) -> JsonResponse:
    """The process is up. Touches nothing else, so a slow database never restarts the web tier."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means not ready; the reason is in the server log
        return False


def _broker_ok() -> bool:
    try:
        # The URL is read from settings on each call so the probe checks what the workers use now.
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        return False


@require_safe
def readyz(request) -> JsonResponse:
    """Ready to serve: the database and the Celery broker both answer; 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable", **checks}
    if checks["database"]:
        # Reported, not required: a stopped beat must alert someone, but it does not make this
        # web process unable to serve, so it never takes the process out of the load balancer.
        body["sweeper"] = "stale" if heartbeat_stale() else "running"
    return JsonResponse(body, status=200 if ready else 503)
