"""Triage forms: they validate input and hand it to ``triage.decisions``; they never save state."""

from __future__ import annotations

import re
from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Fluid, Layout, Size
from django import forms

from agencies.models import Team
from mash.codes import PrimaryNeed, ReferralSource
from mash.forms import GovukFormMixin
from mash.roles import mash_staff_users
from referrals.fields import DatePartsField
from referrals.states import Rag, Status

from .decisions import BATCH_RAGS, ChildDecisionInput
from .models_decisions import ConsentBasis, CseRiskMatrix
from .selectors import EdtFilters, QueueFilters, QueueSearch

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
LEVELS = [(n, f"Level {n}") for n in range(1, 5)]
# The status filter's "all" reaches closed and returned referrals too (to find one by reference).
ALL_STATUSES = "all"
SEARCH_MAX = 100
SEARCH_HINT = "A reference, part of a child's first or last name, or a date of birth such as 27/3/2018"
MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september"]
MONTH_NAMES += ["october", "november", "december"]
# "March" or "Mar" (and "Sept"), never any word that merely starts like a month ("Marsh").
MONTHS = {name: n for n, full in enumerate(MONTH_NAMES, 1) for name in (full, full[:3])} | {"sept": 9}
# 27/3/2018, 27-03-2018, 27.3.2018 or 2018-03-27: the ways a date of birth gets typed.
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{1,4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")
# 27 March 2018 (as the service writes dates) or 27 Mar 2018.
WORDED_DATE = re.compile(r"\b(\d{1,2})\s+([a-z]{3,9})\s+(\d{4})\b", re.IGNORECASE)
BAD_DATE = "Enter a real date of birth in the search, for example 27/3/2018"


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _real_date(year: int, month: int, day: int) -> date:
    if year < 1000:
        raise forms.ValidationError("Enter the year of birth in full in the search, for example 27/3/2018")
    try:
        return date(year, month, day)
    except ValueError:
        raise forms.ValidationError(BAD_DATE) from None


def _worded_date(match: re.Match) -> date | None:
    day, month_name, year = match.groups()
    month = MONTHS.get(month_name.lower())
    if month is None:
        return None  # "12 Marsh Lane 2019" is not a date: its words stay search terms
    return _real_date(int(year), month, int(day))


def parse_search(text: str) -> QueueSearch:
    """A search as typed -> references, name parts and at most one date of birth. Anything with a
    digit that is not a date is taken as (part of) a reference: names have no digits."""
    dates: list[date] = []

    def take_worded(match: re.Match) -> str:
        found = _worded_date(match)
        if found is None:
            return match.group(0)
        dates.append(found)
        return " "

    text = WORDED_DATE.sub(take_worded, text.replace("\u2019", "'"))
    references: list[str] = []
    names: list[str] = []
    for term in text.split():
        numeric = NUMERIC_DATE.match(term)
        if numeric:
            d, m, y, iy, im, idd = numeric.groups()
            dates.append(_real_date(int(y), int(m), int(d)) if d else _real_date(int(iy), int(im), int(idd)))
        elif any(ch.isdigit() for ch in term):
            references.append(term)
        else:
            names.append(term)
    if len(set(dates)) > 1:
        raise forms.ValidationError("Enter one date of birth in the search, not two")
    return QueueSearch(
        references=tuple(references), names=tuple(names), date_of_birth=dates[0] if dates else None
    )


class QueueSearchForm(GovukFormMixin, forms.Form):
    """The search every queue offers: by reference, a child's name (any part) or date of birth."""

    q = forms.CharField(
        label="Search by reference, child's name or date of birth",
        required=False,
        max_length=SEARCH_MAX,
        strip=True,
        help_text=SEARCH_HINT,
        # crispy-forms-gds gives a TextInput the GOV.UK class and takes its type from "input_type".
        widget=forms.TextInput(attrs={"input_type": "search", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "null_characters_not_allowed": "The search can only contain letters, numbers and punctuation",
            "max_length": f"The search must be {SEARCH_MAX} characters or fewer",
        },
    )

    # The fields set out in the grid below the search; the search box sits on its own.
    filter_fields: tuple[str, ...] = ()
    filter_column = "govuk-grid-column-one-quarter"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [
            Div(
                Field(name, context={"label_size": "govuk-label--s"}),
                css_class=self.filter_column,
            )
            for name in self.filter_fields
        ]
        self.helper.layout = Layout(Div(*columns, css_class="govuk-grid-row"))
        # The search box is drawn on its own, above the filters: ``{% crispy form form.search_helper %}``.
        self.search_helper = FormHelper(self)
        self.search_helper.form_tag, self.search_helper.disable_csrf = False, True
        self.search_helper.layout = Layout(Field.text("q", label_size=Size.MEDIUM, field_width=Fluid.FULL))

    def clean_q(self) -> QueueSearch | None:
        text = self.cleaned_data["q"]
        if not text:
            return None
        search = parse_search(text)
        return search if search else None

    @property
    def search_text(self) -> str:
        """What was searched for, as typed (for the audit row and the page); empty if nothing."""
        return (self.data.get("q") or "").strip()[:SEARCH_MAX] if self.is_bound else ""

    def search(self) -> QueueSearch | None:
        return self.cleaned_data.get("q") if self.is_valid() else None


class QueueFilterForm(QueueSearchForm):
    status = forms.ChoiceField(
        choices=[("", "Any open status"), (ALL_STATUSES, "Any status, including closed"), *Status.choices],
        required=False,
    )
    rag = forms.ChoiceField(label="RAG", choices=[("", "Any"), *Rag.choices], required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), required=False, empty_label="Any"
    )
    overdue = forms.ChoiceField(choices=YES_NO, required=False)
    out_of_hours = forms.ChoiceField(label="Received out of hours", choices=YES_NO, required=False)
    domestic_abuse = forms.ChoiceField(label="Domestic abuse notification", choices=YES_NO, required=False)
    source = forms.ChoiceField(choices=[("", "Any"), *ReferralSource.choices], required=False)

    filter_fields = ("status", "rag", "team", "overdue", "out_of_hours", "domestic_abuse", "source")

    def to_filters(self) -> QueueFilters:
        """The filters as the selector takes them; an invalid form filters nothing (and says why)."""
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        status = data["status"]
        return QueueFilters(
            statuses=tuple(Status.values) if status == ALL_STATUSES else (status,) if status else (),
            rag=data["rag"],
            team_id=data["team"].pk if data["team"] else None,
            overdue=_yes_no(data["overdue"]),
            out_of_hours=_yes_no(data["out_of_hours"]),
            domestic_abuse=_yes_no(data["domestic_abuse"]),
            source=data["source"],
            search=data["q"],
        )


class EdtFilterForm(QueueSearchForm):
    """The EDT queue shows what waits for the EDT unless asked otherwise; "yes" finds what the EDT
    has acknowledged and the day team has not yet taken, so an acknowledged referral is not lost."""

    acknowledged = forms.ChoiceField(
        label="Acknowledged",
        choices=[
            ("no", "No, waiting for the EDT"),
            ("yes", "Yes, waiting for the day team"),
            ("any", "Either"),
        ],
        required=False,
    )

    filter_fields = ("acknowledged",)
    filter_column = "govuk-grid-column-one-half"  # room for the options' words

    def to_filters(self) -> EdtFilters:
        if not self.is_bound or not self.is_valid():
            return EdtFilters()
        chosen = self.cleaned_data["acknowledged"] or "no"
        return EdtFilters(acknowledged=_yes_no(chosen), search=self.cleaned_data["q"])


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

    def __init__(self, *args, level_routes: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if level_routes:  # the council routes by level of need: say where each level must go
            self.fields["level_of_need"].help_text = level_routes_text(level_routes)

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
    child = forms.TypedChoiceField(
        label="Which child's rating is changing?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child whose rating is changing"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is new since the last rating: it is kept in the history with the change.",
    )

    # Which child, the new decision as on the decision page, then why it changed.
    field_order = ["child", *DecisionFields.base_fields, "reason"]

    def __init__(self, data=None, *args, children=(), **kwargs):
        # The messages name the child the rating is for: the only one, or the one chosen.
        chosen = {str(c.pk): str(c) for c in children}.get((data or {}).get("child", ""))
        kwargs.setdefault("subject", str(children[0]) if len(children) == 1 else chosen or "")
        super().__init__(data, *args, **kwargs)
        self.fields["child"].choices = [(c.pk, str(c)) for c in children]
        if len(children) == 1:  # the only child: there is nothing to choose
            self.fields["child"].initial = children[0].pk


ROUTE_WORDS = {"early_help": "early help: rate Green", "mash": "the MASH: rate Red or Amber"}


def _levels(levels: list[int]) -> str:
    if len(levels) == 1:
        return f"level {levels[0]}"
    return "levels " + ", ".join(str(n) for n in levels[:-1]) + f" and {levels[-1]}"


def level_routes_text(routes: dict) -> str:
    """The policy's routing by level of need in words, for the level question's hint: "Under the
    council's policy, level 2 goes to early help: rate Green; levels 3 and 4 go to the MASH: rate
    Red or Amber; level 1 follows the RAG rating." """
    parts = []
    for route, words in ROUTE_WORDS.items():
        levels = sorted(int(level) for level, to in routes.items() if to == route)
        if levels:
            parts.append(f"{_levels(levels)} {'goes' if len(levels) == 1 else 'go'} to {words}")
    unrouted = [level for level, _ in LEVELS if str(level) not in routes]
    if unrouted:
        parts.append(f"{_levels(unrouted)} {'follows' if len(unrouted) == 1 else 'follow'} the RAG rating")
    return "Under the council's policy, " + "; ".join(parts) + "."


class CseMatrixForm(GovukFormMixin, forms.Form):
    """The CSE risk matrix that came with the referral, or was completed for it."""

    risk_level = forms.ChoiceField(
        label="Risk level the matrix gives",
        choices=CseRiskMatrix.RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level the matrix gives"},
    )
    completed_by = forms.CharField(
        label="Completed by",
        max_length=150,
        help_text="Their name and role, for example the referrer",
        error_messages={"required": "Enter who completed the risk matrix"},
    )
    completed_on = DatePartsField(
        label="Date completed",
        help_text="For example, 23 11 2026",
        required_message="Enter the date completed",
    )
    summary = forms.CharField(
        label="What the matrix found",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The indicators it records and anything the MASH should know",
        error_messages={"required": "Enter what the risk matrix found"},
    )


class ReasonForm(GovukFormMixin, forms.Form):
    """A page whose only question is why (the label and message say why what)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    reason_label = "Reason"
    reason_hint = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label, field.help_text = self.reason_label, self.reason_hint
        field.error_messages["required"] = f"Enter {self.reason_label[0].lower()}{self.reason_label[1:]}"


class StepUpForm(ReasonForm):
    reason_label = "Why the referral needs the MASH again"
    reason_hint = "What early help has learned that raises the concern: the MASH lead rates it again."


class ReturnForm(ReasonForm):
    reason_label = "Why the referral cannot progress without consent"
    reason_hint = "Who refused consent, or why they could not be asked, and when."


class ReassignForm(ReasonForm):
    to = forms.ModelChoiceField(
        label="Reassign to",
        queryset=None,
        empty_label="Choose a member of the MASH",
        error_messages={"required": "Choose who to reassign the referral to"},
    )
    reason_label = "Reason for reassigning"

    field_order = ["to", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = mash_staff_users()
        self.fields["to"].label_from_instance = lambda user: user.display_name


def _notification_label(referral) -> str:
    """'MASH-2026-000003: Leo Owens, Zoe Owens' (the children prefetched with the queue's rows)."""
    names = ", ".join(c.full_name or "Unborn child" for c in referral.children.all())
    return f"{referral.reference}: {names}" if names else referral.reference


class DaBatchForm(GovukFormMixin, forms.Form):
    referrals = forms.ModelMultipleChoiceField(
        label="Notifications to decide",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Standard-risk notifications not yet decided. Every child on each gets the same decision.",
        error_messages={"required": "Choose at least one notification to decide"},
    )
    rag = forms.ChoiceField(
        label="RAG rating", choices=[(r, Rag(r).label) for r in BATCH_RAGS], widget=forms.RadioSelect
    )
    level_of_need = forms.TypedChoiceField(
        label="Level of need", choices=LEVELS, coerce=int, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why this rating, in plain words."
    )
    primary_need = forms.ChoiceField(
        label="Primary need (CIN census)",
        choices=[("", "Not yet known"), *PrimaryNeed.choices],
        required=False,
    )
    advice_given = forms.CharField(
        label="Advice or signposting given",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required for Blue: what advice was given, or where the family was signposted.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrals"].queryset = candidates
        self.fields["referrals"].label_from_instance = _notification_label
