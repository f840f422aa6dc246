"""Partner agencies and the council's internal teams, who belongs to each, and partner systems' API keys.

What the MASH asks an agency (the information request) belongs to the MASH stage:
``triage.multiagency.models.InformationRequest``.
"""

from django.conf import settings
from django.db import models

from mash.codes import ReferralSource


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
