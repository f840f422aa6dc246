"""The outbox row: a side effect written in the same transaction as the change that causes it."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that causes it.

    Published to Celery after commit, and again by the sweeper if publishing failed. The task
    re-reads the row and does the work once: ``key`` is unique, each attempt is recorded (``sending``)
    in its own committed step before the work is handed to another system, and ``done_at`` is stamped
    after it (``mash.outbox.delivery.deliver_once``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending (attempt recorded)"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Gave up"

    # Rows the sweeper may publish again: waiting, failed, or an attempt whose lease has run out.
    REPUBLISHABLE = (Status.PENDING, Status.FAILED, Status.SENDING)

    key = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=40)  # e.g. "email", "outcome_letter"
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
    # The Message-ID every attempt carries, fixed at the first attempt (derived from ``key``).
    message_id = models.CharField(max_length=200, blank=True)
    # When the current (or last) attempt was recorded; while ``sending``, ``next_attempt_at`` is the
    # end of its lease, after which the attempt is over whatever became of it.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # GOV.UK Notify's id for the notification that carried the work (MESSAGE_CHANNEL=notify), and the
    # delivery status Notify last reported for it (its callback or polling: notifications/receipts.py).
    notify_id = models.CharField(max_length=36, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=30, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    resent_in_doubt = models.PositiveIntegerField(
        default=0,
        help_text=(
            "Times the work was done again because an earlier attempt stopped between handing it over "
            "(e.g. to the mail server) and recording the result. Each repeat carried the same Message-ID."
        ),
    )

    class Meta:
        # Kept in the notifications app (its label, table and migrations) where it was first made: the
        # machinery moved down to the kernel so that every layer can write side effects.
        app_label = "notifications"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_to_publish",
                condition=models.Q(status__in=["pending", "failed", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
