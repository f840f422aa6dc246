"""Forms for the information request, discussion, strategy, outcome, allocation and challenge pages.
They validate input; the actions in ``triage.multiagency.requests`` and ``triage.multiagency.actions``
decide and write."""

from __future__ import annotations

import re
from datetime import datetime, time

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.html import conditional_escape

from agencies.models import Agency, Team
from mash.codes import LawfulBasis, PrimaryNeed
from mash.forms import GovukFormMixin
from referrals.fields import PARTS, DatePartsField
from referrals.states import Rag
from triage.multiagency.models import Outcome
from triage.multiagency.rota import DUTY_DESTINATIONS

# A whole date and time sent under the field's own name (older clients and the tests' posts).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]
TIME_PART = "time"
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")
LEVELS = [(n, f"Level {n}") for n in range(1, 5)]


def relayout(form: forms.Form) -> None:
    """Rebuild the crispy helper after fields are added in ``__init__``: the helper's layout is the
    list of fields as they were when it was made, so a field added later would not be shown."""
    form.helper = FormHelper(form)
    form.helper.form_tag = False
    form.helper.disable_csrf = True


def parse_time(text: str) -> time | None:
    """'14:30', '2:30pm', '2.30pm', '2pm', 'midday', 'midnight' -> a time; anything else None."""
    text = text.strip().lower().replace(" ", "")
    named = {"midday": time(12), "noon": time(12), "midnight": time(0)}
    if text in named:
        return named[text]
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # "14" alone is not clearly a time
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class DateTimePartsWidget(forms.MultiWidget):
    """The GOV.UK date input (day, month, year) with a time box after it."""

    template_name = "gds/widgets/date.html"

    def __init__(self, attrs=None):
        widths = {"day": 2, "month": 2, "year": 4, TIME_PART: 5}
        boxes = {
            part: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{widths[part]}",
                    "label": part.capitalize(),
                    **({"inputmode": "numeric"} if part in PARTS else {}),
                }
            )
            for part in (*PARTS, TIME_PART)
        }
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value)
            return [str(local.day), str(local.month), str(local.year), f"{local:%H:%M}"]
        return [None, None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = [f"{name}_{part}" for part in (*PARTS, TIME_PART)]
        if name in data and not any(part in data for part in parts):
            return self._whole(data.get(name))
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    @staticmethod
    def _whole(value) -> list[str]:
        for pattern in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(str(value), pattern)
            except ValueError:
                continue
            return [str(moment.day), str(moment.month), str(moment.year), f"{moment:%H:%M}"]
        return ["?", "?", "?", "?"] if value not in (None, "") else ["", "", "", ""]


class DateTimePartsField(forms.MultiValueField):
    """When something happened, in UK time: a GOV.UK date input and a time ("2:30pm" or "14:30")."""

    widget = DateTimePartsWidget

    def __init__(self, *, label: str, required_message: str, **kwargs):
        self.required_message = required_message
        self.date = DatePartsField(label=label, required_message=required_message)
        fields = tuple(forms.CharField(required=False, max_length=10) for _ in range(4))
        super().__init__(fields, require_all_fields=False, required=False, label=label, **kwargs)

    def clean(self, value):
        parts = [(str(part).strip() if part is not None else "") for part in (value or ["", "", "", ""])]
        return self.compress(parts if len(parts) == 4 else ["?"] * 4)

    def compress(self, data_list) -> datetime | None:
        *day_month_year, at = data_list
        if not any(data_list):
            raise forms.ValidationError(self.required_message, code="required")
        on = self.date.compress(day_month_year)
        if on is None:
            raise forms.ValidationError(f"{self.label} must include a day, month and year", code="incomplete")
        if not at:
            raise forms.ValidationError(f"{self.label} must include a time", code="incomplete")
        moment = parse_time(at)
        if moment is None:
            raise forms.ValidationError(
                f"{self.label} must have a real time, like 2:30pm or 14:30", code="invalid"
            )
        return timezone.make_aware(datetime.combine(on, moment))


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
                raise forms.ValidationError(
                    f"Give the agency or team after a comma for each attendee: “{line.strip()}”"
                )
            rows.append({"name": name.strip(), "agency": agency.strip()})
        if not rows and self.required:
            raise forms.ValidationError("Enter who attended, one a line: name, agency or team")
        return rows


def _when(label: str) -> DateTimePartsField:
    return DateTimePartsField(
        label=label,
        required_message=f"Enter {label[0].lower()}{label[1:]}",
        help_text="For example, 23 11 2026 and a time such as 2:30pm or 14:30",
    )


def _rag_hint(rag: str) -> str:
    current = Rag(rag).label if rag in Rag.values else "not rated"
    return f"At the threshold decision: {current}. Choose it again to confirm it, or choose the new rating."


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


class MashDiscussionForm(GovukFormMixin, forms.Form):
    held_at = _when("When the discussion took place")
    attendees = AttendeesField(label="Who attended", help_text="One a line: name, agency or team")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Summary of the discussion",
        error_messages={"required": "Enter a summary of the discussion"},
    )
    level_of_need = forms.TypedChoiceField(
        choices=LEVELS,
        coerce=int,
        widget=forms.RadioSelect,
        label="Overall level of need",
        error_messages={"required": "Choose the overall level of need"},
    )
    rag_after = forms.ChoiceField(
        choices=Rag.choices,
        widget=forms.RadioSelect,
        label="RAG rating after the discussion",
        error_messages={"required": "Choose the RAG rating after the discussion (confirm it or change it)"},
    )
    rag_change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Why the rating changed (if it did)",
    )

    field_order = ["held_at", "attendees", "summary", "level_of_need", "rag_after", "rag_change_reason"]

    def __init__(self, *args, agencies=(), current_rag: str = "", current_level=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_rag = current_rag
        self.fields["rag_after"].help_text = _rag_hint(current_rag)
        if current_level:
            self.fields["level_of_need"].help_text = f"At the threshold decision: Level {current_level}."
        self.contribution_fields = []
        for agency in agencies:
            name = f"contribution_{agency.pk}"
            # The pack prints labels unescaped; an agency's name is data, so it is escaped here.
            self.fields[name] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                label=f"What {conditional_escape(agency.name)} said at the discussion",
            )
            self.contribution_fields.append(name)
        self.order_fields(["held_at", "attendees", *self.contribution_fields])
        relayout(self)

    def clean(self):
        data = super().clean()
        rag = data.get("rag_after")
        if (
            rag
            and self.current_rag
            and rag != self.current_rag
            and not (data.get("rag_change_reason") or "").strip()
        ):
            self.add_error("rag_change_reason", "Enter why the RAG rating changed")
        return data

    def contributions(self) -> dict[int, str]:
        return {
            int(name.rsplit("_", 1)[1]): self.cleaned_data.get(name, "") for name in self.contribution_fields
        }


