"""Forms of the sign-in, second-factor and break-glass pages (GOV.UK pattern via GovukFormMixin)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from mash.forms import GovukFormMixin, LoginForm
from mash.models import BreakGlassGrant


class SignInForm(LoginForm):
    """The password step, with GOV.UK's plain words for a refusal."""

    error_messages = {
        "invalid_login": "Enter the username and password you were given. Both are case-sensitive",
        "inactive": "This account cannot sign in. Ask your administrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


def _code_input(width: int, **attrs) -> forms.TextInput:
    """A security-code box: the phone may offer the code, and nothing spellchecks it."""
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "class": f"govuk-input--width-{width}",
            **attrs,
        }
    )


class TokenForm(GovukFormMixin, forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=16,
        error_messages={"required": "Enter the security code from your authenticator app"},
        widget=_code_input(10),  # a recovery code is 10 characters
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class EnrolForm(TokenForm):
    token = forms.CharField(
        label="Security code",
        help_text="Enter the 6-digit code your authenticator app shows for this service.",
        max_length=6,
        error_messages={"required": "Enter the 6-digit code your authenticator app shows"},
        widget=_code_input(5, inputmode="numeric"),
    )


class GovukPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is wrong. Enter it again",  # nosec B105
        "password_mismatch": "The new passwords do not match. Enter the same new password twice",  # nosec B105
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        words = {
            "old_password": ("Current password", "Enter your current password"),
            "new_password1": ("New password", "Enter a new password"),
            "new_password2": ("New password again", "Enter the new password again"),
        }
        for name, (label, required) in words.items():
            self.fields[name].label = label
            self.fields[name].error_messages["required"] = required
        self.fields["new_password1"].help_text = (
            "At least 12 characters. Not a common password, not only numbers, and not like your name "
            "or username."
        )
        self.fields["new_password2"].help_text = ""


class BreakGlassRequestForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Referral reference",
        max_length=20,
        help_text="For example, MASH-2026-000123",
        error_messages={"required": "Enter the referral reference"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Why do you need this record?",
        help_text="Say why you need it now and why you cannot get it through normal access. "
        "Your manager and the MASH leads are e-mailed this at once, so do not write the child's name. "
        "A privacy officer will review this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=2000,
        error_messages={
            "required": "Enter why you need this record",
            "min_length": "Say more about why you need this record: at least 20 characters",
            "max_length": "Why you need this record must be 2,000 characters or fewer",
        },
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
