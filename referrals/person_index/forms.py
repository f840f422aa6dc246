"""Forms for the known-child check and for merging index records. They validate; actions write."""

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from mash.forms import GovukFormMixin


class MatchDecisionForm(GovukFormMixin, forms.Form):
    """One answer about one candidate: the page holds one per (person named, index record), each with
    its own prefix so their controls and error links never share an id."""

    DECISIONS = (("confirm", "Yes, this is the same person"), ("reject", "No, this is a different person"))

    decision = forms.ChoiceField(
        choices=DECISIONS, widget=forms.RadioSelect, label="Is this the same person?"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Why",
        help_text="Required when it is a different person",
    )

    def __init__(self, *args, record: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        who, which = self.subject or "this person", f"record {record}" if record else "this record"
        self.different_message = f"Enter why {which} is a different person from {who}"
        self.fields["decision"].error_messages["required"] = f"Choose whether {which} is {who}"
        self.fields["reason"].error_messages["max_length"] = (
            f"Why {which} is a different person must be 2,000 characters or fewer"
        )
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL), Field.textarea("reason", rows=2)
        )

    @staticmethod
    def prefix_for(kind: str, subject_id: int, person_id: int) -> str:
        return f"{kind}-{subject_id}-{person_id}"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", self.different_message)
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("other", label_size=Size.SMALL, field_width=10),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
        )


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why the merge is being undone",
        error_messages={"required": "Enter why the merge is being undone"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("reason", label_size=Size.SMALL, rows=3))
