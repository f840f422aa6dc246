"""The statutory items recorded after allocation: the child and family assessment, the section 47
enquiry with its initial child protection conference, and the closure of the child in need episode.

These are the CIN census Assessments and Section47 modules and the CINdetails closure items
(statutory-facts.md section 1), and Annex A lists 4 and 5. One episode is one child of one referral
(``referrals.ReferralChild``). Written only by ``triage.casework.actions``; read by the statutory pages and by
``reports.statutory.episode_for``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mash.codes import CategoryOfAbuse, EmergencyProtection, ReasonForClosure


class Assessment(models.Model):
    """A child and family (continuous) assessment of one child. Open until authorised."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="assessments")
    child = models.ForeignKey(
        "referrals.ReferralChild", on_delete=models.CASCADE, related_name="statutory_assessments"
    )
    started_on = models.DateField()
    child_seen_on = models.DateField(null=True, blank=True)
    # Census AssessmentInternalReviewDate: a continuous assessment's internal review, while it is open.
    internal_reviewed_on = models.DateField(null=True, blank=True)
    authorised_on = models.DateField(null=True, blank=True)
    # DfE N00181 codes (mash.codes.AssessmentFactor), recorded at authorisation.
    factors = models.JSONField(default=list, blank=True)
    requires_support = models.BooleanField(null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"Assessment of child {self.child_id} from {self.started_on:%Y-%m-%d}"

    @property
    def child_seen(self) -> bool | None:
        """Annex A's "child seen": yes with a date; no once authorised without one; else not known."""
        if self.child_seen_on is not None:
            return True
        return False if self.authorised_on is not None else None


class Section47Enquiry(models.Model):
    """A section 47 enquiry about one child, started by a strategy discussion, and its initial child
    protection conference (held, or not required)."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="section47_enquiries"
    )
    child = models.ForeignKey(
        "referrals.ReferralChild", on_delete=models.CASCADE, related_name="section47_enquiries"
    )
    strategy_discussion = models.ForeignKey(
        "triage.StrategyDiscussion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="section47_enquiries",
    )
    started_on = models.DateField(help_text="The date of the strategy discussion that started the enquiry.")
    icpc_target = models.DateField(help_text="15 working days after the strategy discussion.")
    icpc_on = models.DateField(null=True, blank=True)
    icpc_not_required = models.BooleanField(default=False)
    cp_plan = models.BooleanField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices, blank=True)
    # Annex A list 7: an emergency protection order or police protection in the six months before the
    # enquiry or since (empty: not asked yet), and the day of the latest when there was one.
    emergency_protection = models.CharField(max_length=7, choices=EmergencyProtection.choices, blank=True)
    emergency_protection_on = models.DateField(null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"S47 enquiry of child {self.child_id} from {self.started_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.icpc_on is None and not self.icpc_not_required


class CinClosure(models.Model):
    """The end of one child's child in need episode, with the census reason (RC1-RC9)."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="cin_closures")
    child = models.OneToOneField(
        "referrals.ReferralChild", on_delete=models.CASCADE, related_name="cin_closure"
    )
    closed_on = models.DateField()
    reason = models.CharField(max_length=3, choices=ReasonForClosure.choices)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Closure of child {self.child_id} on {self.closed_on:%Y-%m-%d} ({self.reason})"
