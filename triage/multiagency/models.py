"""After information gathering: the MASH discussion, the strategy discussion, the outcome,
the allocation to a worker, and professional challenges to the outcome.

Written only by ``triage.multiagency.actions``; read through ``triage.multiagency.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from mash.codes import PrimaryNeed
from triage.states import Rag


class MashDiscussion(models.Model):
    """The multi-agency discussion of one referral. Attendees are ``[{"name", "agency"}]``."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="mash_discussion"
    )
    held_at = models.DateTimeField()
    attendees = models.JSONField(default=list)
    summary = models.TextField()
    level_of_need = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    rag_before = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rag_after = models.CharField(max_length=5, choices=Rag.choices)
    rag_change_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"MASH discussion of {self.referral_id} on {self.held_at:%Y-%m-%d}"

    @property
    def rag_changed(self) -> bool:
        return bool(self.rag_before) and self.rag_before != self.rag_after


class DiscussionContribution(models.Model):
    """What one agency said at the discussion, shown beside its written answer."""

    discussion = models.ForeignKey(MashDiscussion, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    contribution = models.TextField()

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "agency"], name="one_contribution_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} at discussion {self.discussion_id}"


class StrategyDiscussion(models.Model):
    """The strategy discussion for a Red referral: who (by agency), when, and whether S47 starts."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="strategy_discussion"
    )
    held_at = models.DateTimeField()
    attendees = models.JSONField(default=list)
    s47_enquiry = models.BooleanField()
    decision_rationale = models.TextField()
    immediate_safety_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Strategy discussion of {self.referral_id} on {self.held_at:%Y-%m-%d}"


class Outcome(models.Model):
    """Where the referral goes next (the referral outcome vocabulary of statutory-facts.md)."""

    class Destination(models.TextChoices):
        STRATEGY_S47 = "strategy_s47", "Strategy discussion / section 47 enquiry"
        S17_ASSESSMENT = "s17_assessment", "Section 17 child and family assessment"
        EARLY_HELP = "early_help", "Early help"
        OTHER_AGENCY_LEAD = "other_agency_lead", "Another agency as lead professional"
        ADVICE_SIGNPOSTING = "advice_signposting", "Advice and signposting"
        NFA = "nfa", "No further action"

    # Destinations that go on to a council team, which must be named and allocates a worker.
    TEAM_DESTINATIONS = frozenset(
        {Destination.STRATEGY_S47, Destination.S17_ASSESSMENT, Destination.EARLY_HELP}
    )
    # Destinations where the referral goes on as a child in need episode: a primary need code is required.
    NEED_CODE_DESTINATIONS = frozenset({Destination.STRATEGY_S47, Destination.S17_ASSESSMENT})

    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="outcome")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    rationale = models.TextField()
    recommendation = models.TextField()
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.get_destination_display()


class Allocation(models.Model):
    """A team manager's allocation of a decided referral to a worker of the team."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-allocated_at"]

    def __str__(self) -> str:
        return f"Allocation of {self.referral_id} to {self.worker_id}"


class Challenge(models.Model):
    """A professional's disagreement with the outcome; it waits in the receiving team manager's queue
    (or the MASH's, when the outcome went to no team)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONDED = "responded", "Responded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="challenges")
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by_name = models.CharField(max_length=150)
    raised_by_email = models.EmailField()
    reasons = models.TextField()
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["team", "status"], name="challenge_team_queue")]

    def __str__(self) -> str:
        return f"Challenge to {self.referral_id} ({self.get_status_display()})"
