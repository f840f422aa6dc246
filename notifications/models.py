"""Side effects as data: the outbox, the alerts the sweeper raises, outcome letters and their templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from mash.outbox.models import OutboxMessage  # noqa: F401  (registered under this app: see its Meta)
from triage.multiagency.models import Outcome


class Alert(models.Model):
    """A warning or breach of one deadline, shown in the queue.

    Raised once by the sweeper (unique per deadline and level). It stays visible while the deadline
    is open: a breach is not cleared by time passing, only by the work being done (``met_at``).
    """

    class Level(models.TextChoices):
        WARNING = "warning", "Due soon"
        BREACH = "breach", "Overdue"

    deadline = models.ForeignKey("triage.Deadline", on_delete=models.CASCADE, related_name="alerts")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(max_length=10, choices=Level.choices)
    raised_at = models.DateTimeField()
    due_at = models.DateTimeField()  # copied so the queue can show it without a join
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "level"], name="one_alert_per_deadline_level")
        ]
        indexes = [models.Index(fields=["team", "-raised_at"], name="alert_by_team")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.deadline}"


class Heartbeat(models.Model):
    """The last time a periodic job ran. A stale ``sweeper`` row means beat (or every worker) is down."""

    name = models.CharField(max_length=40, unique=True)
    last_seen_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


# One vocabulary: a letter reports the outcome the MASH recorded, one template per outcome.
LetterOutcome = Outcome.Destination


class LetterTemplate(models.Model):
    """The wording of the outcome letter for one outcome, edited by an administrator.

    The text is plain text rendered with Django's template engine inside a server-owned base
    template with autoescape on, so nothing typed here or by a referrer becomes HTML, CSS or a URL.
    """

    outcome = models.CharField(max_length=30, choices=LetterOutcome.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text=(
            "Plain text; blank lines separate paragraphs. Placeholders: {{ reference }}, {{ initials }}, "
            "{{ outcome }}, {{ team_name }}, {{ team_phone }}, {{ council_name }}, {{ decided_on }}."
        )
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["outcome"]

    def __str__(self) -> str:
        return self.get_outcome_display()


class Letter(models.Model):
    """One outcome letter to the professional referrer, with its delivery record."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry)"
        # Handed to GOV.UK Notify, which then reported that it could not deliver it.
        UNDELIVERED = "undelivered", "Not delivered"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="letters")
    # The n-th outcome of this referral (an early-help step-up can lead to a second outcome).
    sequence = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=30, choices=LetterOutcome.choices)
    recipient = models.EmailField()
    decided_at = models.DateTimeField()
    due_at = models.DateTimeField()
    deadline = models.ForeignKey(
        "triage.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    policy_version = models.ForeignKey(
        "triage.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    # GOV.UK Notify's notification id and its last reported delivery status (MESSAGE_CHANNEL=notify).
    notify_id = models.CharField(max_length=36, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=30, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "sequence"], name="one_letter_per_outcome")
        ]
        indexes = [models.Index(fields=["due_at"], name="letter_unsent", condition=~Q(status="sent"))]

    def __str__(self) -> str:
        return f"Letter {self.referral_id}/{self.sequence} ({self.status})"

    @property
    def notify_reference(self) -> str:
        """The reference Notify keeps with the notification: opaque, no personal data."""
        return f"mash-letter-{self.pk}"

    @property
    def outbox_key(self) -> str:
        return f"letter:{self.referral_id}:{self.sequence}"
