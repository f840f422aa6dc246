"""Core models: the user and the append-only audit log."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    """A member of staff or of a partner agency. Members of the public never log in."""

    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The council's identity provider's stable id for this person (the ID token's subject), stored
    # at their first single sign-on so a later change of e-mail address still finds them.
    oidc_subject = models.CharField("single sign-on subject", max_length=255, blank=True, default="")

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_subject"], condition=~models.Q(oidc_subject=""), name="user_oidc_subject_unique"
            )
        ]

    @cached_property
    def role_names(self) -> frozenset[str]:
        # One query per request, however many checks a page makes.
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: Role) -> bool:
        return self.is_active and any(role.value in self.role_names for role in roles)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditEvent(models.Model):
    """Who did or saw what, to which object, when and why.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    (migration 0002) refuses them at the database too, so not even raw SQL rewrites history.
    """

    class Kind(models.TextChoices):
        WRITE = "write", "Write"
        READ = "read", "Read"
        SEARCH = "search", "Search"
        EXPORT = "export", "Export"
        AUTH = "auth", "Authentication"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "mash.User", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    # Kept as text too: the API token's agency, "system" for Celery, "public" for the online form.
    actor_label = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The referral the event concerns, so "who looked at this child's referral" is one indexed query.
    referral_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["referral_id", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class BreakGlassGrant(models.Model):
    """Time-limited access to one referral outside a user's normal access, with the stated reason.

    Every grant waits in the privacy officer's review list until an administrator reviews it;
    see security/break_glass.py for the actions and the selector triage ORs in.
    """

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", "Justified"
        NOT_JUSTIFIED = "not_justified", "Not justified (follow up)"

    user = models.ForeignKey("mash.User", on_delete=models.PROTECT, related_name="break_glass_grants")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        "mash.User", null=True, blank=True, on_delete=models.PROTECT, related_name="break_glass_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            # The selector's question on every triage read: which grants of this user are live.
            models.Index(fields=["user", "expires_at"]),
            models.Index(
                fields=["granted_at"],
                name="break_glass_unreviewed",
                condition=models.Q(reviewed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → referral {self.referral_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class RetentionPurge(models.Model):
    """One row per referral whose personal data the retention task removed: counts, not content.
    Its uniqueness makes the purge idempotent."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="retention_purge"
    )
    purged_at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return f"referral {self.referral_id} purged {self.purged_at:%Y-%m-%d}"
