"""Recording who did and saw what.

Every action calls :func:`record_write` inside its transaction, so a change and its audit
row commit together or not at all. Every read of a child's data calls :func:`record_read`
before the response is built: if the audit row cannot be written the read fails.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from mash.actor import Actor

from .ip import client_ip as _client_ip
from .models import AuditEvent

SYSTEM = "system"
PUBLIC = "public"


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if actor is None or isinstance(actor, str):
        return {"actor": None, "actor_label": actor or SYSTEM}
    if getattr(actor, "is_authenticated", False):
        return {"actor": actor, "actor_label": actor.get_username()}
    return {"actor": None, "actor_label": PUBLIC}


def _object_fields(obj: models.Model | None, referral_id: int | None) -> dict[str, Any]:
    if obj is None:
        return {"object_type": "", "object_id": "", "referral_id": referral_id}
    if referral_id is None:
        referral_id = getattr(obj, "referral_id", None)
        if referral_id is None and obj._meta.label == "referrals.Referral":
            referral_id = obj.pk
    return {"object_type": obj._meta.label, "object_id": str(obj.pk), "referral_id": referral_id}


def record(kind: str, action: str, **fields: Any) -> AuditEvent:
    """Save one audit row now (``fields`` as :func:`audit_event` takes them)."""
    event = audit_event(kind, action, **fields)
    event.save()
    return event


def audit_event(
    kind: str,
    action: str,
    *,
    actor: Actor,
    obj: models.Model | None = None,
    reason: str = "",
    details: dict | None = None,
    referral_id: int | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """An audit row not yet saved: for :func:`record_many`, or saved at once by :func:`record`."""
    return AuditEvent(
        kind=kind,
        action=action,
        reason=reason,
        details=details or {},
        ip_address=ip_address,
        **_actor_fields(actor),
        **_object_fields(obj, referral_id),
    )


def record_many(events: list[AuditEvent]) -> None:
    """Save many audit rows in one INSERT (a batch job's rows; each is as :func:`record` writes it)."""
    AuditEvent.objects.bulk_create(events)


def record_write(
    action: str, *, actor: Actor, obj: models.Model | None = None, reason: str = "", **kw
) -> AuditEvent:
    return record(AuditEvent.Kind.WRITE, action, actor=actor, obj=obj, reason=reason, **kw)


def record_read(
    action: str, *, actor: Actor, obj: models.Model | None = None, reason: str = "", **kw
) -> AuditEvent:
    return record(AuditEvent.Kind.READ, action, actor=actor, obj=obj, reason=reason, **kw)


def client_ip(request) -> str | None:
    """The client address with the trusted proxy count applied (mash.ip)."""
    return _client_ip(request)
