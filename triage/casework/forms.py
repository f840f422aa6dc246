"""Forms for the statutory items after allocation. They only parse; the rules are the actions'."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms

from mash.codes import AssessmentFactor, CategoryOfAbuse, ReasonForClosure
from mash.forms import GovukFormMixin
from mash.templatetags.govuk import govuk_date_of
from referrals.fields import DatePartsField

YES_NO = [("yes", "Yes"), ("no", "No")]
NO_FACTORS = "21"  # the census code for "no factors identified", which stands alone
DATE_HINT = "For example, 23 11 2026"


def _name(person) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def _date(label: str, *, required: bool = True, hint: str = DATE_HINT) -> DatePartsField:
    """A GOV.UK date input; its messages start from the label ("Date the ... must be a real date")."""
    return DatePartsField(
        label=label,
        help_text=hint,
        required_message=f"Enter the {label[0].lower()}{label[1:]}" if required else "",
    )


def _yes_no(label: str, *, required: bool = True, message: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": message or f"Choose yes or no: {label[0].lower()}{label[1:]}"},
    )


class _ChildForm(GovukFormMixin, forms.Form):
    # Which child the record is about: each form says it in its own words, since no child is named yet.
    child_question = "Which child is this about?"
    child_required = "Choose the child this is about"

    child = forms.ModelChoiceField(queryset=None, label="Child", widget=forms.RadioSelect)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].label = self.child_question
        self.fields["child"].error_messages["required"] = self.child_required
        self.fields["child"].queryset = children
        self.fields["child"].label_from_instance = _name


class AssessmentStartForm(_ChildForm):
    child_question = "Which child is the assessment about?"
    child_required = "Choose the child whose assessment started"

    started_on = _date("Date the assessment started")
    child_seen_on = _date(
        "Date the child was seen",
        required=False,
        hint=f"Leave empty if they have not been seen yet. {DATE_HINT}",
    )


class AssessmentAuthoriseForm(GovukFormMixin, forms.Form):
    assessment = forms.ModelChoiceField(
        queryset=None,
        label="Assessment",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the assessment to authorise"},
    )
    authorised_on = _date("Date the assessment was authorised")
    child_seen_on = _date(
        "Date the child was seen",
        required=False,
        hint=f"Leave empty if it is already recorded, or if the child was not seen. {DATE_HINT}",
    )
    factors = forms.MultipleChoiceField(
        choices=AssessmentFactor.choices,
        label="Factors identified at the end of the assessment",
        help_text="Choose every factor that applies, or 21 (no factors identified) on its own.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the factors identified (21 if there were none)"},
    )
    requires_support = _yes_no(
        "Was the child assessed as requiring children's social care support?",
        message="Choose yes or no: was the child assessed as requiring children's social care support",
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = (
            lambda a: f"{_name(a.child)}, started {govuk_date_of(a.started_on)}"
        )
        self.fields["factors"].choices = factor_choices()
        self.helper.layout = Layout(
            "assessment",
            "authorised_on",
            "child_seen_on",
            Field.checkboxes("factors", small=True),
            "requires_support",
        )


def factor_choices() -> list[Choice]:
    """The census factors, each led by its code so a worker finds "3A" by eye, and "no factors
    identified" last after an "or", as GOV.UK sets apart the answer that excludes the others."""
    factors = [
        Choice(code, f"{code}: {label}") for code, label in AssessmentFactor.choices if code != NO_FACTORS
    ]
    factors[-1].divider = "or"
    return [*factors, Choice(NO_FACTORS, f"{NO_FACTORS}: {AssessmentFactor(NO_FACTORS).label}")]


class S47StartForm(_ChildForm):
    child_question = "Which child is the section 47 enquiry about?"
    child_required = "Choose the child the section 47 enquiry is about"

    started_on = _date(
        "Date of the strategy discussion that started the enquiry",
        required=False,
        hint=f"Leave empty to use the date of the MASH's strategy discussion. {DATE_HINT}",
    )


class IcpcForm(GovukFormMixin, forms.Form):
    enquiry = forms.ModelChoiceField(
        queryset=None,
        label="Section 47 enquiry",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the section 47 enquiry"},
    )
    icpc_on = _date(
        "Date of the initial child protection conference",
        required=False,
        hint=f"Leave empty if a conference was not required. {DATE_HINT}",
    )
    not_required = forms.BooleanField(required=False, label="An initial conference was not required")
    cp_plan = _yes_no("Did the conference result in a child protection plan?", required=False)
    initial_category = forms.ChoiceField(
        choices=[("", "Not applicable"), *CategoryOfAbuse.choices],
        required=False,
        label="Initial category of abuse (with a plan)",
    )

    def clean(self):
        """The conference's rules as the action has them, each message on the answer it is about."""
        data = super().clean()
        held, not_required = data.get("icpc_on"), data.get("not_required")
        if "icpc_on" in self.errors:
            return data
        if held is None and not not_required:
            self.add_error(
                "icpc_on",
                "Enter the date of the initial conference, or tick that one was not required",
            )
        elif held is not None and not_required:
            self.add_error(
                "not_required", "Enter a conference date or tick that one was not required, not both"
            )
        elif held is not None and data.get("cp_plan") is None:
            self.add_error(
                "cp_plan", "Choose yes or no: did the conference result in a child protection plan"
            )
        elif data.get("cp_plan") and not data.get("initial_category"):
            self.add_error("initial_category", "Choose the initial category of abuse for the plan")
        return data

    def __init__(self, *args, enquiries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry"].queryset = enquiries
        self.fields["enquiry"].label_from_instance = (
            lambda e: f"{_name(e.child)}, started {govuk_date_of(e.started_on)}"
        )


class CinCloseForm(_ChildForm):
    child_question = "Whose child in need episode closed?"
    child_required = "Choose the child whose child in need episode closed"

    closed_on = _date("Date the child in need episode closed")
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *ReasonForClosure.choices],
        label="Reason for closure",
        error_messages={"required": "Choose the reason for closure"},
    )


class OversightForm(GovukFormMixin, forms.Form):
    """A team manager's management oversight note on an allocated case."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Management oversight",
        help_text="The direction you have given on the case since the last oversight.",
        error_messages={"required": "Write the management oversight: the direction given on the case"},
    )
