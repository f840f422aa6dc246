"""Forms for information requests. They validate input; the actions decide and write."""

from __future__ import annotations

import re
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Layout, Size
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mash.codes import LawfulBasis
from mash.forms import GovukFormMixin

from .models import Agency, InformationRequest

PARTS = ("day", "month", "year")


class DateBoxesWidget(DateInputWidget):
    """The GOV.UK date input (``<name>_0`` day, ``_1`` month, ``_2`` year). A link or an API client
    may send the date whole (``<name>=2026-11-23``): it fills the three boxes, so a bookmarked or
    shared address keeps working."""

    def value_from_datadict(self, data, files, name):
        if name in data and not any(f"{name}_{n}" in data for n in range(3)):
            try:
                whole = date.fromisoformat(str(data.get(name)))
            except ValueError:
                return ["?", "?", "?"] if data.get(name) else ["", "", ""]
            return [str(whole.day), str(whole.month), str(whole.year)]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovukDateField(DateInputField):
    """A date in three boxes with the GOV.UK messages, each naming the date ("Date checked must
    include a month"). The boxes a message is about are the ones outlined in red."""

    widget = DateBoxesWidget

    def __init__(self, *, named: str, required_message: str, **kwargs):
        super().__init__(**kwargs)
        self.named = named
        self.error_messages["required"] = required_message

    def clean(self, value):
        parts = [str(part).strip() if part is not None else "" for part in (value or ())]
        parts = (parts + ["", "", ""])[:3]
        for box in self.fields:
            box.widget.errors = []
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [n for n, part in enumerate(parts) if not part]
        if missing:
            message = f"{self.named} must include a {' and '.join(PARTS[n] for n in missing)}"
            for n in missing:
                self.fields[n].widget.errors = [message]
            raise ValidationError(message, code="incomplete")
        day = self._real_date(parts)
        self.validate(day)
        self.run_validators(day)
        return day

    def _real_date(self, parts: list[str]) -> date:
        invalid = ValidationError(f"{self.named} must be a real date", code="invalid")
        if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in parts) or len(parts[2]) != 4:
            raise invalid
        day, month, year = (int(part) for part in parts)
        try:
            return date(year, month, day)
        except ValueError:
            raise invalid from None


class InformationRequestForm(GovukFormMixin, forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one agency"},
        help_text="The policy's default agencies for this RAG are ticked.",
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Enter what you are asking"}
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=LawfulBasis.choices,
        error_messages={"required": "Choose the lawful basis for sharing"},
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = (
            agencies if agencies is not None else Agency.objects.filter(is_active=True)
        )
        # Kept only for a template that still writes each option's input itself; the GOV.UK
        # rendering ({% crispy form %}) ignores it.
        self.fields["agencies"].widget.attrs["class"] = "govuk-checkboxes__input"


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
