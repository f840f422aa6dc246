"""Forms of domestic abuse triage: they validate what a person typed and hand it to the actions."""

from __future__ import annotations

from crispy_forms_gds.layout import HTML, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from mash.form_fields import GovukDateField
from mash.forms import GovukFormMixin

from .actions import Minute
from .models import AgendaItem
from .selectors import AGENCY_NAMES


class MaracReferralForm(GovukFormMixin, forms.Form):
    referred_on = GovukDateField(
        label="Date referred to MARAC",
        help_text="For example, 27 11 2026",
        named="Date referred to MARAC",
        required_message="Enter the date the notification was referred to MARAC",
    )
    marac_reference = forms.CharField(
        label="MARAC reference", max_length=60, help_text="The reference the MARAC coordinator gave."
    )


class MinutesForm(GovukFormMixin, forms.Form):
    """Who attended for each of the meeting's agencies, then an outcome and a minute for each
    notification on the agenda not minuted yet."""

    def __init__(self, *args, agencies: list[str], items: list[AgendaItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        self.items = [item for item in items if not item.outcome]
        layout = []
        for agency in agencies:
            name = f"attendee_{agency}"
            self.fields[name] = forms.CharField(
                label=AGENCY_NAMES.get(agency, agency), required=False, max_length=150
            )
            layout.append(Field.text(name, field_width=Fluid.TWO_THIRDS))
        sections = [Fieldset(*layout, legend="Who attended", legend_size=Size.MEDIUM)]
        for item in self.items:
            outcome, minute = f"outcome_{item.pk}", f"minute_{item.pk}"
            self.fields[outcome] = forms.ChoiceField(
                label="Outcome",
                choices=[("", "Not discussed: carry to the next meeting"), *AgendaItem.Outcome.choices],
                required=False,
            )
            self.fields[minute] = forms.CharField(
                label="Minute", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            sections.append(
                Fieldset(
                    HTML(format_html('<p class="govuk-body">{}</p>', _about(item))),
                    Field.select(outcome),
                    Field.textarea(minute),
                    legend=f"Referral {item.referral.reference}",
                    legend_size=Size.SMALL,
                )
            )
        self.helper.layout = Layout(*sections)

    def attendees(self) -> dict[str, str]:
        return {agency: self.cleaned_data.get(f"attendee_{agency}", "") for agency in self.agencies}

    def minutes(self) -> dict[int, Minute]:
        return {
            item.pk: Minute(
                outcome=self.cleaned_data.get(f"outcome_{item.pk}", ""),
                text=self.cleaned_data.get(f"minute_{item.pk}", ""),
            )
            for item in self.items
        }


def _about(item: AgendaItem) -> str:
    children = ", ".join(str(child) for child in item.referral.children.all())
    grade = item.referral.get_domestic_abuse_risk_display()
    received = timezone.localtime(item.referral.received_at)
    return f"{children or 'No child named'}. {grade} risk, received {received:%d %B %Y %H:%M}."
