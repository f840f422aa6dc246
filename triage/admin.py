"""The council's policy in the admin. Saving never edits a version: it makes the next one.

An old version is what earlier deadlines and decisions were computed under, so it must stay as it
was; the admin shows old versions read-only and offers to copy one back as the current version.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .actions import policy_version_create, policy_version_fields
from .models import PolicyVersion
from .policy_shapes import validate_policy

_BOOKKEEPING = ("version", "is_current", "created_at", "created_by")


class PolicyVersionForm(forms.ModelForm):
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this version is being made (kept with the version and in the audit log).",
    )

    class Meta:
        model = PolicyVersion
        # Every field an administrator decides, in the model's order; bookkeeping is read-only.
        fields = tuple(
            f.name for f in PolicyVersion._meta.concrete_fields if f.name not in ("id", *_BOOKKEEPING)
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        candidate = PolicyVersion(
            **{k: v for k, v in cleaned.items() if k in _settings_names() or k == "council"}
        )
        try:
            validate_policy(candidate)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


def _settings_names() -> set[str]:
    return set(policy_version_fields(PolicyVersion()))


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("council_name", "version", "is_current", "created_at", "created_by", "change_note")
    list_filter = ("council", "is_current")
    readonly_fields = _BOOKKEEPING
    actions = ["copy_as_current"]

    def get_readonly_fields(self, request: HttpRequest, obj: PolicyVersion | None = None):
        if obj is not None and not obj.is_current:
            # An old version is history: it is shown, never changed.
            return [f.name for f in PolicyVersion._meta.concrete_fields]
        return self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # A new policy starts from the current one (if any), so an edit is a small change.
        current = PolicyVersion.objects.filter(is_current=True).first()
        if current is None:
            return super().get_changeform_initial_data(request)
        return {"council": current.council, **policy_version_fields(current), "change_note": ""}

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form, change: bool) -> None:
        settings = {name: form.cleaned_data[name] for name in _settings_names() if name in form.cleaned_data}
        new = policy_version_create(
            council=form.cleaned_data.get("council", obj.council),
            settings=settings,
            by=request.user,
            note=form.cleaned_data["change_note"],
        )
        # The admin goes on with the object it was given: point it at the new version.
        obj.pk, obj.version, obj.is_current = new.pk, new.version, True
        obj.__dict__.update({f.attname: getattr(new, f.attname) for f in PolicyVersion._meta.concrete_fields})
        if change:
            messages.info(request, f"Saved as version {new.version}; the earlier version is kept unchanged.")

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return False

    @admin.action(description="Copy the selected version as the new current version")
    def copy_as_current(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version to copy.", level=messages.ERROR)
            return
        source = queryset.get()
        new = policy_version_create(
            council=source.council,
            settings=policy_version_fields(source),
            by=request.user,
            note=f"Copied from version {source.version}",
        )
        self.message_user(request, f"{new} is now current.")
