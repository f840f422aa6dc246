"""A referral as the referrer made it: the people, the concern, the consent.

Lifecycle fields (status, RAG, claim, team) live here because the referral is the aggregate
that the triage queue sorts; only ``triage.actions`` writes them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from mash.codes import DomesticAbuseRisk, Ethnicity, ReferralSource, Sex
from referrals.states import QUEUE_STATUSES, Rag, Status


class Referral(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "Online form"
        PHONE = "phone", "Telephone"
        EMAIL = "email", "E-mail"
        API = "api", "Partner system (API)"

    class ReferrerType(models.TextChoices):
        PROFESSIONAL = "professional", "Professional"
        PUBLIC = "public", "Member of the public"

    class Consent(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        NOT_SOUGHT = "not_sought", "Not sought"

    class EarlyHelp(models.TextChoices):
        IN_PLACE = "in_place", "An early help assessment is in place"
        OFFERED_DECLINED = "offered_declined", "Offered but declined"
        NOT_OFFERED = "not_offered", "Not offered"
        NOT_KNOWN = "not_known", "Not known"

    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    out_of_hours = models.BooleanField(default=False)
    # An idempotency key from the form (hidden token) or the API header: a resubmission finds the first.
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    # sha256 of what was sent with the key: the same key with different answers is a conflict, not a retry.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)

    # Referrer
    referrer_type = models.CharField(max_length=15, choices=ReferrerType.choices)
    referrer_anonymous = models.BooleanField(default=False)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=150, blank=True)
    referrer_role = models.CharField(max_length=150, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_relationship = models.CharField(max_length=150, blank=True)
    referrer_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    source = models.CharField(max_length=3, choices=ReferralSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The concern
    concerns = models.TextField()
    risks = models.TextField(blank=True)
    why_now = models.TextField(blank=True)
    actions_taken = models.TextField(blank=True)
    early_help = models.CharField(max_length=20, choices=EarlyHelp.choices, default=EarlyHelp.NOT_KNOWN)
    support_needed = models.TextField(blank=True)
    childs_voice = models.TextField(blank=True)
    parents_voice = models.TextField(blank=True)
    gillick_considered = models.BooleanField(null=True)
    parents_aware = models.BooleanField(null=True)
    safe_to_contact_parents = models.BooleanField(null=True)
    domestic_abuse_risk = models.CharField(max_length=10, choices=DomesticAbuseRisk.choices, blank=True)
    # The referrer's own view that a child may be at risk of significant harm now: out of hours this
    # sends the referral to the emergency duty team at once (triage.decisions.referral_route_out_of_hours).
    significant_harm = models.BooleanField(null=True)
    # The referrer says the concern is child sexual exploitation: a council may expect a CSE risk
    # matrix with it (triage's policy, cse_risk_matrix).
    cse_concern = models.BooleanField(null=True)

    # Consent
    consent = models.CharField(max_length=12, choices=Consent.choices)
    consent_given_by = models.CharField(max_length=150, blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    consent_notes = models.TextField(blank=True)  # why refused, or why not sought

    # Lifecycle (written only by triage.actions)
    status = models.CharField(max_length=25, choices=Status.choices, default=Status.RECEIVED)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rag_changed = models.BooleanField(default=False)
    level_of_need = models.PositiveSmallIntegerField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_referrals",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_referrals",
    )
    policy_version = models.ForeignKey(
        "triage.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT
    )
    # The nearest open deadline, kept in step by triage so the queue sorts on one indexed column.
    next_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The triage queue's order, over open referrals only: the first page is read straight
            # off this index however many referrals the service has ever had (PostgreSQL sorts
            # NULLs last in ascending order, as the queue does).
            models.Index(
                fields=["next_due_at", "received_at", "id"],
                name="referral_queue_order",
                condition=models.Q(status__in=sorted(QUEUE_STATUSES)),
            ),
            models.Index(fields=["status", "next_due_at"]),
            models.Index(fields=["team", "status"]),
        ]
        # Granted per object (django-guardian) to the people named on a restricted referral.
        permissions = [("view_restricted_referral", "Can open a restricted referral they are named on")]

    def __str__(self) -> str:
        return self.reference


class ReferralChild(models.Model):
    """A child the concern is about. Each child later gets its own threshold decision."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)  # unborn child
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    school = models.CharField(max_length=150, blank=True)
    disability = models.CharField(max_length=200, blank=True)
    # Set when staff confirm a match in the person index (the known-child check).
    person = models.ForeignKey(
        "referrals.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="referral_children"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name or "Unborn child"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in (self.first_name, self.last_name) if part)


class ReferralAdult(models.Model):
    """An adult in the household (or otherwise relevant), and how they relate to the children."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="adults")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=100)  # to the children, e.g. "mother", "mother's partner"
    lives_with_children = models.BooleanField(default=True)
    has_parental_responsibility = models.BooleanField(null=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        "referrals.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="referral_adults"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name or "Adult"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ReferenceCounter(models.Model):
    """The last reference number given out in a year; its row lock makes numbers unique under concurrency."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Consultation(models.Model):
    """A call for advice that is not a referral; counted separately (a 'contact' in Annex A list 1 terms)."""

    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    caller_name = models.CharField(max_length=150, blank=True)
    caller_organisation = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=3, choices=ReferralSource.choices)
    summary = models.TextField()
    advice_given = models.TextField()
    # Received outside the professionals' consultation line's hours (the call is taken, and marked);
    # None where the council's policy has no consultation line.
    outside_line_hours = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Consultation {self.received_at:%Y-%m-%d %H:%M}"


# The person index lives in its own module; re-exported so Django registers it with this app.
from .person_index.models import (  # noqa: E402,F401
    Involvement,
    MatchDecision,
    Person,
    PersonAddress,
    PersonMerge,
    PersonName,
)


class ReferralRestriction(models.Model):
    """A referral only the people named on it may open (referrals/restricted.py): who restricted it,
    when and why. The names are object permissions; lifting the restriction deletes this row."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="restriction")
    reason = models.TextField()
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    restricted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.referral} (restricted)"
