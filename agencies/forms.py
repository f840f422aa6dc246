"""Forms for information requests. They validate input; the actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from mash.codes import LawfulBasis
from mash.forms import GovukFormMixin

from .models import Agency, InformationRequest


class InformationRequestForm(GovukFormMixin, forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one agency."},
        help_text="The policy's default agencies for this RAG are ticked.",
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Enter what you are asking."}
    )
    lawful_basis = forms.ChoiceField(
        choices=LawfulBasis.choices, error_messages={"required": "Choose the lawful basis for sharing."}
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = (
            agencies if agencies is not None else Agency.objects.filter(is_active=True)
        )
        self.fields["agencies"].widget.attrs["class"] = "govuk-checkboxes__input"


class AnswerForm(GovukFormMixin, forms.Form):
    known = forms.ChoiceField(
        choices=InformationRequest.Known.choices,
        widget=forms.RadioSelect,
        label="Are the people known to your agency?",
        error_messages={"required": "Say whether the people are known to your agency."},
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Summary of what you know"
    )
    risk_indicators = forms.MultipleChoiceField(
        choices=InformationRequest.RiskIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risk indicators",
    )
    date_checked = forms.DateField(
        label="Date your records were checked",
        help_text="For example, 23/11/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date your records were checked.",
            "invalid": "Enter a real date, for example 23/11/2026.",
        },
    )
    free_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Anything else the MASH should know"
    )

    def clean_date_checked(self):
        value = self.cleaned_data["date_checked"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date checked cannot be in the future.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("known") == InformationRequest.Known.KNOWN and not (data.get("summary") or "").strip():
            self.add_error("summary", "Summarise what your agency knows.")
        return data


class DeclineForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why your agency is declining",
        error_messages={"required": "Enter why your agency is declining."},
    )
