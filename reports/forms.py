"""The dashboard's filters and the statutory export's period. Forms validate; nothing is saved."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from agencies.models import Agency, Team
from mash.forms import GovukFormMixin

from .cin_census import census_year

DEFAULT_DAYS = 84  # twelve weeks: enough for a weekly trend line
MAX_DAYS = 731


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(GovukFormMixin, forms.Form):
    start = forms.DateField(label="From", widget=DateInput)
    end = forms.DateField(label="To", widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be the same as or after the start date.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "Choose a period of two years or less.")
            elif end > timezone.localdate() + timedelta(days=1):
                self.add_error("end", "The end date must be today or in the past.")
        return data


class DashboardFilterForm(PeriodForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, empty_label="All agencies", label="Agency"
    )

    def __init__(self, data=None, *, teams, agencies):
        today = timezone.localdate()
        data = data if data and ("start" in data or "end" in data) else None
        super().__init__(data, initial={"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today})
        self.fields["team"].queryset = teams
        self.fields["agency"].queryset = agencies

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
        error_messages={"invalid": "Enter the three-digit local authority number, for example 831."},
    )

    @staticmethod
    def defaults(today: date | None = None) -> dict:
        start, end = census_year(today or timezone.localdate())
        return {"start": start, "end": min(end, today or timezone.localdate())}
