"""Management oversight of an allocated case: a team manager's recorded note, due every N working
days (the policy's ``management_oversight_working_days``; 004: "All social workers receive 10 day
management oversight"). Kept apart from the statutory items of ``triage.casework.models``.

Written only by ``triage.casework.oversight``; read through ``triage.casework.oversight_selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ManagementOversight(models.Model):
    """One oversight note by the team's manager on an allocated referral. Each note meets the
    oversight clock that was running (``was_due_at``) and starts the next one."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="management_oversights"
    )
    note = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # When the clock this note met was due (None: no clock was running), so lateness stays explainable.
    was_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Management oversight of {self.referral_id} at {self.recorded_at:%Y-%m-%d %H:%M}"

    @property
    def was_late(self) -> bool:
        return self.was_due_at is not None and self.recorded_at > self.was_due_at
