"""Partner agencies and the council's internal teams, and who belongs to each."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from mash.codes import LawfulBasis, ReferralSource


class Agency(models.Model):
    """A partner organisation that answers information requests (police, health, education...)."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        HOUSING = "housing", "Housing"
        PROBATION = "probation", "Probation"
        YOUTH_OFFENDING = "youth_offending", "Youth offending"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse service"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
        EARLY_HELP = "early_help", "Early help"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The referral source code a referral from this agency carries (CIN census N00152).
    referral_source = models.CharField(
        max_length=3, choices=ReferralSource.choices, default=ReferralSource.OTHER
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="agencies", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """An internal team of the council: the MASH, assessment teams, early help hubs, the EDT."""

    class Kind(models.TextChoices):
        MASH = "mash", "MASH"
        ASSESSMENT = "assessment", "Assessment team"
        EARLY_HELP = "early_help", "Early help hub"
        EMERGENCY_DUTY = "emergency_duty", "Emergency duty team"
        CASE_HOLDING = "case_holding", "Case-holding team"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    # Position on the duty rota among teams of the same kind (assessment teams take turns).
    rota_position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "rota_position", "name"]

    def __str__(self) -> str:
        return self.name


class InformationRequest(models.Model):
    """What the MASH asks one agency about one referral, and the agency's structured answer.

    Written only by ``agencies.actions``; read only through ``agencies.selectors``, where a partner's
    queryset is filtered by ``agency`` (the relationship), so list, detail and API cannot disagree.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CHASED = "chased", "Chased"
        DECLINED = "declined", "Declined"
        ANSWERED = "answered", "Answered"

    class Known(models.TextChoices):
        KNOWN = "known", "Known to us"
        NOT_KNOWN = "not_known", "Not known to us"

    class RiskIndicator(models.TextChoices):
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        VIOLENCE = "violence", "Violence or threats"
        WEAPONS = "weapons", "Weapons"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        SEXUAL_HARM = "sexual_harm", "Sexual harm or exploitation"
        CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
        MISSING = "missing", "Missing episodes"
        NEGLECT = "neglect", "Neglect"
        NON_ATTENDANCE = "non_attendance", "Missed appointments or school absence"

    OPEN_STATUSES = (Status.REQUESTED, Status.CHASED)

    # Opaque id for URLs, so a partner cannot walk request numbers.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="information_requests"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    question = models.TextField()
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # Due time when asked. The deadline is the authority: a later RAG change moves it (triage.deadlines
    # recomputes the open clocks), so pages show ``current_due_at``.
    due_at = models.DateTimeField()
    deadline = models.ForeignKey(
        "triage.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    chased_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    declined_reason = models.TextField(blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The structured answer.
    known = models.CharField(max_length=10, choices=Known.choices, blank=True)
    summary = models.TextField(blank=True)
    risk_indicators = models.JSONField(default=list, blank=True)
    date_checked = models.DateField(null=True, blank=True)
    free_text = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # One open request per agency per referral: a second would split the answer.
            models.UniqueConstraint(
                fields=["referral", "agency"],
                condition=Q(status__in=["requested", "chased"]),
                name="one_open_request_per_agency",
            )
        ]
        indexes = [models.Index(fields=["agency", "status", "due_at"], name="inforequest_partner_queue")]

    def __str__(self) -> str:
        return f"Request to {self.agency} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def current_due_at(self):
        return self.deadline.due_at if self.deadline_id else self.due_at

    @property
    def risk_indicator_labels(self) -> list[str]:
        labels = dict(self.RiskIndicator.choices)
        return [labels.get(code, code) for code in self.risk_indicators]

    @property
    def deadline_subject(self) -> str:
        return f"informationrequest:{self.pk}"


class ApiToken(models.Model):
    """A partner system's key to the intake API, scoped to one agency.

    Only the SHA-256 of the key is stored: the key is shown once when it is made. A fast hash is
    enough because keys are 256 random bits (nothing to guess from a dictionary), and it lets the
    key be found by an indexed lookup. Revoking stamps ``revoked_at``; the row stays for the audit.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)  # e.g. "Police domestic abuse notifications"
    key_hash = models.CharField(max_length=64, unique=True)
    # The key's first characters, shown in lists so an administrator can tell keys apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "-created_at"]

    def __str__(self) -> str:
        return f"{self.agency} – {self.name} ({self.prefix}…)"

    @property
    def label(self) -> str:
        """How the audit log names what this key did."""
        return f"api:{self.agency.slug}:{self.prefix}"
