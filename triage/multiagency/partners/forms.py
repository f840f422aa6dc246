"""The partner portal's forms: an agency's answer to a request, or its reasons for declining. They
validate input; the actions in ``triage.multiagency.requests`` decide and write."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from mash.form_fields import GovukDateField
from mash.forms import GovukFormMixin
from triage.multiagency.models import InformationRequest


class AnswerForm(GovukFormMixin, forms.Form):
    known = forms.ChoiceField(
        choices=InformationRequest.Known.choices,
        widget=forms.RadioSelect,
        label="Are the people known to your agency?",
        error_messages={"required": "Choose whether the people are known to your agency"},
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Summary of what you know",
        help_text="Needed when the people are known to your agency.",
    )
    risk_indicators = forms.MultipleChoiceField(
        choices=InformationRequest.RiskIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risk indicators",
        help_text="Select all that apply.",
    )
    date_checked = GovukDateField(
        label="Date your records were checked",
        help_text="For example, 23 11 2026",
        named="Date checked",
        required_message="Enter the date your records were checked",
    )
    free_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Anything else the MASH should know"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("known", legend_size=Size.SMALL),
            Field.textarea("summary", label_size=Size.SMALL, rows=5),
            Field.checkboxes("risk_indicators", legend_size=Size.SMALL),
            Field("date_checked", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.textarea("free_text", label_size=Size.SMALL, rows=5),
        )

    def clean_date_checked(self):
        value = self.cleaned_data["date_checked"]
        if value > timezone.localdate():
            raise forms.ValidationError("Date checked must be today or in the past")
        return value

    def clean(self):
        data = super().clean()
        if data.get("known") == InformationRequest.Known.KNOWN and not (data.get("summary") or "").strip():
            self.add_error("summary", "Enter a summary of what your agency knows")
        return data


class DeclineForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why your agency is declining",
        error_messages={"required": "Enter why your agency is declining"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("reason", label_size=Size.SMALL, rows=4))


class AccessAddressForm(GovukFormMixin, forms.Form):
    """The one-time link's first step: the address the request was sent to, for the code."""

    email = forms.EmailField(
        label="Your email address",
        help_text="The address the MASH sent the request to. We will email a 6-digit code to it.",
        error_messages={
            "required": "Enter the email address the request was sent to",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class AccessCodeForm(GovukFormMixin, forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Code",
        help_text="The 6-digit code in the email we have just sent.",
        error_messages={
            "required": "Enter the 6-digit code from the email",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5 govuk-input--extra-letter-spacing",
            }
        ),
    )
