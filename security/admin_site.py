"""The admin, with a verified second factor required and every look at a child's record audited.

``AuditedAdminSite`` is the project's default admin site (``security.apps.MashAdminConfig``), so
every ``admin.register`` anywhere goes through it: a model about a child (the referral, the person
index, or anything with a foreign key to them) gets a ModelAdmin that writes a read audit row for
each object opened and for the ids each list page shows.
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django_otp.admin import OTPAdminSite

from mash import audit

CHILD_ROOTS = frozenset({"referrals.Referral", "referrals.Person"})
# Django's admin views answer any method: a PUT renders the page like a GET (and the sign-in form
# takes it as a POST). The admin is forms and links, so anything else is refused.
ADMIN_METHODS = ["GET", "POST", "HEAD", "OPTIONS"]
only_admin_methods = require_http_methods(ADMIN_METHODS)


def is_about_a_child(model) -> bool:
    if model._meta.label in CHILD_ROOTS:
        return True
    return any(
        field.is_relation
        and field.related_model is not None
        and field.related_model._meta.label in CHILD_ROOTS
        for field in model._meta.get_fields()
        if field.concrete
    )


class AuditedReadsMixin:
    """Records admin reads of child data: one row per object opened, one per list page."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            audit.record_read(
                "admin.view",
                actor=request.user,
                obj=obj,
                reason="Administration",
                ip_address=audit.client_ip(request),
            )
        return obj

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}) or {}
        rows = changelist.get("cl")
        if rows is not None:
            audit.record_read(
                "admin.list",
                actor=request.user,
                reason="Administration",
                details={"model": self.model._meta.label, "ids": [str(o.pk) for o in rows.result_list]},
                ip_address=audit.client_ip(request),
            )
        return response


class AuditedAdminSite(OTPAdminSite):
    """OTPAdminSite (staff must be verified: defence in depth behind the middleware) that audits
    reads of child data through any ModelAdmin registered on it."""

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def admin_view(self, view, cacheable=False):
        """Every admin view but the sign-in page comes through here (the site's and each ModelAdmin's)."""
        return only_admin_methods(super().admin_view(view, cacheable))

    @method_decorator(only_admin_methods)
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin
        from django.db.models.base import ModelBase

        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            base = admin_class or ModelAdmin
            if is_about_a_child(model) and not issubclass(base, AuditedReadsMixin):
                base = type(f"Audited{base.__name__}", (AuditedReadsMixin, base), {})
            super().register(model, base, **options)
