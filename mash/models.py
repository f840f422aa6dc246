"""Core models: the user and the append-only audit log."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    """A member of staff or of a partner agency. Members of the public never log in."""

    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)

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
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
