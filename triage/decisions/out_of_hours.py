"""Out of hours: significant harm flagged to the emergency duty team at once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor
from mash.codes import DomesticAbuseRisk
from mash.exceptions import Conflict
from mash.models import AuditEvent
from mash.outbox.delivery import outbox_enqueue, outbox_enqueue_new
from mash.outbox.models import OutboxMessage
from referrals.models import Referral

from ..models import PolicyVersion
from ..models_decisions import EdtFlag
from ..permissions import require_role
from ..policy import calendar_for, current_policy


def indicates_significant_harm(referral: Referral) -> bool:
    """Red at intake: a high-risk domestic abuse grade, or the intake's significant-harm flag where
    the intake records one (read defensively: the field belongs to the referrals app)."""
    return referral.domestic_abuse_risk == DomesticAbuseRisk.HIGH or bool(
        getattr(referral, "significant_harm", False)
    )


def received_out_of_hours(referral: Referral, policy: PolicyVersion) -> bool:
    return referral.out_of_hours or calendar_for(policy).is_out_of_hours(referral.received_at)


def referral_route_out_of_hours(referral: Referral, *, by: Actor = audit.SYSTEM) -> EdtFlag | None:
    """Called when a referral arrives: one received out of hours that indicates significant harm is
    flagged to the emergency duty team at once (its queue, and an e-mail to each EDT team).

    Idempotent: a second call finds the flag. Everything else waits for the next working day; its
    clocks are started by the intake under the policy (triage.deadlines).
    """
    policy = current_policy()
    if not (received_out_of_hours(referral, policy) and indicates_significant_harm(referral)):
        return None
    with transaction.atomic():
        flag, created = EdtFlag.objects.get_or_create(
            referral=referral,
            defaults={"raised_at": timezone.now(), "reason": _edt_reason(referral)},
        )
        if not created:
            return flag
        audit.record_write("triage.edt_flag", actor=by, obj=referral, reason=flag.reason)
        for key, address in _edt_addresses():
            alert = _edt_alert(referral, flag, key, address)
            outbox_enqueue("email", key=alert.key, referral=referral, payload=alert.payload)
    return flag


def edt_flag_on_receipt(referral: Referral, *, policy: PolicyVersion, by: Actor) -> list[AuditEvent]:
    """``referral_route_out_of_hours`` for the intake transaction, under the policy it has read and
    in a fixed number of statements: a referral created in this transaction has no flag and no
    alert yet, so nothing is looked up first. Returns the flag's audit row, unsaved, for the intake
    to save with its others in one INSERT.
    """
    if not (received_out_of_hours(referral, policy) and indicates_significant_harm(referral)):
        return []
    flag = EdtFlag.objects.create(referral=referral, raised_at=timezone.now(), reason=_edt_reason(referral))
    outbox_enqueue_new(
        "email", [_edt_alert(referral, flag, key, address) for key, address in _edt_addresses()]
    )
    return [
        audit.audit_event(
            AuditEvent.Kind.WRITE, "triage.edt_flag", actor=by, obj=referral, reason=flag.reason
        )
    ]


def _edt_alert(referral: Referral, flag: EdtFlag, key: str, address: str) -> OutboxMessage:
    return OutboxMessage(
        key=f"edt_alert:{referral.pk}:{key}",
        referral=referral,
        payload={
            "to": address,
            "subject": f"Out of hours referral {referral.reference}: significant harm indicated",
            # No child's details in an e-mail: the EDT reads them in the service.
            "body": f"{flag.reason}\nSee referral {referral.reference} in the service's EDT queue.",
        },
    )


def _edt_addresses() -> list[tuple[str, str]]:
    """Where an EDT alert goes: each active EDT team's shared mailbox, or, for a team without one,
    each of its members' addresses (so an alert is never silently dropped)."""
    addresses: list[tuple[str, str]] = []
    for team in Team.objects.filter(kind=Team.Kind.EMERGENCY_DUTY, is_active=True).prefetch_related(
        "members"
    ):
        if team.email:
            addresses.append((f"team{team.pk}", team.email))
        else:
            addresses += [(f"user{m.pk}", m.email) for m in team.members.all() if m.is_active and m.email]
    return addresses


def _edt_reason(referral: Referral) -> str:
    if referral.domestic_abuse_risk == DomesticAbuseRisk.HIGH:
        return "Received out of hours with a high-risk domestic abuse grade."
    return "Received out of hours; the referrer indicated significant harm."


def referral_edt_acknowledge(referral: Referral, *, by: Actor) -> EdtFlag:
    """The emergency duty team has picked up a flagged referral. Causes an audit row.

    Requires the emergency duty team (``triage.permissions``) and a flag; acknowledging a flag
    already acknowledged changes nothing, on purpose: two of the team pressing at once both succeed.
    """
    require_role("acknowledge_edt", by, referral)
    with transaction.atomic():
        flag = EdtFlag.objects.select_for_update().filter(referral=referral).first()
        if flag is None:
            raise Conflict("This referral was not flagged to the emergency duty team.")
        if flag.acknowledged_at is None:
            flag.acknowledged_by, flag.acknowledged_at = by, timezone.now()
            flag.save(update_fields=["acknowledged_by", "acknowledged_at"])
            audit.record_write("triage.edt_acknowledge", actor=by, obj=referral)
    return flag
