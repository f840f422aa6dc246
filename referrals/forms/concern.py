"""The concern, what has been tried, the child's and family's views, and consent."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from mash.codes import DomesticAbuseRisk

from ..fields import DatePartsField, radios, text
from ..models import Referral
from ..validation import years_before
from .base import LONG, SHORT, YES_NO_NOT_KNOWN, IntakeForm, today, yes_no_value


class ConcernForm(IntakeForm):
    title = "Your concern"
    concerns = text(
        "What are you worried about?",
        max_length=LONG,
        long=True,
        required="Enter what you are worried about",
        hint="Say what you have seen or heard, when, and who told you",
    )
    risks = text(
        "What do you think the risks to the child are, and why?",
        max_length=LONG,
        long=True,
        required="Enter what you think the risks to the child are",
    )
    why_now = text(
        "What has made you contact us now?",
        max_length=LONG,
        long=True,
        required="Enter what has made you contact us now",
    )
    significant_harm = radios(
        "Do you think a child is at risk of significant harm now?",
        YES_NO_NOT_KNOWN,
        required="Select whether you think a child is at risk of significant harm now",
        hint="For example, a serious injury, or a child who cannot safely go home tonight. "
        "When we are closed, we pass these straight to the emergency duty team",
    )

    cse_concern = radios(
        "Is the concern about child sexual exploitation?",
        YES_NO_NOT_KNOWN,
        required="Select whether the concern is about child sexual exploitation",
        hint="Professionals: if it is, send the completed risk matrix for children and young people "
        "with your referral if your area uses one",
    )

    significant_harm.required = False  # optional: the referrer may not know
    cse_concern.required = False

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["significant_harm"] = yes_no_value(data.get("significant_harm") or "")
        data["cse_concern"] = yes_no_value(data.get("cse_concern") or "")
        return data


class ProfessionalConcernForm(ConcernForm):
    domestic_abuse_risk = forms.ChoiceField(
        label="If this is about domestic abuse, the risk grade assessed (for example by a DASH assessment)",
        required=False,
        choices=[("", "Not a domestic abuse notification"), *DomesticAbuseRisk.choices],
        error_messages={"invalid_choice": "Select the domestic abuse risk grade: standard, medium or high"},
    )


class SupportForm(IntakeForm):
    """What has been tried, as a member of the public is asked it."""

    title = "What has been tried"
    actions_taken = text(
        "What have you done so far?",
        max_length=LONG,
        long=True,
        hint="For example, who you have talked to about it. Write 'nothing yet' if none",
    )
    support_needed = text("What support do you think the family needs?", max_length=LONG, long=True)


class ProfessionalSupportForm(SupportForm):
    """A professional is also asked about early help, which only services can offer."""

    actions_taken = text(
        "What have you or your organisation done so far?",
        max_length=LONG,
        long=True,
        hint="For example, who you have spoken to and what support is in place. Write 'nothing yet' if none",
    )
    early_help = radios(
        "Has an early help assessment been offered?",
        Referral.EarlyHelp.choices,
        required="Select whether an early help assessment has been offered",
    )
    field_order = ["actions_taken", "early_help", "support_needed"]


class VoicesForm(IntakeForm):
    title = "The child's and the family's views"
    childs_voice = text(
        "What does the child say, and what do they want to happen?",
        max_length=LONG,
        long=True,
        hint="Use their own words if you can",
    )
    parents_voice = text("What do the parents or carers say?", max_length=LONG, long=True)
    gillick_considered = radios(
        "If the child is old enough to understand, have they been asked for their own view "
        "(Gillick competence)?",
        YES_NO_NOT_KNOWN,
        required="Select whether the child's own view has been considered",
    )
    parents_aware = radios(
        "Do the parents or carers know you are contacting us?",
        YES_NO_NOT_KNOWN,
        required="Select whether the parents or carers know",
    )
    safe_to_contact_parents = radios(
        "Is it safe for us to contact the parents or carers?",
        YES_NO_NOT_KNOWN,
        required="Select whether it is safe to contact the parents or carers",
    )

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("gillick_considered", "parents_aware", "safe_to_contact_parents"):
            data[name] = yes_no_value(data[name])
        return data


class ConsentForm(IntakeForm):
    title = "Consent"
    consent = radios(
        "Did the parents or carers agree to this referral?",
        [
            (Referral.Consent.GIVEN, "Yes, consent was given"),
            (Referral.Consent.REFUSED, "No, consent was refused"),
            (Referral.Consent.NOT_SOUGHT, "Consent was not asked for"),
        ],
        required="Select whether consent was given, refused or not asked for",
    )
    consent_given_by = text(
        "Who gave consent?", max_length=SHORT, hint="Their name and how they relate to the child"
    )
    consent_given_on = DatePartsField(label="Date consent was given")
    consent_notes = text(
        "Why was consent refused or not asked for?",
        max_length=LONG,
        long=True,
        hint="For example, asking would put the child at risk of significant harm",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        example = today() - timedelta(days=3)  # an example that is always a possible date
        self.fields[
            "consent_given_on"
        ].help_text = f"For example, {example.day} {example.month} {example.year}"

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("consent")
        if answer == Referral.Consent.GIVEN:
            self._clean_given(cleaned)
        elif answer in (Referral.Consent.REFUSED, Referral.Consent.NOT_SOUGHT):
            cleaned.update(consent_given_by="", consent_given_on=None)
            if not cleaned.get("consent_notes") and "consent_notes" not in self.errors:
                message = (
                    "Enter why consent was refused"
                    if answer == Referral.Consent.REFUSED
                    else "Enter why consent was not asked for"
                )
                self.add_error("consent_notes", message)
        return cleaned

    def _clean_given(self, cleaned: dict) -> None:
        if not cleaned.get("consent_given_by") and "consent_given_by" not in self.errors:
            self.add_error("consent_given_by", "Enter who gave consent")
        given_on = cleaned.get("consent_given_on")
        if "consent_given_on" in self.errors:
            return
        if given_on is None:
            self.add_error("consent_given_on", "Enter the date consent was given")
        elif given_on > today():
            self.add_error("consent_given_on", "Date consent was given must be today or in the past")
        elif given_on < years_before(today(), 1):
            self.add_error("consent_given_on", "Date consent was given must be within the last year")
