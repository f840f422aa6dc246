"""Retention: a referral not progressed for lack of consent keeps no personal data beyond the
policy's ``no_consent_retention_days``.

Which referrals: status RETURNED (triage's "not progressed for lack of consent"), or CLOSED where
the move to CLOSED gave lack of consent as its reason. The clock starts at that status change.

What is purged: every free-text, e-mail and date field of the referral, its children and adults
except the codes kept for statutory counts (lifecycle, source, RAG, sex, ethnicity...); adults'
rows are deleted; the child's link to the person index is cut. Other apps that keep personal data
per referral register a purger with :func:`register`. What remains is the reference, the dates,
the codes and one ``RetentionPurge`` row per referral with the counts; the audit log records the
counts, never the content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mash import audit
from mash.models import RetentionPurge
from referrals.locking import referral_lock
from referrals.models import Referral
from referrals.states import Status
from triage.models import PolicyVersion, StatusChange

log = logging.getLogger(__name__)
NO_CONSENT_PHRASE = "lack of consent"

# Fields that carry no personal data and that statutory returns and the queue's history need.
KEEP_REFERRAL = frozenset(
    {
        "id", "reference", "channel", "received_at", "out_of_hours", "idempotency_key", "referrer_type",
        "referrer_anonymous", "referrer_organisation", "referrer_agency", "source", "recorded_by",
        "early_help", "gillick_considered", "parents_aware", "safe_to_contact_parents",
        "domestic_abuse_risk", "consent", "status", "rag", "rag_changed", "level_of_need", "claimed_by",
        "claimed_at", "team", "allocated_worker", "policy_version", "next_due_at",
    }
)  # fmt: skip
KEEP_CHILD = frozenset({"id", "referral", "sex", "ethnicity"})

Purger = Callable[[list[int]], dict[str, int]]
_purgers: list[Purger] = []


def register(purger: Purger) -> Purger:
    """Add ``purger(referral_ids) -> {"what": count}``; it runs inside the purge's transaction."""
    _purgers.append(purger)
    return purger


def _blank(instance: models.Model, keep: frozenset[str]) -> int:
    """Blank every personal field of ``instance`` (text to "", nullable values to None)."""
    changed = []
    for field in instance._meta.concrete_fields:
        if field.name in keep or field.primary_key:
            continue
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = None if field.null else ""
        elif field.null:
            value = None
        else:
            continue
        if getattr(instance, field.attname) != value:
            setattr(instance, field.attname, value)
            changed.append(field.name)
    if changed:
        instance.save(update_fields=changed)
    return len(changed)


def due_for_purge(now=None) -> models.QuerySet:
    """Referrals past the no-consent retention period and not yet purged (uses the status index)."""

    policy = PolicyVersion.objects.filter(is_current=True).first()
    if policy is None:
        return Referral.objects.none()
    cutoff = (now or timezone.now()) - timedelta(days=policy.no_consent_retention_days)
    ended_without_consent = StatusChange.objects.filter(referral=OuterRef("pk"), at__lte=cutoff).filter(
        Q(to_status=Status.RETURNED) | Q(to_status=Status.CLOSED, reason__icontains=NO_CONSENT_PHRASE)
    )
    return (
        Referral.objects.filter(status__in=[Status.RETURNED, Status.CLOSED])
        .filter(Exists(ended_without_consent.filter(to_status=OuterRef("status"))))
        .exclude(Exists(RetentionPurge.objects.filter(referral=OuterRef("pk"))))
    )


def referral_purge(referral_id: int, *, days: int) -> dict[str, int] | None:
    """Purge one referral's personal data. Requires it still to be due (re-checked under a row
    lock, so two workers cannot purge twice). Causes a RetentionPurge row and an audit row with
    counts. Returns the counts, or None when there was nothing to do."""

    with transaction.atomic():
        try:
            referral = referral_lock(referral_id)
        except Referral.DoesNotExist:
            return None
        if RetentionPurge.objects.filter(referral_id=referral_id).exists():
            return None
        children = list(referral.children.all())
        counts = {
            "referral_fields": _blank(referral, KEEP_REFERRAL),
            "children": len(children),
            "child_fields": sum(_blank(child, KEEP_CHILD) for child in children),
            "adults": referral.adults.all().delete()[0],
        }
        for purger in _purgers:
            counts.update(purger([referral_id]))
        RetentionPurge.objects.create(referral=referral, purged_at=timezone.now(), counts=counts)
        audit.record_write(
            "retention.purged",
            actor=audit.SYSTEM,
            obj=referral,
            reason=f"Not progressed for lack of consent; retention period of {days} days ended.",
            details=counts,
        )
    return counts


def purge_due(now=None) -> dict[str, int]:
    """Purge every referral that is due; returns totals (also written to the audit log)."""

    policy = PolicyVersion.objects.filter(is_current=True).first()
    ids: Iterable[int] = due_for_purge(now).values_list("pk", flat=True)
    totals = {"referrals": 0, "children": 0, "adults": 0}
    for referral_id in list(ids):
        counts = referral_purge(referral_id, days=policy.no_consent_retention_days)
        if counts:
            totals["referrals"] += 1
            totals["children"] += counts["children"]
            totals["adults"] += counts["adults"]
    if totals["referrals"]:
        audit.record_write("retention.run", actor=audit.SYSTEM, details=totals)
    log.info("retention purge: %s", totals)
    return totals
