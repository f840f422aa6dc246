"""Domestic abuse triage: the multi-agency triage meetings (000: "twice weekly meetings of social
workers, police, education and health"), each with its agenda of notifications and a minute per
notification, and the referral of a high-risk notification to MARAC.

Written only by ``triage.domestic_abuse.actions``; read only through ``triage.domestic_abuse.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TriageMeeting(models.Model):
    """One domestic abuse triage meeting, on a day the policy names (made when its first
    notification is put on its agenda, or when a lead opens its minutes)."""

    starts_at = models.DateTimeField(unique=True)
    policy_version = models.ForeignKey("triage.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    # [{"agency": "police", "name": "DS Patel"}, ...]: who sat for each agency.
    attendees = models.JSONField(default=list, blank=True)
    minuted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minuted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "triage"
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"Domestic abuse triage meeting {self.starts_at:%Y-%m-%d %H:%M}"


class AgendaItem(models.Model):
    """A notification on a meeting's agenda, and the meeting's minute about it."""

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action by children's social care"
        INFORMATION_SHARED = "information_shared", "Information shared with the child's school and health"
        EARLY_HELP = "early_help", "Offer of early help"
        THRESHOLD_DECISION = "threshold_decision", "For a threshold decision by the MASH"
        MARAC = "marac", "Refer to MARAC"

    meeting = models.ForeignKey(TriageMeeting, on_delete=models.PROTECT, related_name="items")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()
    added_by_label = models.CharField(max_length=150)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    minute = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "triage"
        ordering = ["meeting__starts_at", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "referral"], name="one_agenda_item_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} at {self.meeting}"


class MaracReferral(models.Model):
    """A high-risk notification referred to the Multi-Agency Risk Assessment Conference."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="marac")
    referred_on = models.DateField()
    marac_reference = models.CharField(max_length=60)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        app_label = "triage"

    def __str__(self) -> str:
        return f"MARAC {self.marac_reference}"
