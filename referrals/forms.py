"""One form per topic of the referral. The online form, the staff route and the intake API
all validate with these classes (see ``referrals.intake``), so a rule is written once.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from mash.codes import DomesticAbuseRisk, Ethnicity, ReferralSource, Sex
from mash.forms import GovukFormMixin

from .fields import DatePartsField, radios, select, text
from .models import Referral
from .validation import (
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
    validate_uk_phone,
    years_before,
)

SHORT = 150
NAME = 100
LONG = 5000
ADDRESS = 500
MAX_CHILDREN = 15
MAX_ADULTS = 20
# An unborn child's expected date is at most about ten months away.
MAX_PREGNANCY = timedelta(days=300)

YES, NO, NOT_KNOWN = "yes", "no", "not_known"
YES_NO = [(YES, "Yes"), (NO, "No")]
YES_NO_NOT_KNOWN = [*YES_NO, (NOT_KNOWN, "I do not know")]

# What a professional answers to "Where do you work?"; each answer is the DfE referral source code.
PROFESSIONAL_SOURCES = [
    (ReferralSource.SCHOOLS, "A school, college or nursery"),
    (ReferralSource.EDUCATION_SERVICES, "Education services (not a school)"),
    (ReferralSource.GP, "A GP practice"),
    (ReferralSource.HEALTH_VISITOR, "Health visiting"),
    (ReferralSource.SCHOOL_NURSE, "School nursing"),
    (ReferralSource.OTHER_PRIMARY_HEALTH, "Other primary health services (for example a midwife or dentist)"),
    (ReferralSource.A_AND_E, "A hospital emergency department (A&E)"),
    (ReferralSource.OTHER_HEALTH, "Other health services (for example a hospice or mental health service)"),
    (ReferralSource.HOUSING, "Housing (the council or a housing association)"),
    (ReferralSource.LA_SOCIAL_CARE, "Council social care (for example adult social care)"),
    (ReferralSource.OTHER_INTERNAL, "Other council services (for example youth offending)"),
    (ReferralSource.OTHER_LA, "Another council's services"),
    (ReferralSource.EARLY_HELP, "Early help"),
    (ReferralSource.POLICE, "The police"),
    (ReferralSource.OTHER_LEGAL, "Courts, probation, Cafcass, prison or immigration"),
    (ReferralSource.OTHER, "Another organisation (for example a charity or children's centre)"),
]

# What a member of the public answers to "How do you know the child?", with its source code.
PUBLIC_RELATIONSHIPS = [
    ("family", "I am a relative, or I look after them", ReferralSource.FAMILY),
    ("acquaintance", "I am a neighbour, friend of the family or childminder", ReferralSource.ACQUAINTANCE),
    ("self", "I am the child or young person", ReferralSource.SELF),
    ("other", "Another way", ReferralSource.OTHER_INDIVIDUAL),
]


def yes_no_value(answer: str) -> bool | None:
    return {YES: True, NO: False}.get(answer)


def today() -> date:
    return timezone.localdate()


class IntakeForm(GovukFormMixin, forms.Form):
    """A step of the referral. ``model_data`` turns the cleaned answers into model field values."""

    title = ""

    def model_data(self) -> dict:
        return dict(self.cleaned_data)


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
        [("", "Choose where you work"), *PROFESSIONAL_SOURCES],
        required="Select where you work",
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        help_text="We will send you an acknowledgement and, later, the outcome of the referral",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    referrer_phone = text(
        "Your work telephone number", max_length=40, required="Enter your work telephone number"
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
        help_text="We will email you to say we received your referral. We do not tell members of the public "
        "the outcome.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    referrer_phone = text("Your telephone number (optional)", max_length=40)

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


class PersonMixin(forms.Form):
    """Fields every person has: sex and ethnicity (DfE codes), NHS number, address, postcode, phone."""

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "")
        if value:
            validate_nhs_number(value)
            return normalise_nhs_number(value)
        return value

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        if value:
            validate_postcode(value)
            return normalise_postcode(value)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        if value:
            validate_uk_phone(value)
            return normalise_phone(value)
        return value


def _sex_field(whose: str):
    return radios(f"{whose} sex", Sex.choices, required=f"Select the {whose.lower()} sex, or not known")


def _ethnicity_field(whose: str):
    return select(
        f"{whose} ethnicity",
        Ethnicity.choices,
        required=f"Select the {whose.lower()} ethnicity",
        hint="Choose 'Information not yet obtained' if you do not know",
    )


class ChildForm(PersonMixin, IntakeForm):
    title = "About the child"
    unborn = radios("Is the child unborn?", YES_NO, required="Select yes if the child is not born yet")
    first_name = text("First name", max_length=NAME, hint="Leave empty for an unborn child without a name")
    last_name = text("Last name", max_length=NAME, hint="If you know it")
    other_names = text("Other names they are known by", max_length=200)
    date_of_birth = DatePartsField(
        label="Date of birth", help_text="For example, 27 3 2019. Leave empty if you do not know"
    )
    expected_date_of_birth = DatePartsField(
        label="Expected date of birth", help_text="Only for an unborn child"
    )
    sex = _sex_field("Child's")
    ethnicity = _ethnicity_field("Child's")
    nhs_number = text("NHS number (if known)", max_length=20, hint="For example, 943 476 5919")
    address = text("Home address", max_length=ADDRESS, long=True)
    postcode = text("Postcode", max_length=10)
    phone = text("Telephone number for the child or family", max_length=40)
    school = text("School, nursery or other setting", max_length=SHORT)
    disability = text("Any disability or illness", max_length=200)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unborn") == YES:
            self._clean_unborn(cleaned)
        elif cleaned.get("unborn") == NO:
            self._clean_born(cleaned)
        return cleaned

    def _clean_unborn(self, cleaned: dict) -> None:
        cleaned["date_of_birth"] = None
        expected = cleaned.get("expected_date_of_birth")
        if "expected_date_of_birth" in self.errors:
            return
        if expected is None:
            self.add_error("expected_date_of_birth", "Enter the expected date of birth")
        elif expected < today():
            self.add_error(
                "expected_date_of_birth",
                "Expected date of birth must be today or in the future. If the baby is born, answer no",
            )
        elif expected > today() + MAX_PREGNANCY:
            self.add_error(
                "expected_date_of_birth", "Expected date of birth must be within the next 10 months"
            )

    def _clean_born(self, cleaned: dict) -> None:
        cleaned["expected_date_of_birth"] = None
        if not cleaned.get("first_name") and "first_name" not in self.errors:
            self.add_error("first_name", "Enter the child's first name")
        born = cleaned.get("date_of_birth")
        if born is None:
            return
        if born > today():
            self.add_error(
                "date_of_birth",
                "Date of birth must be in the past. For an unborn child, answer yes to 'unborn'",
            )
        elif born <= years_before(today(), 18):
            self.add_error("date_of_birth", "A child must be under 18: check the date of birth")

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("unborn")
        return data


class AdultForm(PersonMixin, IntakeForm):
    title = "About an adult"
    first_name = text("First name", max_length=NAME, required="Enter the adult's first name")
    last_name = text("Last name", max_length=NAME, hint="If you know it")
    relationship = text(
        "Their relationship to the children",
        max_length=NAME,
        required="Enter how the adult is related to the children, for example mother or mother's partner",
        hint="For example, mother of both children, or Amy's stepfather",
    )
    lives_with_children = radios(
        "Do they live with the children?", YES_NO, required="Select yes if they live with the children"
    )
    has_parental_responsibility = radios(
        "Do they have parental responsibility?",
        YES_NO_NOT_KNOWN,
        required="Select whether they have parental responsibility",
    )
    date_of_birth = DatePartsField(
        label="Date of birth", help_text="For example, 27 3 1990. Leave empty if you do not know"
    )
    sex = _sex_field("Adult's")
    ethnicity = _ethnicity_field("Adult's")
    address = text("Address, if different from the children's", max_length=ADDRESS, long=True)
    postcode = text("Postcode", max_length=10)
    phone = text("Telephone number", max_length=40)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > today():
            raise forms.ValidationError("Date of birth must be in the past")
        if born is not None and born < years_before(today(), 120):
            raise forms.ValidationError("Date of birth must be a real date")
        return born

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["lives_with_children"] = data["lives_with_children"] == YES
        data["has_parental_responsibility"] = yes_no_value(data["has_parental_responsibility"])
        return data


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


class ProfessionalConcernForm(ConcernForm):
    domestic_abuse_risk = forms.ChoiceField(
        label="If this is about domestic abuse, the risk grade assessed (for example by a DASH assessment)",
        required=False,
        choices=[("", "Not a domestic abuse notification"), *DomesticAbuseRisk.choices],
        error_messages={"invalid_choice": "Select the domestic abuse risk grade: standard, medium or high"},
    )


class SupportForm(IntakeForm):
    title = "What has been tried"
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
    support_needed = text("What support do you think the family needs?", max_length=LONG, long=True)


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
    consent_given_on = DatePartsField(label="Date consent was given", help_text="For example, 27 3 2026")
    consent_notes = text(
        "Why was consent refused or not asked for?",
        max_length=LONG,
        long=True,
        hint="For example, asking would put the child at risk of significant harm",
    )

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


class AnotherForm(GovukFormMixin, forms.Form):
    """'Do you need to add another?' on the list of children or adults."""

    add_another = radios(
        "Do you need to add another?", YES_NO, required="Select yes if you need to add another"
    )

    def __init__(self, *args, question: str, required: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_another"].label = question
        self.fields["add_another"].error_messages["required"] = required


class StaffChannelForm(GovukFormMixin, forms.Form):
    channel = radios(
        "How did the referral reach you?",
        [(Referral.Channel.PHONE, "By telephone"), (Referral.Channel.EMAIL, "By email")],
        required="Select how the referral reached you",
    )


class ConsultationForm(GovukFormMixin, forms.Form):
    """A call for advice only: not a referral, counted separately."""

    caller_name = text("Caller's name", max_length=SHORT)
    caller_organisation = text(
        "Caller's organisation", max_length=SHORT, hint="Leave empty for a member of the public"
    )
    source = select(
        "Where the caller works, or who they are",
        [("", "Choose one"), *ReferralSource.choices],
        required="Select where the caller works or who they are",
    )
    summary = text(
        "What the caller asked about",
        max_length=LONG,
        long=True,
        required="Enter what the caller asked about",
    )
    advice_given = text("Advice given", max_length=LONG, long=True, required="Enter the advice you gave")
