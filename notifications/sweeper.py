"""The deadline sweeper, started every minute by Celery beat (one beat only).

Deadlines are rows (``triage.Deadline``), never Celery countdowns: Redis redelivers a long-ETA task
after its visibility timeout and loses it on restart. Each minute the sweeper asks the two partial
indexes which open clocks need a warning (``warn_at <= now``, not warned) or have breached
(``due_at <= now``, not breached), and for each batch of them, in one transaction: stamps the
deadlines, writes an Alert for the queue and outbox e-mails to the person working each and their
manager, in a fixed number of statements per batch however many are due.

Rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``: two sweepers running at once (two
beats by mistake, or a slow sweep overlapping the next) take different rows, and a row stamped by
one no longer matches the other's query, so each warning and breach is raised exactly once. The
unique (deadline, level) constraint on Alert is the last guard.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.models import Team
from mash.audit import SYSTEM, audit_event, record_many
from mash.models import AuditEvent
from mash.outbox.delivery import outbox_enqueue_many, republish_due
from triage.models import Deadline

from .models import Alert, Heartbeat, OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 200
HEARTBEAT = "sweeper"
# Beat starts a sweep every 60 s; two missed sweeps mean beat (or every worker) is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=2)


@dataclass
class SweepResult:
    breached: int = 0
    warned: int = 0
    republished: int = 0


def sweep(now: datetime | None = None) -> SweepResult:
    """Raise every warning and breach that is due, republish failed outbox rows, record a heartbeat.

    Breaches go first: a deadline found already past its due time gets the breach only (its
    warning would be noise), and is stamped warned so the warning pass skips it.
    """
    now = now or timezone.now()
    result = SweepResult()
    context = _Recipients()
    result.breached = _raise_all(Alert.Level.BREACH, now, context)
    result.warned = _raise_all(Alert.Level.WARNING, now, context)
    result.republished = republish_due(now)
    Heartbeat.objects.update_or_create(
        name=HEARTBEAT, defaults={"last_seen_at": now, "details": asdict(result)}
    )
    if result.breached or result.warned:
        logger.info("Sweep at %s: %s", now.isoformat(), asdict(result))
    return result


def _due(level: str, now: datetime):
    # Each filter matches one partial index exactly (deadline_to_breach / deadline_to_warn).
    if level == Alert.Level.BREACH:
        open_rows = Deadline.objects.filter(met_at__isnull=True, breached_at__isnull=True, due_at__lte=now)
        return open_rows.order_by("due_at")
    open_rows = Deadline.objects.filter(met_at__isnull=True, warned_at__isnull=True, warn_at__lte=now)
    return open_rows.order_by("warn_at")


def _raise_all(level: str, now: datetime, recipients: _Recipients) -> int:
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                _due(level, now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "referral__claimed_by", "referral__allocated_worker", "referral__team__manager"
                )[:BATCH]
            )
            if batch:
                _raise_batch(batch, level, now, recipients)
        total += len(batch)
        if len(batch) < BATCH:  # the rest (if any) are locked by another sweeper, which raises them
            return total


class _Recipients:
    """Who hears about a deadline: the person working it, their manager, the team's queue."""

    # The allocated worker's clocks (the manager hears of every breach as well: oversight is theirs).
    PERSONAL_KINDS = frozenset({"visit", "assessment", "icpc", "cp_review", "management_oversight"})

    def __init__(self) -> None:
        self._mash_team = None
        self._mash_team_loaded = False

    def mash_team(self):
        if not self._mash_team_loaded:
            self._mash_team = (
                Team.objects.filter(kind=Team.Kind.MASH, is_active=True).select_related("manager").first()
            )
            self._mash_team_loaded = True
        return self._mash_team

    def for_deadline(self, deadline):
        referral = deadline.referral
        worker = referral.claimed_by
        if deadline.kind in self.PERSONAL_KINDS and referral.allocated_worker_id:
            worker = referral.allocated_worker
        team = referral.team or self.mash_team()
        manager = team.manager if team else None
        return worker, manager, team


