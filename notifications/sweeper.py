"""The deadline sweeper, started every minute by Celery beat (one beat only).

Deadlines are rows (``triage.Deadline``), never Celery countdowns: Redis redelivers a long-ETA task
after its visibility timeout and loses it on restart. Each minute the sweeper asks the two partial
indexes which open clocks need a warning (``warn_at <= now``, not warned) or have breached
(``due_at <= now``, not breached), and for each one, in one transaction: stamps the deadline, writes
an Alert for the queue and outbox e-mails to the person working it and their manager.

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

from mash.audit import SYSTEM, record_write

from .models import Alert, Heartbeat
from .outbox import outbox_enqueue, republish_due

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
    from triage.models import Deadline

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
            for deadline in batch:
                _raise(deadline, level, now, recipients)
        total += len(batch)
        if len(batch) < BATCH:  # the rest (if any) are locked by another sweeper, which raises them
            return total


class _Recipients:
    """Who hears about a deadline: the person working it, their manager, the team's queue."""

    PERSONAL_KINDS = frozenset({"visit", "assessment", "icpc"})  # the allocated worker's clocks

    def __init__(self) -> None:
        self._mash_team = None
        self._mash_team_loaded = False

    def mash_team(self):
        from agencies.models import Team

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


def _raise(deadline, level: str, now: datetime, recipients: _Recipients) -> None:
    fields = ["breached_at"] if level == Alert.Level.BREACH else ["warned_at"]
    setattr(deadline, fields[0], now)
    if level == Alert.Level.BREACH and deadline.warned_at is None:
        deadline.warned_at = now
        fields.append("warned_at")
    deadline.save(update_fields=fields)

    worker, manager, team = recipients.for_deadline(deadline)
    # A deadline moved later after its breach (triage recomputes on a RAG change) can breach again:
    # the queue keeps one alert per level, brought up to date, and the e-mail key names the due time.
    alert, _ = Alert.objects.update_or_create(
        deadline=deadline,
        level=level,
        defaults={
            "referral": deadline.referral,
            "raised_at": now,
            "due_at": deadline.due_at,
            "claimant": worker,
            "manager": manager,
            "team": team,
        },
    )
    for user in {u.pk: u for u in (worker, manager) if u is not None and u.email}.values():
        outbox_enqueue(
            "email",
            key=f"alert:{deadline.pk}:{level}:{deadline.due_at:%Y%m%d%H%M}:{user.pk}",
            payload=_alert_email(alert, deadline, user),
            referral=deadline.referral,
        )
    record_write(
        f"deadline_{level}",
        actor=SYSTEM,
        obj=deadline,
        reason=f"{deadline.get_kind_display()} due {deadline.due_at.isoformat()}",
        details={"alert": alert.pk},
    )


def _alert_email(alert: Alert, deadline, user) -> dict:
    """A short e-mail that names the referral by reference only: no child's details leave the system."""
    reference = deadline.referral.reference
    due = timezone.localtime(deadline.due_at)
    what = "is overdue" if alert.level == Alert.Level.BREACH else "is due soon"
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
