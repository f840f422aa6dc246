"""The council's policy, the lifecycle's history, and the stored deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from referrals.states import Status

from .policy_shapes import validate_policy


class LetterClockStart(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", "From the referral's receipt"
    DECISION = "decision", "From the decision"


class CseRiskMatrixRule(models.TextChoices):
    NOT_ASKED = "", "Not asked for"
    EXPECTED = "expected", "Expected: shown as missing until recorded"
    REQUIRED = "required", "Required before the threshold decision"


class PolicyVersion(models.Model):
    """One version of a council's policy. Versions are never edited: a change makes a new version,
    and every decision records the version it used, so an old deadline can always be explained.

    Structured settings are JSON validated by ``triage.policy`` (see that module for the shapes).
    """

    council = models.SlugField(max_length=60)  # e.g. "durham"
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=False)
    council_name = models.CharField(max_length=150)
    council_address = models.TextField(blank=True)
    council_phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    change_note = models.TextField(blank=True)

    # {"mon": ["08:30", "17:00"], ..., "sat": null, "sun": null}
    working_hours = models.JSONField(default=dict)
    bank_holiday_subdiv = models.CharField(max_length=3, default="ENG")
    closure_days = models.JSONField(default=list, blank=True)  # ["2026-12-29", ...]
    # {"red": {"amount": 4, "unit": "clock_hours"}, "amber": {...}, "green": {...}}
    rag_timescales = models.JSONField(default=dict)
    partner_timescales = models.JSONField(default=dict)
    consent_rules = models.JSONField(default=dict)  # {"red": "not_required_if_risk", ...}
    default_agencies = models.JSONField(default=dict, blank=True)  # {"red": ["police", ...], ...}
    domestic_abuse_timescales = models.JSONField(default=dict)
    recall_window_days = models.PositiveSmallIntegerField(default=28)
    letter_deadline_working_days = models.PositiveSmallIntegerField(default=1)
    # When the outcome letter's clock starts: the referral's receipt (Durham 001: "within one working
    # day of the referral being made") or the decision the letter reports.
    letter_clock_starts = models.CharField(
        max_length=20, choices=LetterClockStart.choices, default=LetterClockStart.DECISION
    )
    # The decision time when the referrer says at intake that a child is at risk of significant harm
    # (Durham 001: "no more than four hours where there are serious concerns"); {} for none.
    serious_concerns_decision = models.JSONField(default=dict, blank=True)
    # Where each level of need must go, whatever else the decision says: {"2": "early_help",
    # "3": "mash", "4": "mash"} (Durham 001); a level not named, or {}, follows the RAG alone.
    level_of_need_routes = models.JSONField(default=dict, blank=True)
    # Whether a child sexual exploitation concern comes with a CSE risk matrix (Durham 001).
    cse_risk_matrix = models.CharField(
        max_length=10, choices=CseRiskMatrixRule.choices, blank=True, default=CseRiskMatrixRule.NOT_ASKED
    )
    decision_deadline = models.JSONField(default=dict)  # referral received -> threshold decision
    visit_working_days = models.PositiveSmallIntegerField(default=5)
    assessment_working_days = models.PositiveSmallIntegerField(default=45)
    icpc_working_days = models.PositiveSmallIntegerField(default=15)
    # Review conferences of a child protection plan: the first within this many months of the initial
    # conference, then at most this many months apart (Working Together).
    cp_first_review_months = models.PositiveSmallIntegerField(default=3)
    cp_review_interval_months = models.PositiveSmallIntegerField(default=6)
    strategy_discussion_hours = models.PositiveSmallIntegerField(default=24)
    warning_lead_minutes = models.PositiveIntegerField(default=60)
    edt_phone = models.CharField(max_length=40, blank=True)
    edt_hours_text = models.CharField(max_length=200, blank=True)
    no_consent_retention_days = models.PositiveIntegerField(default=30)
    # Break-glass is for an emergency, not a way to read everything: how long a grant lasts, how many
    # live grants one user may hold, and how many complete requests an hour one user may send.
    break_glass_hours = models.PositiveSmallIntegerField(default=4)
    break_glass_max_live_grants = models.PositiveSmallIntegerField(default=3)
    break_glass_requests_per_hour = models.PositiveSmallIntegerField(default=10)
    # A team manager's recorded oversight of each allocated case, due every N working days from the
    # allocation and from each oversight note (004: "10 day management oversight"); 0: no such clock.
    management_oversight_working_days = models.PositiveSmallIntegerField(default=0)
    # Services with their own hours beside the MASH's: {"consultation_line": {"name": ..., "phone":
    # ..., "hours": {"mon": ["10:00", "16:00"], ...}}} (shapes in triage.policy_shapes).
    service_hours = models.JSONField(default=dict, blank=True)
    # Whether new S17/S47 work goes to the assessment team on duty today ("suggest": the outcome
    # page chooses it unless the lead picks another) or the lead always chooses ("off").
    duty_rota_allocation = models.CharField(
        max_length=10, choices=[("off", "Off"), ("suggest", "Suggest today's duty team")], default="off"
    )
    # Domestic abuse triage meetings: {"days": ["tue", "thu"], "at": "10:00", "agencies": [...],
    # "agenda_grades": ["medium"]}; empty when the council holds none.
    domestic_abuse_meetings = models.JSONField(default=dict, blank=True)
    # Early help's weekly allocation meeting (Durham 001: level 2 needs are "considered for
    # allocation to a lead professional at the relevant weekly allocation meeting"):
    # {"day": "wed", "at": "10:00"}; empty when there is none.
    # A Green referral to early help is due there (``triage.deadlines.allocation_meeting_clock_start``).
    early_help_allocation_meeting = models.JSONField(default=dict, blank=True)
    # Whether every high-risk domestic abuse notification must be referred to MARAC.
    marac_required_for_high = models.BooleanField(default=False)
    # What an information request shares with the agency beyond the people and the question
    # (``triage.policy_shapes.PARTNER_SHARE_ITEMS``): ["rag", "referral_information"].
    partner_shares = models.JSONField(default=list, blank=True)
    # Readings of what the documents leave open (each preset says which it took in defaults_taken).
    # The recall window ("closed within the last 28 days") counted back from the referral's receipt
    # or from the day the check is made.
    recall_window_counts_to = models.CharField(
        max_length=8,
        choices=[("receipt", "The referral's receipt"), ("check", "The day of the check")],
        default="receipt",
    )
    # A clock-hour deadline of a clock that waits for working hours to start (Amber, Green) that falls
    # out of hours: kept as it falls, or moved to the next working moment. Round-the-clock clocks
    # (Red) are never moved.
    clock_hours_due_out_of_hours = models.CharField(
        max_length=20,
        choices=[
            ("as_falls", "Kept as it falls"),
            ("next_working_moment", "Moved to the next working moment"),
        ],
        default="as_falls",
    )
    # The not_required_if_risk consent rule: any recorded reason for going without consent, or the
    # reason that seeking consent would put the child at (significant) risk specifically.
    risk_rule_reason = models.CharField(
        max_length=16,
        choices=[("any_reason", "Any recorded reason"), ("risk_reason", "The risk reason specifically")],
        default="any_reason",
    )
    # Where a council's document is silent, which default the preset took and why.
    defaults_taken = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["council", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["council", "version"], name="policy_version_unique"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_policy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council_name} policy v{self.version}"

    @classmethod
    def current(cls) -> PolicyVersion:
        return cls.objects.get(is_current=True)

    def clean(self) -> None:
        """Check every structured setting's shape (ValidationError by field, with a clear message)."""
        validate_policy(self)


