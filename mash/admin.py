from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, User


@admin.register(User)
class MashUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Work", {"fields": ("job_title", "phone")}))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "actor_label", "kind", "action", "object_type", "object_id", "referral_id")
    list_filter = ("kind", "action")
    search_fields = ("actor_label", "object_id", "action")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
