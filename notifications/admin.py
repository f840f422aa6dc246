"""Administration: letter wording per outcome, and read-only views of letters, alerts, the outbox and
the sweeper's heartbeat (so a stopped beat is visible).

Letters, alerts and outbox messages are about a child's referral, so the admin shows their delivery
only: the referral's reference, never a recipient's address, a message's content or a name.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from mash.audit import record_write
from mash.outbox.delivery import outbox_retry

from .letters import PLACEHOLDERS, check_wording
from .models import Alert, Heartbeat, Letter, LetterTemplate, OutboxMessage
from .sweeper import HEARTBEAT_STALE_AFTER


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["outcome", "subject", "body"]

    def _checked(self, field: str) -> str:
        value = self.cleaned_data[field]
        try:
            check_wording(value)
        except ValueError as error:
            raise forms.ValidationError(
                f"{error}. Placeholders you can use: {', '.join(PLACEHOLDERS)}."
            ) from error
        return value

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body(self) -> str:
        return self._checked("body")


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["outcome", "subject", "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record_write("letter_template_saved", actor=request.user, obj=obj, reason="edited in the admin")


# A mail server's error can quote the address it refused.
EMAIL_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def without_addresses(text: str) -> str:
    return EMAIL_ADDRESS.sub("[address]", text)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = [
        "referral",
        "sequence",
        "outcome",
        "status",
        "attempts",
        "due_at",
        "sent_at",
        "delivery_error",
    ]
    list_filter = ["status", "outcome"]
    list_select_related = ["referral"]
    # The recipient is the referrer's address: delivery is judged by status and error, not by who.
    exclude = ["recipient", "last_error"]
    readonly_fields = ["delivery_error"]

    @admin.display(description="Last error")
    def delivery_error(self, obj: Letter) -> str:
        return without_addresses(obj.last_error)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["referral", "level", "deadline", "raised_at", "due_at", "team", "claimant", "manager"]
    list_filter = ["level"]
    list_select_related = ["referral", "deadline", "team", "claimant", "manager"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    # resent_in_doubt: sent again (same Message-ID) after an attempt stopped without its result.
    list_display = [
        "key",
        "kind",
        "status",
        "attempts",
        "resent_in_doubt",
        "next_attempt_at",
        "done_at",
        "delivery_error",
    ]
    list_filter = ["status", "kind"]
    # The payload may hold an address; the admin shows the delivery record, not the content.
    exclude = ["payload", "last_error"]
    readonly_fields = ["delivery_error"]
    actions = ["retry_now"]

    @admin.display(description="Last error")
    def delivery_error(self, obj: OutboxMessage) -> str:
        return without_addresses(obj.last_error)

    @admin.action(description="Retry the selected failed messages now")
    def retry_now(self, request, queryset):
        retried = 0
        for message in queryset.filter(status__in=["failed", "dead"]):
            outbox_retry(message, by=request.user)
            retried += 1
        self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_seen_at", "is_running", "details"]

    @admin.display(boolean=True, description="Running (no: beat, broker or every worker is down)")
    def is_running(self, obj: Heartbeat) -> bool:
        return timezone.now() - obj.last_seen_at <= HEARTBEAT_STALE_AFTER
