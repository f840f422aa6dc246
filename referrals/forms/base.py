"""What every step form shares: limits, yes/no answers, the DfE-coded choices, and the base class."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from mash.codes import ReferralSource
from mash.forms import GovukFormMixin

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
