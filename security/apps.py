from django.contrib.admin.apps import AdminConfig


class MashAdminConfig(AdminConfig):
    """django.contrib.admin with AuditedAdminSite as admin.site (imported once models are ready)."""

    default_site = "security.admin_site.AuditedAdminSite"
