"""Forms of the sign-in, second-factor and break-glass pages (GOV.UK pattern via GovukFormMixin)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from mash.forms import GovukFormMixin
from mash.models import BreakGlassGrant


class TokenForm(GovukFormMixin, forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class EnrolForm(TokenForm):
    token = forms.CharField(
        label="Security code",
        help_text="Enter the 6-digit code your authenticator app shows for this service.",
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class GovukPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    pass


class BreakGlassRequestForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(label="Referral reference", max_length=20)
    reason = forms.CharField(
        label="Why do you need this record?",
        help_text="Say why you need it now and why you cannot get it through normal access. "
        "A privacy officer will review this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=2000,
    )


class BreakGlassReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Was this access justified?",
        choices=BreakGlassGrant.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this access was justified"},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("outcome", legend_size=Size.MEDIUM), "note")