class StrategyDecisionForm(GovukFormMixin, forms.Form):
    """The decision to hold a strategy discussion: its clock starts and the invitations go out."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why a strategy discussion is to be held",
        help_text="Every involved professional is invited by e-mail: the referrer if a professional, "
        "the agencies asked for information and the team holding the referral.",
        error_messages={"required": "Give the reason a strategy discussion is to be held"},
    )


class StrategyDiscussionForm(GovukFormMixin, forms.Form):
    held_at = _when("When the strategy discussion took place")
    attendees = AttendeesField(label="Who attended, by agency", help_text="One a line: name, agency")
    s47_enquiry = forms.TypedChoiceField(
        choices=[("yes", "Yes: start a section 47 enquiry"), ("no", "No section 47 enquiry")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Decision",
        error_messages={"required": "Choose whether a section 47 enquiry starts"},
    )
    decision_rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Rationale",
        error_messages={"required": "Enter the rationale for the decision"},
    )
    immediate_safety_actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Immediate safety actions"
    )


DESTINATIONS = [
    Choice(
        value,
        label,
        hint=(
            "Goes to a council team: choose the team and the primary need code"
            if value in Outcome.NEED_CODE_DESTINATIONS
            else "Goes to a council team: choose the team"
            if value in Outcome.TEAM_DESTINATIONS
            else "Choose the agency that will lead"
            if value == Outcome.Destination.OTHER_AGENCY_LEAD
            else "Closes the referral"
        ),
    )
    for value, label in Outcome.Destination.choices
]


class OutcomeForm(GovukFormMixin, forms.Form):
    destination = forms.ChoiceField(
        choices=DESTINATIONS,
        widget=forms.RadioSelect,
        label="Where the referral goes next",
        error_messages={"required": "Choose where the referral goes next"},
    )
    primary_need = forms.ChoiceField(
        choices=[("", "Not applicable"), *PrimaryNeed.choices],
        required=False,
        label="Primary need code",
        help_text="Needed where the referral goes on to a strategy discussion or an assessment",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Receiving team",
        empty_label="Choose a team",
        help_text="Needed for a strategy discussion, an assessment or early help",
    )
    lead_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Lead agency",
        empty_label="Choose an agency",
        help_text="Needed where another agency is the lead professional",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Decision and rationale",
        error_messages={"required": "Enter the decision and its rationale"},
    )
    recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Recommendations",
        error_messages={"required": "Enter the recommendations for the receiving team"},
    )

    def __init__(self, *args, teams=None, agencies=None, duty_team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_team = duty_team
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        if duty_team is not None:
            # Left as it is, S17 and S47 work goes to the team on duty today (the policy's rota).
            self.fields["team"].empty_label = f"Today's duty team ({duty_team}) for S17 and S47"
        self.fields["lead_agency"].queryset = agencies if agencies is not None else Agency.objects.none()

    def clean(self):
        """The action's rules, checked here too so each message sits on the field it is about."""
        data = super().clean()
        destination = data.get("destination")
        if not destination:
            return data
        if destination in Outcome.NEED_CODE_DESTINATIONS and not data.get("primary_need"):
            self.add_error(
                "primary_need",
                "Choose the primary need code: the referral goes on as a child in need episode",
            )
        by_rota = self.duty_team is not None and destination in DUTY_DESTINATIONS
        if destination in Outcome.TEAM_DESTINATIONS and not data.get("team") and not by_rota:
            self.add_error("team", "Choose the team the referral goes to")
        if destination not in Outcome.TEAM_DESTINATIONS and data.get("team"):
            self.add_error(
                "team",
                "Do not choose a team for this outcome: only strategy, assessment and early help go to "
                "a council team",
            )
        if destination == Outcome.Destination.OTHER_AGENCY_LEAD and not data.get("lead_agency"):
            self.add_error("lead_agency", "Choose the agency that will be the lead professional")
        return data


