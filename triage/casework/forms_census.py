"""Forms for the census items beside the assessment and the enquiry: the child's UPN, disabilities,
birth and death, and the child in need and child protection plans. They parse; the rules are the
actions' (``triage.casework.actions_census``), except the UPN's shape, checked here too so the
message sits on the box it is about."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms

from mash.codes import CategoryOfAbuse, CpPlanEndReason, Disability, EmergencyProtection, Sex, UpnUnknown
from mash.forms import GovukFormMixin
from mash.templatetags.govuk import govuk_date_of
from mash.upn import upn_error
from triage.casework.forms import DATE_HINT, _ChildForm, _date, _yes_no


def child_label(child) -> str:
    """A child by name; an unborn child, who has none yet, by the date they are expected."""
    name = f"{child.first_name} {child.last_name}".strip()
    if name:
        return name
    expected = child.expected_date_of_birth
    return f"Unborn child, expected {govuk_date_of(expected)}" if expected else "Unborn child"


class _CensusChildForm(_ChildForm):
    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, children=children, **kwargs)
        self.fields["child"].label_from_instance = child_label


def _upn_box(label: str, hint: str) -> forms.CharField:
    return forms.CharField(label=label, help_text=hint, required=False, max_length=20)


class ChildIdentifiersForm(_CensusChildForm):
    child_question = "Whose UPN is this?"
    child_required = "Choose the child whose UPN you are recording"

    upn = _upn_box("Unique pupil number (UPN)", "13 characters, for example H801200001001")
    upn_unknown = forms.ChoiceField(
        choices=[("", "The UPN is known"), *((code, f"{code}: {text}") for code, text in UpnUnknown.choices)],
        required=False,
        label="If the UPN is not known, why not",
    )
    former_upn = _upn_box("Former UPN", "Only if the child's UPN has changed")

    def _checked(self, name: str, field: str) -> str:
        value = self.cleaned_data.get(name, "")
        if value and (problem := upn_error(value, field=field)):
            raise forms.ValidationError(problem)
        return value

    def clean_upn(self) -> str:
        return self._checked("upn", "UPN")

    def clean_former_upn(self) -> str:
        return self._checked("former_upn", "former UPN")

    def clean(self):
        data = super().clean()
        if "upn" in self.errors:
            return data
        if not data.get("upn") and not data.get("upn_unknown"):
            self.add_error("upn", "Enter the UPN, or choose why it is not known")
        elif data.get("upn") and data.get("upn_unknown"):
            self.add_error("upn_unknown", "Enter the UPN or choose why it is not known, not both")
        return data


def disability_choices() -> list[Choice]:
    """The census codes, each led by its code, and NONE last after an "or": it excludes the rest."""
    codes = [
        Choice(code, f"{code}: {label}") for code, label in Disability.choices if code != Disability.NONE
    ]
    codes[-1].divider = "or"
    return [*codes, Choice(Disability.NONE, f"{Disability.NONE}: {Disability.NONE.label}")]


class ChildDisabilitiesForm(_CensusChildForm):
    child_question = "Whose disabilities are these?"
    child_required = "Choose the child whose disabilities you are recording"

    codes = forms.MultipleChoiceField(
        choices=Disability.choices,
        label="Disabilities",
        help_text="Choose every one that applies, or NONE on its own. This replaces what was recorded.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the child's disabilities, or NONE (no disability)"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = disability_choices()
        self.helper.layout = Layout("child", Field.checkboxes("codes", small=True))


class ChildBirthForm(_CensusChildForm):
    child_question = "Which unborn child was born?"
    child_required = "Choose the child who was born"

    born_on = _date("Date of birth")
    # The census Sex codes; U, which stands for "unborn" before the birth, now means not known.
    sex = forms.ChoiceField(
        choices=[(Sex.MALE, "Male"), (Sex.FEMALE, "Female"), (Sex.UNKNOWN, "Not known")],
        label="Sex",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's sex: male, female or not known"},
    )
    first_name = forms.CharField(
        label="First name", required=False, max_length=100, help_text="Leave empty if not named yet"
    )
    last_name = forms.CharField(
        label="Last name", required=False, max_length=100, help_text="Leave empty to keep the one recorded"
    )


class ChildDeathForm(_CensusChildForm):
    child_question = "Which child died?"
    child_required = "Choose the child who died"

    died_on = _date("Date of death")


class AssessmentInternalReviewForm(GovukFormMixin, forms.Form):
    assessment = forms.ModelChoiceField(
        queryset=None,
        label="Assessment",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the assessment that was reviewed"},
    )
    reviewed_on = _date("Date of the internal review")

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = _plan_label


class CinPlanStartForm(_CensusChildForm):
    child_question = "Which child is the child in need plan for?"
    child_required = "Choose the child the plan is for"

    started_on = _date("Date the child in need plan started")


def _plan_label(plan) -> str:
    return f"{child_label(plan.child)}, started {govuk_date_of(plan.started_on)}"


class _PlanForm(GovukFormMixin, forms.Form):
    plan_label = "Plan"
    plan_required = "Choose the plan"

    plan = forms.ModelChoiceField(queryset=None, label="Plan", widget=forms.RadioSelect)

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].label = self.plan_label
        self.fields["plan"].error_messages["required"] = self.plan_required
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = _plan_label


class CinPlanReviewForm(_PlanForm):
    plan_label = "Child in need plan"
    plan_required = "Choose the child in need plan that was reviewed"

    reviewed_on = _date("Date of the review")


class CinPlanEndForm(_PlanForm):
    plan_label = "Child in need plan"
    plan_required = "Choose the child in need plan that ended"

    ended_on = _date("Date the plan ended")


class CpPlanStartForm(GovukFormMixin, forms.Form):
    enquiry = forms.ModelChoiceField(
        queryset=None,
        label="Initial conference that decided on a child protection plan",
        help_text="The plan starts on the conference's date, with its category of abuse.",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the initial conference that decided on the plan"},
    )

    def __init__(self, *args, enquiries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry"].queryset = enquiries
        self.fields["enquiry"].label_from_instance = lambda e: (
            f"{child_label(e.child)}: conference on {govuk_date_of(e.icpc_on)},"
            f" {e.get_initial_category_display().lower()}"
        )


class CpPlanReviewForm(_PlanForm):
    plan_label = "Child protection plan"
    plan_required = "Choose the child protection plan that was reviewed"

    reviewed_on = _date("Date of the review conference")


class CpVisitForm(_PlanForm):
    plan_label = "Child protection plan"
    plan_required = "Choose the child protection plan the child was visited under"

    visited_on = _date("Date of the visit")
    child_seen = _yes_no("Was the child seen?")
    seen_alone = _yes_no("Was the child seen alone?")


class CpPlanCategoryForm(_PlanForm):
    plan_label = "Child protection plan"
    plan_required = "Choose the child protection plan whose category changed"

    category = forms.ChoiceField(
        choices=[("", "Choose a category"), *CategoryOfAbuse.choices],
        label="New category of abuse",
        error_messages={"required": "Choose the new category of abuse"},
    )
    changed_on = _date("Date the category changed")


# A death ends the plan through the date of death (ChildDeathForm), not here.
END_REASONS = [(value, label) for value, label in CpPlanEndReason.choices if value != CpPlanEndReason.DIED]


class CpPlanEndForm(_PlanForm):
    plan_label = "Child protection plan"
    plan_required = "Choose the child protection plan that ended"

    ended_on = _date("Date the plan ended")
    reason = forms.ChoiceField(
        choices=END_REASONS,
        label="Why did the plan end?",
        help_text="If the child died, record the date of death instead: it ends the plan.",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the child protection plan ended"},
    )


EMERGENCY_PROTECTION = "emergency protection order or police protection"


def _enquiry_label(enquiry) -> str:
    label = f"{child_label(enquiry.child)}: enquiry started {govuk_date_of(enquiry.started_on)}"
    if not enquiry.emergency_protection:
        return label
    answer = enquiry.get_emergency_protection_display().lower()
    when = f" ({govuk_date_of(enquiry.emergency_protection_on)})" if enquiry.emergency_protection_on else ""
    return f"{label}, recorded as {answer}{when}"


class S47EmergencyProtectionForm(GovukFormMixin, forms.Form):
    enquiry = forms.ModelChoiceField(
        queryset=None,
        label="Section 47 enquiry",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the section 47 enquiry"},
    )
    used = forms.ChoiceField(
        choices=EmergencyProtection.choices,
        widget=forms.RadioSelect,
        label=(
            "In the six months before the enquiry started, or since, was the child subject to an"
            " emergency protection order or taken into police protection?"
        ),
        error_messages={
            "required": f"Choose yes, no or not known: was the child under an {EMERGENCY_PROTECTION}"
        },
    )
    used_on = _date(
        "Date of the emergency protection order or police protection",
        required=False,
        hint="Only if yes: the day the order was made or the police took the child into protection"
        f" (the latest, if more than once). {DATE_HINT}",
    )

    def __init__(self, *args, enquiries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry"].queryset = enquiries
        self.fields["enquiry"].label_from_instance = _enquiry_label

    def clean(self):
        """The date goes with a yes only: each message on the answer it is about."""
        data = super().clean()
        if "used_on" in self.errors or "used" in self.errors:
            return data
        yes = data.get("used") == EmergencyProtection.YES
        if yes and data.get("used_on") is None:
            self.add_error("used_on", f"Enter the date of the {EMERGENCY_PROTECTION}")
        elif not yes and data.get("used_on") is not None:
            self.add_error(
                "used_on", f"Leave the date of the {EMERGENCY_PROTECTION} empty unless the answer is yes"
            )
        return data
