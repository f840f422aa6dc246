"""Who is referring: the route (professional or public) and the referrer's details."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from mash.codes import ReferralSource

from ..fields import email_input, radios, select, text
from ..models import Referral
from ..validation import normalise_phone, validate_uk_phone
from .base import NO, PROFESSIONAL_SOURCES, PUBLIC_RELATIONSHIPS, SHORT, YES, YES_NO, IntakeForm


class RouteForm(IntakeForm):
    title = "Are you contacting us as a professional or a member of the public?"
    referrer_type = radios(
        "Are you contacting us as a professional or a member of the public?",
        [
            (
                Referral.ReferrerType.PROFESSIONAL,
                "As a professional (for example a teacher, nurse, GP or police officer)",
            ),
            (
                Referral.ReferrerType.PUBLIC,
                "As a member of the public (for example a relative, neighbour or the child)",
            ),
        ],
        required="Select whether you are a professional or a member of the public",
    )
    # The one question of its page is the page's heading (GOV.UK: the legend is the h1).
    heading_in_legend = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("referrer_type", legend_size=Size.LARGE, legend_tag="h1"))


class ContactMixin(forms.Form):
    """E-mail and phone, cleaned to one stored form."""

    def clean_referrer_phone(self) -> str:
        value = self.cleaned_data.get("referrer_phone", "")
        if value:
            validate_uk_phone(value)
            return normalise_phone(value)
        return value


class ProfessionalForm(ContactMixin, IntakeForm):
    title = "About you"
    referrer_name = text("Your full name", max_length=SHORT, required="Enter your full name")
    referrer_role = text("Your job title or role", max_length=SHORT, required="Enter your job title or role")
    referrer_organisation = text(
        "The name of your organisation",
        max_length=SHORT,
        required="Enter the name of your organisation",
        hint="For example, the name of the school or GP practice",
    )
    referrer_organisation_type = select(
        "Where do you work?",
        PROFESSIONAL_SOURCES,
        prompt="Choose where you work",
        required="Select where you work",
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        widget=email_input(),
        help_text="We will send you an acknowledgement and, later, the outcome of the referral",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    referrer_phone = text(
        "Your work telephone number", max_length=40, required="Enter your work telephone number", width=20
    )

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["source"] = data.pop("referrer_organisation_type")
        return data


class PartnerReferrerForm(ProfessionalForm):
    """A partner system's referrer: where they work is the agency the API token belongs to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["referrer_organisation_type"]

    def model_data(self) -> dict:
        return dict(self.cleaned_data)


class PublicForm(ContactMixin, IntakeForm):
    title = "About you"
    referrer_anonymous = radios(
        "Do you want to stay anonymous?",
        YES_NO,
        required="Select yes if you want to stay anonymous",
        hint="If you stay anonymous we will not keep your name or contact details, and cannot contact you "
        "to ask more. Anything you tell us about the child is still acted on.",
    )
    referrer_relationship = radios(
        "How do you know the child?",
        [(value, label) for value, label, _code in PUBLIC_RELATIONSHIPS],
        required="Select how you know the child",
    )
    referrer_name = text(
        "Your full name", max_length=SHORT, hint="Leave this empty if you want to stay anonymous"
    )
    referrer_email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        max_length=254,
        widget=email_input(),
        help_text="We will email you to say we received your referral. We do not tell members of the public "
        "the outcome.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    referrer_phone = text("Your telephone number (optional)", max_length=40, width=20)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("referrer_anonymous") == NO and not cleaned.get("referrer_name"):
            self.add_error("referrer_name", "Enter your full name, or choose to stay anonymous")
        return cleaned

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        anonymous = data.pop("referrer_anonymous") == YES
        relationship = data.pop("referrer_relationship")
        sources = {value: code for value, _label, code in PUBLIC_RELATIONSHIPS}
        labels = {value: label for value, label, _code in PUBLIC_RELATIONSHIPS}
        data.update(
            referrer_anonymous=anonymous,
            referrer_relationship=labels[relationship],
            source=ReferralSource.ANONYMOUS if anonymous else sources[relationship],
        )
        if anonymous:  # nothing that identifies them is kept
            data.update(referrer_name="", referrer_email="", referrer_phone="")
        return data
