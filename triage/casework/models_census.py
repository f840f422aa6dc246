"""The census items recorded after allocation beside the assessment and the S47 enquiry: the child's
identifiers and characteristics not asked at intake (UPN or why unknown, former UPN, coded
disabilities, date of death), the child in need plan and the child protection plan with their reviews.

These are the CIN census ChildIdentifiers/ChildCharacteristics items UPN (N00001), FormerUPN (N00002),
UPNunknown (N00135), PersonDeathDate (N00108), Disability (N00099), the CINPlanDates module (N00689,
N00690) and the ChildProtectionPlans module (N00105, N00113-N00116, N00106), and Annex A list 7
(statutory-facts.md sections 1 and 2). The birth of an unborn child is written on the child itself
(``referrals.ReferralChild``: date of birth, sex, name). Written only by
``triage.casework.actions_census``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mash.codes import CategoryOfAbuse, CpPlanEndReason, Disability, UpnUnknown


class ChildCensusDetails(models.Model):
    """The child's census identifiers and characteristics that the referral did not carry. One row
    per child of a referral, written as the worker learns each item."""

    child = models.OneToOneField(
        "referrals.ReferralChild", on_delete=models.CASCADE, related_name="census_details"
    )
    # A checked UPN (mash.upn), or blank with the reason it is not known.
    upn = models.CharField(max_length=13, blank=True)
    upn_unknown = models.CharField(max_length=3, choices=UpnUnknown.choices, blank=True)
    former_upn = models.CharField(max_length=13, blank=True)
    # DfE Disability (N00099) codes (mash.codes.Disability): [] not yet recorded, ["NONE"] none.
    disabilities = models.JSONField(default=list, blank=True)
    died_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "child census details"

    def __str__(self) -> str:
        return f"Census details of child {self.child_id}"

    @property
    def has_disability(self) -> bool | None:
        """Annex A's "does the child have a disability": unknown until the codes are recorded."""
        if not self.disabilities:
            return None
        return self.disabilities != ["NONE"]

    @property
    def disability_labels(self) -> list[str]:
        """Each code with its census label ("VIS: Vision"), for the record page."""
        return [f"{code}: {Disability(code).label}" for code in self.disabilities]


class CinPlan(models.Model):
    """A child in need plan of one child, made after an authorised assessment (census CINPlanDates)."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="cin_plans")
    child = models.ForeignKey("referrals.ReferralChild", on_delete=models.CASCADE, related_name="cin_plans")
    assessment = models.ForeignKey("triage.Assessment", on_delete=models.PROTECT, related_name="cin_plans")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"CIN plan of child {self.child_id} from {self.started_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class CinPlanReview(models.Model):
    plan = models.ForeignKey(CinPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"Review of CIN plan {self.plan_id} on {self.reviewed_on:%Y-%m-%d}"


class ChildProtectionPlan(models.Model):
    """A child protection plan, made by the initial conference of an S47 enquiry: it starts on the
    conference's date with the conference's category of abuse (census 2885)."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="cp_plans")
    child = models.ForeignKey("referrals.ReferralChild", on_delete=models.CASCADE, related_name="cp_plans")
    enquiry = models.OneToOneField(
        "triage.Section47Enquiry", on_delete=models.PROTECT, related_name="protection_plan"
    )
    started_on = models.DateField()
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    latest_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    # Census NumberOfPreviousCPP (N00106): the child's plans that ended before this one started.
    previous_plans = models.PositiveSmallIntegerField(default=0)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=CpPlanEndReason.choices, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"CP plan of child {self.child_id} from {self.started_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def clock_subject(self) -> str:
        """The subject of this plan's review-conference clock (triage.Deadline)."""
        return f"cpplan:{self.pk}"


class CpPlanReview(models.Model):
    """A review child protection conference of a plan (census CPPreviewDate)."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"Review of CP plan {self.plan_id} on {self.reviewed_on:%Y-%m-%d}"


class CpVisit(models.Model):
    """A statutory visit to a child on a child protection plan: whether the child was seen, and seen
    alone (Annex A list 7's last statutory visit and "was the child seen alone?")."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    child_seen = models.BooleanField()
    seen_alone = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"Visit under CP plan {self.plan_id} on {self.visited_on:%Y-%m-%d}"


class CpPlanCategoryChange(models.Model):
    """A change of a plan's category of abuse; the latest is the plan's ``latest_category``."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="category_changes")
    changed_on = models.DateField()
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"CP plan {self.plan_id} category {self.category} from {self.changed_on:%Y-%m-%d}"


def plans_open(child) -> bool:
    """Whether the child has a child in need or child protection plan that has not ended: their
    episode cannot close before the plans do."""
    return (
        CinPlan.objects.filter(child=child, ended_on__isnull=True).exists()
        or ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).exists()
    )