class StatusChange(models.Model):
    """One row per lifecycle move: from, to, who, when, why, under which policy version."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=25, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=25, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    by_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status} by {self.by_label}"


class Deadline(models.Model):
    """A stored due time. The sweeper finds open ones through partial indexes and raises
    each warning and each breach exactly once (the stamps record that it did)."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Threshold decision"
        PARTNER_RESPONSE = "partner_response", "Partner response"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        MASH_DISCUSSION = "mash_discussion", "MASH discussion"
        EARLY_HELP = "early_help", "Early help response"
        DOMESTIC_ABUSE_SCREENING = "domestic_abuse_screening", "Domestic abuse screening"
        LETTER = "letter", "Outcome letter"
        ALLOCATION = "allocation", "Allocation"
        VISIT = "visit", "Visit"
        ASSESSMENT = "assessment", "Assessment"
        ICPC = "icpc", "Initial child protection conference"
        CP_REVIEW = "cp_review", "Child protection review conference"
        MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The object the clock belongs to when not the referral itself, e.g. "informationrequest:12".
    subject = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    # A copy of the referral's team, so the dashboard counts one team's clocks off the covering index
    # (reports/migrations) without joining the period's clocks to their referrals. Kept equal to
    # ``referral.team`` by the one write of a referral's team (triage.actions.referral_assign) and
    # by every clock's creation (below, and triage.deadlines for the batch inserts).
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind", "subject"],
                condition=Q(met_at__isnull=True),
                name="one_open_deadline",
            )
        ]
        indexes = [
            # The sweeper's two questions: which open clocks need a warning, which have breached.
            models.Index(
                fields=["warn_at"],
                name="deadline_to_warn",
                condition=Q(met_at__isnull=True, warned_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="deadline_to_breach",
                condition=Q(met_at__isnull=True, breached_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.team_id is None and self.referral_id is not None:
            self.team_id = self.referral.team_id  # a new clock starts on its referral's team
        super().save(*args, **kwargs)


# Threshold decisions, claims and EDT flags live in their own module.
# Assessments, S47 enquiries and CIN closures recorded after allocation.
from .casework.models import Assessment, CinClosure, Section47Enquiry  # noqa: E402,F401

# The census child details, CIN plans and child protection plans recorded after allocation.
from .casework.models_census import (  # noqa: E402,F401
    ChildCensusDetails,
    ChildProtectionPlan,
    CinPlan,
    CinPlanReview,
    CpPlanCategoryChange,
    CpPlanReview,
)
from .casework.models_oversight import ManagementOversight  # noqa: E402,F401

# Domestic abuse triage meetings and MARAC referrals.
from .domestic_abuse.models import AgendaItem, MaracReferral, TriageMeeting  # noqa: E402,F401
from .models_decisions import (  # noqa: E402,F401
    ChildDecision,
    ClaimEvent,
    ConsentBasis,
    CseRiskMatrix,
    EdtFlag,
)

# MASH and strategy discussions, outcomes, allocations and challenges.
from .multiagency.models import (  # noqa: E402,F401
    Allocation,
    Challenge,
    DiscussionContribution,
    DutyDay,
    MashDiscussion,
    Outcome,
    StrategyDiscussion,
    StrategyDiscussionDecision,
    StrategyInvitation,
)
