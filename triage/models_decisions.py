"""Threshold decisions (one per child, versioned), the claim history and the emergency duty flags.

Written only by ``triage.decisions``; read through ``triage.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from mash.codes import PrimaryNeed
from referrals.states import Rag

# Highest first: the referral's RAG is the highest of its children's.
RAG_SEVERITY: dict[str, int] = {Rag.RED: 4, Rag.AMBER: 3, Rag.GREEN: 2, Rag.BLUE: 1}


def highest_rag(rags) -> str:
    """The most severe of the given RAG ratings ("" when there are none)."""
    rags = [r for r in rags if r]
    return max(rags, key=RAG_SEVERITY.__getitem__) if rags else ""


class ConsentBasis(models.TextChoices):
    """On what footing a decision proceeds, checked against the policy's consent rule for its RAG."""

    GIVEN = "given", "Consent given"
    WITHOUT_CONSENT_REASON = "reason", "Proceeding without consent, for the reason recorded"
    RISK = "risk", "Not sought: seeking consent would put the child at risk"
    NOT_NEEDED = "not_needed", "Not needed: advice or signposting only"


class ChildDecision(models.Model):
    """One threshold decision about one child. A RAG change writes a new row and points the old
    one at it (``superseded_by``), so every version stays explainable; one current row per child."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="child_decisions"
    )
    child = models.ForeignKey("referrals.ReferralChild", on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveSmallIntegerField(default=1)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    level_of_need = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    rationale = models.TextField()
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    consent_basis = models.CharField(max_length=12, choices=ConsentBasis.choices)
    consent_reason = models.TextField(blank=True)
    # Blue closes with advice or signposting: what was given, and to whom.
    advice_given = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    policy_version = models.ForeignKey(
        "triage.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT
    )
    is_current = models.BooleanField(default=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    # Why the rating changed (empty on a child's first decision).
    change_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["child_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(is_current=True), name="one_current_decision"
            ),
            models.UniqueConstraint(fields=["child", "version"], name="decision_version_unique"),
            models.CheckConstraint(
                condition=Q(level_of_need__gte=1, level_of_need__lte=4), name="level_of_need_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} (level {self.level_of_need}) v{self.version}"


class ClaimEvent(models.Model):
    """Who held a referral when: claims, releases and a manager's reassignments."""

    class Kind(models.TextChoices):
        CLAIM = "claim", "Claimed"
        RELEASE = "release", "Released"
        REASSIGN = "reassign", "Reassigned"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="claim_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class EdtFlag(models.Model):
    """A referral received out of hours that indicates significant harm, flagged to the emergency
    duty team at once. One per referral; acknowledged when the EDT has picked it up."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="edt_flag")
    raised_at = models.DateTimeField(db_index=True)
    reason = models.TextField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return f"EDT flag raised {self.raised_at:%Y-%m-%d %H:%M}"


class CseRiskMatrix(models.Model):
    """The child sexual exploitation risk matrix that came with (or was completed for) a referral
    whose concern is CSE (Durham 001: "Professionals are expected to have completed the risk matrix
    ... where there is concern about child sexual exploitation"). One per referral; recorded by MASH
    staff through ``triage.decisions.referral_cse_matrix_record``.

    001 names the matrix but not its fields: what is kept is the risk level it concluded, who
    completed it and when, and a summary of what it found (the preset's ``defaults_taken`` says so).
    """

    class RiskLevel(models.TextChoices):
        LOW = "low", "Low risk"
        MEDIUM = "medium", "Medium risk"
        HIGH = "high", "High risk"

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="cse_risk_matrix"
    )
    risk_level = models.CharField(max_length=6, choices=RiskLevel.choices)
    completed_by = models.CharField(max_length=150)  # who completed the matrix (often the referrer)
    completed_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CSE risk matrix: {self.get_risk_level_display()}"
