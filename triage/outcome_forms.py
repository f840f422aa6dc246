"""Forms for the discussion, strategy, outcome, allocation and challenge pages. They validate
input; the actions in ``triage.outcomes`` decide and write."""

from __future__ import annotations

from django import forms

from agencies.models import Agency, Team
from mash.codes import PrimaryNeed
from mash.forms import GovukFormMixin

from .models_outcomes import Outcome
from .states import Rag

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


class AttendeesField(forms.CharField):
    """One attendee a line, "Name, Agency or team" -> [{"name", "agency"}]."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value):
        text = super().to_python(value)
        rows = []
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            name, _, agency = line.partition(",")
            if not agency.strip():
                raise forms.ValidationError(f"Give the agency or team after a comma: “{line.strip()}”.")
            rows.append({"name": name.strip(), "agency": agency.strip()})
        if not rows and self.required:
            raise forms.ValidationError("Record who attended.")
        return rows


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        help_text="For example, 23/11/2026 14:30",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "Enter when it took place.", "invalid": "Enter a real date and time."},
    )


class MashDiscussionForm(GovukFormMixin, forms.Form):
    held_at = _when("When the discussion took place")
    attendees = AttendeesField(label="Attendees", help_text="One a line: name, agency or team")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Summary of the discussion")
    level_of_need = forms.TypedChoiceField(
        choices=[(n, f"Level {n}") for n in range(1, 5)], coerce=int, label="Overall level of need"
    )
    rag_after = forms.ChoiceField(choices=Rag.choices, label="RAG rating (confirm or change)")
    rag_change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Why the rating changed (if it did)"
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contribution_fields = []
        for agency in agencies:
            name = f"contribution_{agency.pk}"
            self.fields[name] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
                required=False,
                label=f"{agency.name}'s contribution",
            )
            self.contribution_fields.append(name)

    def contributions(self) -> dict[int, str]:
        return {
            int(name.rsplit("_", 1)[1]): self.cleaned_data.get(name, "") for name in self.contribution_fields
        }


class StrategyDiscussionForm(GovukFormMixin, forms.Form):
    held_at = _when("When the strategy discussion took place")
    attendees = AttendeesField(label="Attendees by agency", help_text="One a line: name, agency")
    s47_enquiry = forms.TypedChoiceField(
        choices=[("yes", "Yes: start a section 47 enquiry"), ("no", "No section 47 enquiry")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    decision_rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Rationale")
    immediate_safety_actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Immediate safety actions"
    )


class OutcomeForm(GovukFormMixin, forms.Form):
    destination = forms.ChoiceField(choices=Outcome.Destination.choices, label="Outcome")
    primary_need = forms.ChoiceField(
        choices=[("", "Not applicable"), *PrimaryNeed.choices],
        required=False,
        label="Primary need code",
        help_text="Required where the referral goes on to a strategy discussion or assessment",
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Receiving team")
    lead_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False, label="Lead agency")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Decision and rationale")
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Recommendations")

    def __init__(self, *args, teams=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["lead_agency"].queryset = agencies if agencies is not None else Agency.objects.none()


class AllocationForm(GovukFormMixin, forms.Form):
    worker = forms.ModelChoiceField(
        queryset=None, label="Worker", error_messages={"required": "Choose a worker."}
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note")

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda user: user.display_name


class ChallengeForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(max_length=20, label="Referral reference")
    email = forms.EmailField(label="The e-mail address you gave when you referred")
    name = forms.CharField(max_length=150, label="Your name")
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label="Why you disagree with the outcome"
    )


class ChallengeResponseForm(GovukFormMixin, forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Your response")
