"""The person index: everyone the service knows, and matching referrals against it.

Blocking keys (phonetic keys of the names, the normalised postcode) are stored in indexed columns
when a row is written (``keys.py``), so the candidate query is a handful of index look-ups even at a
million people. Nothing here computes them in ``save()``: the actions and the loader set them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mash.codes import Sex

from .keys import display_postcode


class Person(models.Model):
    """Someone the service knows: the person index the known-child check matches against.

    Identifiers, former names, addresses and involvements hang off this row; see
    ``referrals/person_index`` for matching. A record merged into another keeps its own rows and
    points at the survivor through ``merged_into`` (undoable: see ``PersonMerge``).
    """

    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    local_id = models.CharField(max_length=20, blank=True, db_index=True)  # LAchildID in the case system
    upn = models.CharField(max_length=13, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    # Recorded from the casework's record of a child's death (triage.casework.actions_census).
    died_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Blocking keys (double metaphone's primary code via jellyfish.metaphone), set by keys.person_keys().
    first_key = models.CharField(max_length=20, blank=True)
    last_key = models.CharField(max_length=20, blank=True)
    # The current postcode, normalised (upper case, no spaces): a blocking key and shown on candidates.
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    address = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )

    class Meta:
        app_label = "referrals"
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_key", "first_key"], name="person_name_keys"),
            # Serves "born on this date" and "born on this date with this surname key" alike.
            models.Index(fields=["date_of_birth", "last_key"], name="person_dob_last_key"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def postcode_display(self) -> str:
        return display_postcode(self.postcode)


class PersonName(models.Model):
    """A former name or alias (a child who took a step-parent's surname, a known-as name)."""

    class Kind(models.TextChoices):
        FORMER = "former", "Former name"
        ALIAS = "alias", "Also known as"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FORMER)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    first_key = models.CharField(max_length=20, blank=True)
    last_key = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "referrals"
        ordering = ["id"]
        indexes = [models.Index(fields=["last_key", "first_key"], name="personname_keys")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PersonAddress(models.Model):
    """An address someone lived at, with dates. The current one has no ``to_date``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "referrals"
        ordering = ["-from_date", "-id"]

    def __str__(self) -> str:
        return f"{self.address} {self.postcode}".strip()


class Involvement(models.Model):
    """A case the council holds or held for a person: social care, early help or youth offending."""

    class Kind(models.TextChoices):
        SOCIAL_CARE = "social_care", "Children's social care"
        EARLY_HELP = "early_help", "Early help"
        YOUTH_OFFENDING = "youth_offending", "Youth offending"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case_reference = models.CharField(max_length=40, blank=True)
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="involvements")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="involvements",
    )
    # The case system's worker may have no account here: the name and e-mail are kept as given.
    worker_name = models.CharField(max_length=150, blank=True)
    worker_email = models.EmailField(blank=True)
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "referrals"
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["person", "closed_on"], name="involvement_person_closed")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.team})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class MatchDecision(models.Model):
    """A member of staff's answer to one candidate for one person in a referral.

    A rejection is remembered so the candidate is not offered again for that referral's person.
    Exactly one of ``child`` and ``adult`` is set.
    """

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed: the same person"
        REJECTED = "rejected", "Rejected: a different person"

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="match_decisions"
    )
    child = models.ForeignKey(
        "referrals.ReferralChild",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_decisions",
    )
    adult = models.ForeignKey(
        "referrals.ReferralAdult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_decisions",
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    score = models.PositiveSmallIntegerField()
    explanation = models.JSONField(default=list)  # the field-by-field reasons shown when decided
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        app_label = "referrals"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False, adult__isnull=True)
                | Q(child__isnull=True, adult__isnull=False),
                name="matchdecision_one_subject",
            ),
            models.UniqueConstraint(fields=["child", "person"], name="matchdecision_child_person"),
            models.UniqueConstraint(fields=["adult", "person"], name="matchdecision_adult_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.score})"


class PersonMerge(models.Model):
    """Two index records found to be one person. The merged record keeps its names, addresses,
    involvements and referral links; it only points at the survivor. Undoing clears the pointer."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_reason = models.TextField(blank=True)

    class Meta:
        app_label = "referrals"
        ordering = ["-at", "-id"]
        constraints = [
            # A record can be absorbed by one survivor at a time.
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="one_live_merge"
            ),
        ]

    def __str__(self) -> str:
        return f"Record {self.merged_id} merged into {self.survivor_id}"
