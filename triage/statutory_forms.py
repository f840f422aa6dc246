"""Forms for the statutory items after allocation. They only parse; the rules are the actions'."""

from __future__ import annotations

from django import forms

from mash.codes import AssessmentFactor, CategoryOfAbuse, ReasonForClosure
from mash.forms import GovukFormMixin

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text="For example, 23/11/2026",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}.", "invalid": "Enter a real date."},
    )


def _yes_no(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": f"Answer: {label[0].lower()}{label[1:]}"},
    )


class _ChildForm(GovukFormMixin, forms.Form):
    child = forms.ModelChoiceField(
        queryset=None, label="Child", error_messages={"required": "Choose a child."}
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["child"].label_from_instance = lambda c: f"{c.first_name} {c.last_name}".strip()


class AssessmentStartForm(_ChildForm):
    started_on = _date("Date the assessment started")
    child_seen_on = _date("Date the child was seen (if they have been)", required=False)


class AssessmentAuthoriseForm(GovukFormMixin, forms.Form):
    assessment = forms.ModelChoiceField(
        queryset=None, label="Assessment", error_messages={"required": "Choose the assessment."}
    )
    authorised_on = _date("Date the assessment was authorised")
    child_seen_on = _date("Date the child was seen (if not recorded already)", required=False)
    factors = forms.MultipleChoiceField(
        choices=AssessmentFactor.choices,
        label="Factors identified at the end of the assessment",
        help_text="Choose every factor that applies, or 21 (no factors identified) on its own.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        error_messages={"required": "Choose the factors identified (21 if there were none)."},
    )
    requires_support = _yes_no("Was the child assessed as requiring children's social care support?")

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = (
            lambda a: f"{a.child.first_name} {a.child.last_name}, started {a.started_on:%d/%m/%Y}"
        )


class S47StartForm(_ChildForm):
    started_on = _date(
        "Date of the strategy discussion that started the enquiry (leave empty for the MASH's)",
        required=False,
    )


class IcpcForm(GovukFormMixin, forms.Form):
    enquiry = forms.ModelChoiceField(
        queryset=None, label="S47 enquiry", error_messages={"required": "Choose the enquiry."}
    )
    icpc_on = _date("Date of the initial child protection conference", required=False)
    not_required = forms.BooleanField(
        required=False,
        label="An initial conference was not required",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    cp_plan = _yes_no("Did the conference result in a child protection plan?", required=False)
    initial_category = forms.ChoiceField(
        choices=[("", "Not applicable"), *CategoryOfAbuse.choices],
        required=False,
        label="Initial category of abuse (with a plan)",
    )

    def __init__(self, *args, enquiries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry"].queryset = enquiries
        self.fields["enquiry"].label_from_instance = (
            lambda e: f"{e.child.first_name} {e.child.last_name}, started {e.started_on:%d/%m/%Y}"
        )


class CinCloseForm(_ChildForm):
    closed_on = _date("Date the child in need episode closed")
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *ReasonForClosure.choices],
        label="Reason for closure",
        error_messages={"required": "Choose the reason for closure."},
    )
