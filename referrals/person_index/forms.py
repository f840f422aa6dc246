"""Forms for the known-child check and for merging index records. They validate; actions write."""

from django import forms

from mash.forms import GovukFormMixin


class MatchDecisionForm(GovukFormMixin, forms.Form):
    DECISIONS = (("confirm", "Yes, this is the same person"), ("reject", "No, this is a different person"))

    decision = forms.ChoiceField(
        choices=DECISIONS,
        widget=forms.RadioSelect,
        label="Is this the same person?",
        error_messages={"required": "Select whether this is the same person"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Why",
        help_text="Required when it is a different person",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why this is a different person")
        return data


class MergeForm(GovukFormMixin, forms.Form):
    other = forms.CharField(
        max_length=20,
        label="The record to merge into this one",
        help_text="Its number in this service or its case-system ID",
        error_messages={"required": "Enter the number of the record to merge"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why these records are the same person",
        error_messages={"required": "Enter why these records are the same person"},
    )


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why",
        error_messages={"required": "Enter a reason"},
    )
