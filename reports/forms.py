"""The dashboard's filters and the statutory export's period. Forms validate; nothing is saved."""

from __future__ import annotations

from datetime import date, timedelta

from crispy_forms_gds.layout import Div, Field, Layout, Size
from django import forms
from django.utils import timezone

from agencies.models import Agency, Team
from mash.form_fields import GovukDateField
from mash.forms import GovukFormMixin

from .cin_census import census_year

DEFAULT_DAYS = 84  # twelve weeks: enough for a weekly trend line
MAX_DAYS = 731
DATE_HINT = "For example, 1 10 2026"
LEGEND_S = {"legend_size": "govuk-fieldset__legend--s"}
LABEL_S = {"label_size": "govuk-label--s"}


def _in_columns(*fields) -> Div:
    """Fields side by side, each in half the width (a date's three boxes need that much)."""
    return Div(
        *(Div(field, css_class="govuk-grid-column-one-half") for field in fields), css_class="govuk-grid-row"
    )


def _date(name: str) -> Field:
    return Field(name, context=LEGEND_S)


class PeriodForm(GovukFormMixin, forms.Form):
    # Links and bookmarks may carry a whole date (?start=2026-10-01); the boxes read it too.
    start = GovukDateField(
        label="Start date", help_text=DATE_HINT, named="Start date", required_message="Enter the start date"
    )
    end = GovukDateField(
        label="End date", help_text=DATE_HINT, named="End date", required_message="Enter the end date"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(_in_columns(_date("start"), _date("end")))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "End date must be the same as or after the start date")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "End date must be within two years of the start date")
            elif end > timezone.localdate() + timedelta(days=1):
                self.add_error("end", "End date must be today or in the past")
        return data

    @staticmethod
    def is_filled_in(data) -> bool:
        """Whether the period was given, whole or in boxes (else the defaults apply)."""
        return bool(data) and any(key.split("_")[0] in ("start", "end") for key in data)


class DashboardFilterForm(PeriodForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        empty_label="All agencies",
        label="Agency",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )

    def __init__(self, data=None, *, teams, agencies):
        today = timezone.localdate()
        data = data if self.is_filled_in(data) else None
        super().__init__(data, initial={"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today})
        self.fields["team"].queryset = teams
        self.fields["agency"].queryset = agencies
        self.helper.layout = Layout(
            _in_columns(_date("start"), _date("end")),
            _in_columns(Field("team", context=LABEL_S), Field("agency", context=LABEL_S)),
        )

    def values(self) -> dict:
        """The cleaned filters, or the defaults when the form was not filled in."""
        if self.is_bound:
            return self.cleaned_data
        return {**self.initial, "team": None, "agency": None}


class StatutoryForm(PeriodForm):
    la_code = forms.RegexField(
        regex=r"^\d{3}$",
        label="Local authority number",
        help_text="The Department's three-digit number for the council, for example 831.",
        error_messages={
            "required": "Enter the local authority number",
            "invalid": "Enter the three-digit local authority number, for example 831",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            _in_columns(_date("start"), _date("end")),
            Field.text("la_code", label_size=Size.SMALL, field_width=3),
        )

    @staticmethod
    def defaults(today: date | None = None) -> dict:
        start, end = census_year(today or timezone.localdate())
        return {"start": start, "end": min(end, today or timezone.localdate())}