class AllocationForm(GovukFormMixin, forms.Form):
    worker = forms.ModelChoiceField(
        queryset=None,
        label="Social worker",
        empty_label="Choose a social worker",
        error_messages={"required": "Choose the social worker to allocate the referral to"},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Note for the social worker (optional)",
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda user: user.display_name


class ChallengeForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        max_length=20,
        label="Referral reference",
        help_text="It is on the outcome letter, for example MASH-2026-000123",
        error_messages={"required": "Enter the referral reference from the outcome letter"},
    )
    email = forms.EmailField(
        label="The email address you gave when you referred",
        error_messages={
            "required": "Enter the email address you gave when you referred",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    name = forms.CharField(max_length=150, label="Your name", error_messages={"required": "Enter your name"})
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Why you disagree with the outcome",
        error_messages={"required": "Enter why you disagree with the outcome"},
    )


class ChallengeResponseForm(GovukFormMixin, forms.Form):
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your response",
        help_text="Recorded with the challenge; tell the professional your answer as well",
        error_messages={"required": "Enter your response to the challenge"},
    )


class DutyRotaForm(GovukFormMixin, forms.Form):
    """One choice of team per day of the rota (left empty: nobody is on the rota that day)."""

    def __init__(self, *args, days, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = [row.day for row in days]
        for row in days:
            self.fields[self.name_for(row.day)] = forms.ModelChoiceField(
                queryset=teams,
                required=False,
                empty_label="No team set",
                initial=row.team,
                label=f"{row.day:%A} {row.day.day} {row.day:%B}",
            )

    @staticmethod
    def name_for(day) -> str:
        return f"day_{day.isoformat()}"

    def chosen(self) -> dict:
        return {day: self.cleaned_data.get(self.name_for(day)) for day in self.days}
