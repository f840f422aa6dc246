from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, BreakGlassGrant, User


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


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(admin.ModelAdmin):
    """Read-only: grants are made and reviewed through security.break_glass (audited)."""

    list_display = ("granted_at", "user", "referral", "expires_at", "reviewed_at", "review_outcome")
    list_filter = ("review_outcome",)
    readonly_fields = [f.name for f in BreakGlassGrant._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
