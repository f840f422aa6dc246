"""Triage forms: they validate input and hand it to ``triage.decisions``; they never save state."""

from __future__ import annotations

from django import forms

from agencies.models import Team
from mash.codes import PrimaryNeed, ReferralSource
from mash.forms import GovukFormMixin

from .decisions import BATCH_RAGS, ChildDecisionInput
from .models_decisions import ConsentBasis
from .selectors import QueueFilters, mash_staff_users
from .states import Rag, Status

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
LEVELS = [(n, f"Level {n}") for n in range(1, 5)]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class QueueFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(choices=[("", "Open (in the queue)"), *Status.choices], required=False)
    rag = forms.ChoiceField(label="RAG", choices=[("", "Any"), *Rag.choices], required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), required=False, empty_label="Any"
    )
    overdue = forms.ChoiceField(choices=YES_NO, required=False)
    out_of_hours = forms.ChoiceField(label="Received out of hours", choices=YES_NO, required=False)
    domestic_abuse = forms.ChoiceField(label="Domestic abuse notification", choices=YES_NO, required=False)
    source = forms.ChoiceField(choices=[("", "Any"), *ReferralSource.choices], required=False)

    def to_filters(self) -> QueueFilters:
        """The filters as the selector takes them; an invalid form filters nothing (and says why)."""
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            statuses=(data["status"],) if data["status"] else (),
            rag=data["rag"],
            team_id=data["team"].pk if data["team"] else None,
            overdue=_yes_no(data["overdue"]),
            out_of_hours=_yes_no(data["out_of_hours"]),
            domestic_abuse=_yes_no(data["domestic_abuse"]),
            source=data["source"],
        )


class DecisionFields(GovukFormMixin, forms.Form):
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices, widget=forms.RadioSelect)
    level_of_need = forms.TypedChoiceField(
        label="Level of need", choices=LEVELS, coerce=int, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Why this rating, in plain words."
    )
    primary_need = forms.ChoiceField(
        label="Primary need (CIN census)",
        choices=[("", "Not yet known"), *PrimaryNeed.choices],
        required=False,
    )
    consent_basis = forms.ChoiceField(label="Consent", choices=ConsentBasis.choices, widget=forms.RadioSelect)
    consent_reason = forms.CharField(
        label="Consent note",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Who gave consent and when, or why the decision proceeds without it.",
    )
    advice_given = forms.CharField(
        label="Advice or signposting given",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required for Blue: what advice was given, or where the family was signposted.",
    )

    def decision_for(self, child_id: int) -> ChildDecisionInput:
        data = self.cleaned_data
        return ChildDecisionInput(
            child_id=child_id,
            rag=data["rag"],
            level_of_need=data["level_of_need"],
            rationale=data["rationale"],
            primary_need=data["primary_need"],
            consent_basis=data["consent_basis"],
            consent_reason=data["consent_reason"],
            advice_given=data["advice_given"],
        )


class ChangeRagForm(DecisionFields):
    child = forms.TypedChoiceField(label="Child", coerce=int)
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["child", "rag", "level_of_need", "rationale", "reason"]

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, str(c)) for c in children]


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(ReasonForm):
    to = forms.ModelChoiceField(label="Reassign to", queryset=None)

    field_order = ["to", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = mash_staff_users()
        self.fields["to"].label_from_instance = lambda user: user.display_name


class DaBatchForm(GovukFormMixin, forms.Form):
    referrals = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    rag = forms.ChoiceField(
        label="RAG rating", choices=[(r, Rag(r).label) for r in BATCH_RAGS], widget=forms.RadioSelect
    )
    level_of_need = forms.TypedChoiceField(label="Level of need", choices=LEVELS, coerce=int)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    primary_need = forms.ChoiceField(
        label="Primary need (CIN census)",
        choices=[("", "Not yet known"), *PrimaryNeed.choices],
        required=False,
    )
    advice_given = forms.CharField(
        label="Advice or signposting given", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrals"].queryset = candidates
        self.fields["referrals"].label_from_instance = lambda referral: referral.reference