def _raise_batch(batch: list, level: str, now: datetime, recipients: _Recipients) -> None:
    """Raise ``level`` for a batch of locked deadlines in a fixed number of statements, whatever its
    size: the stamps, the alerts, the e-mails and the audit rows each go in one statement."""
    _stamp(batch, level, now)
    routed = [(deadline, *recipients.for_deadline(deadline)) for deadline in batch]
    # A deadline moved later after its breach (triage recomputes on a RAG change) can breach again:
    # the queue keeps one alert per level, brought up to date, and the e-mail key names the due time.
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                deadline=deadline,
                level=level,
                referral_id=deadline.referral_id,
                raised_at=now,
                due_at=deadline.due_at,
                claimant=worker,
                manager=manager,
                team=team,
            )
            for deadline, worker, manager, team in routed
        ],
        update_conflicts=True,
        unique_fields=["deadline", "level"],
        update_fields=["referral", "raised_at", "due_at", "claimant", "manager", "team"],
    )
    outbox_enqueue_many(
        "email",
        [
            OutboxMessage(
                key=f"alert:{deadline.pk}:{level}:{deadline.due_at:%Y%m%d%H%M}:{user.pk}",
                payload=_alert_email(level, deadline, user),
                referral_id=deadline.referral_id,
            )
            for deadline, worker, manager, _ in routed
            for user in {u.pk: u for u in (worker, manager) if u is not None and u.email}.values()
        ],
    )
    record_many(
        [
            audit_event(
                AuditEvent.Kind.WRITE,
                f"deadline_{level}",
                actor=SYSTEM,
                obj=deadline,
                reason=f"{deadline.get_kind_display()} due {deadline.due_at.isoformat()}",
                details={"alert": alert.pk},
            )
            for deadline, alert in zip(batch, alerts, strict=True)
        ]
    )


def _stamp(batch: list, level: str, now: datetime) -> None:
    """Stamp the batch raised. A breach also stamps the warning where none was raised: a deadline
    found already overdue gets the breach only, and the warning pass must not pick it up."""
    ids = [deadline.pk for deadline in batch]
    if level == Alert.Level.BREACH:
        Deadline.objects.filter(pk__in=ids).update(breached_at=now)
        Deadline.objects.filter(pk__in=ids, warned_at__isnull=True).update(warned_at=now)
    else:
        Deadline.objects.filter(pk__in=ids).update(warned_at=now)


def _alert_email(level: str, deadline, user) -> dict:
    """A short e-mail that names the referral by reference only: no child's details leave the system."""
    reference = deadline.referral.reference
    due = timezone.localtime(deadline.due_at)
    what = "is overdue" if level == Alert.Level.BREACH else "is due soon"
    return {
        "to": user.email,
        "subject": f"{deadline.get_kind_display()} {what}: referral {reference}",
        "body": (
            f"The {deadline.get_kind_display().lower()} for referral {reference} {what}.\n"
            f"Due: {due:%A %-d %B %Y at %H:%M}.\n\n"
            "Open the referral in the MASH to act on it. The alert stays in the queue until the work is done."
        ),
    }


# Reading ----------------------------------------------------------------------------------------


def alerts_open(team=None):
    """Alerts whose deadline is still open, newest first: a breach stays until the work is done."""
    alerts = Alert.objects.filter(deadline__met_at__isnull=True).select_related(
        "deadline", "referral", "claimant"
    )
    return alerts.filter(team=team) if team is not None else alerts


def open_alert_levels(referral_ids) -> dict[int, str]:
    """For a page of the queue, in one query: each referral's most serious open alert level."""
    levels: dict[int, str] = {}
    rows = Alert.objects.filter(referral_id__in=list(referral_ids), deadline__met_at__isnull=True)
    for referral_id, level in rows.values_list("referral_id", "level"):
        if levels.get(referral_id) != Alert.Level.BREACH:
            levels[referral_id] = level
    return levels


def heartbeat_stale(now: datetime | None = None) -> bool:
    """True when the sweeper has not run for two minutes: beat, the broker or every worker is down."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=HEARTBEAT).first()
    return beat is None or now - beat.last_seen_at > HEARTBEAT_STALE_AFTER
