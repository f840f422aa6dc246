"""The admin, with a verified second factor required, no child's record in it, and every look at
an operational record about a child audited.

Administrators run accounts, teams, agencies, API keys, second-factor devices and the policy; they
do not read children's records. ``AuditedAdminSite`` is the project's default admin site
(``security.apps.MashAdminConfig``), so every ``admin.register`` anywhere goes through it, and it
refuses a model holding a child's or adult's personal data (the referral, the person index, or
anything with a foreign key to them) unless it is one of ``OPERATIONAL_RECORDS``. Those carry a
referral's reference but not what the record says; their ModelAdmin writes a read audit row for
each object opened and for the ids each list page shows.
"""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.core.exceptions import ImproperlyConfigured
from django.db.models.base import ModelBase
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django_otp.admin import OTPAdminSite

from mash import audit

CHILD_ROOTS = frozenset({"referrals.Referral", "referrals.Person"})
# Personal data with no foreign key to a child's record: a consultation names its caller and says
# what the call was about.
PERSONAL_WITHOUT_A_CHILD_LINK = frozenset({"referrals.Consultation"})
# What operations need to see of the work about a child, each shown read-only with its personal
# fields left out (the ModelAdmins say which): a break-glass grant (reviewed by its reason and
# reference, not the record), a deadline's alert, a letter's and an outbox message's delivery.
OPERATIONAL_RECORDS = frozenset(
    {"mash.BreakGlassGrant", "notifications.Alert", "notifications.Letter", "notifications.OutboxMessage"}
)
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


def holds_personal_data(model) -> bool:
    return is_about_a_child(model) or model._meta.label in PERSONAL_WITHOUT_A_CHILD_LINK


def refuse_personal_data(model) -> None:
    label = model._meta.label
    if holds_personal_data(model) and label not in OPERATIONAL_RECORDS:
        raise ImproperlyConfigured(
            f"{label} holds a child's or adult's personal data, and the admin does not offer it: "
            "administrators do not read case records (SECURITY.md). Show it through a selector, or, "
            "if operations need it, add it to OPERATIONAL_RECORDS with a read-only ModelAdmin that "
            "leaves out its personal fields."
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
    """OTPAdminSite (staff must be verified: defence in depth behind the middleware) that refuses
    models holding personal data and audits reads of the operational records about a child."""

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def admin_view(self, view, cacheable=False):
        """Every admin view but the sign-in page comes through here (the site's and each ModelAdmin's)."""
        return only_admin_methods(super().admin_view(view, cacheable))

    @method_decorator(only_admin_methods)
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            refuse_personal_data(model)
            base = admin_class or ModelAdmin
            if is_about_a_child(model) and not issubclass(base, AuditedReadsMixin):
                base = type(f"Audited{base.__name__}", (AuditedReadsMixin, base), {})
            super().register(model, base, **options)
