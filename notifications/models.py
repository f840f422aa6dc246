"""Side effects as data: the outbox (see notifications/outbox.py)."""

from django.db import models


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that causes it.

    Published to Celery after commit, and again by the sweeper if publishing failed. The task
    re-reads the row and does the work once: ``key`` is unique and ``done_at`` is stamped under a lock.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Gave up"

    key = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=40)  # e.g. "acknowledgement_email", "outcome_letter", "alert"
    payload = models.JSONField(default=dict)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_to_publish",
                condition=models.Q(status__in=["pending", "failed"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
