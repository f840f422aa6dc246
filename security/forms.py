"""Forms of the sign-in, second-factor and break-glass pages (GOV.UK pattern via GovukFormMixin)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils import timezone

from mash.forms import GovukFormMixin, LoginForm
from mash.models import BreakGlassGrant
from referrals.fields import DatePartsField


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


def _name_box(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=100,
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )


class BreakGlassRequestForm(GovukFormMixin, forms.Form):
    """The child the emergency is about (whole name and date of birth), the reason, and, once the
    search has found referrals about that child, which one. A reference is never typed: the view
    offers only what the search found (``candidates``) and ``referral`` accepts only one of those."""

    first_name = _name_box("Child's first name")
    last_name = _name_box("Child's last name")
    date_of_birth = DatePartsField(
        label="Child's date of birth",
        required_message="Enter the child's date of birth",
        help_text="For example, 27 3 2019. For an unborn child, the expected date of birth",
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

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates or [])
        if self.candidates:
            self.fields["referral"] = forms.ChoiceField(
                label="Which referral do you need?",
                choices=[(c.reference, _candidate_label(c)) for c in self.candidates],
                widget=forms.RadioSelect,
                # Required once the choice has been shown: the first answer only searches.
                required=self.data.get("step") == "choose",
                error_messages={
                    "required": "Choose the referral you need",
                    "invalid_choice": "Choose the referral you need from the ones found",
                },
            )
            self.order_fields(["first_name", "last_name", "date_of_birth", "referral", "reason"])
            self.helper.layout = Layout(
                "first_name",
                "last_name",
                "date_of_birth",
                Field.radios("referral", legend_size=Size.MEDIUM),
                "reason",
            )

    def search_terms(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("first_name", "last_name", "date_of_birth")}


def _candidate_label(candidate) -> str:
    received = timezone.localtime(candidate.received_at)
    return f"{candidate.reference}, received {received:%-d %B %Y}, about {candidate.child_name}"


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
