"""The children the concern is about and the adults around them."""

from __future__ import annotations

from django import forms

from mash.codes import Ethnicity, Sex
from mash.forms import GovukFormMixin

from ..fields import DatePartsField, radios, select, text
from ..validation import (
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
    validate_uk_phone,
    years_before,
)
from .base import (
    ADDRESS,
    MAX_PREGNANCY,
    NAME,
    NO,
    SHORT,
    YES,
    YES_NO,
    YES_NO_NOT_KNOWN,
    IntakeForm,
    today,
    yes_no_value,
)


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


class AnotherForm(GovukFormMixin, forms.Form):
    """'Do you need to add another?' on the list of children or adults."""

    add_another = radios(
        "Do you need to add another?", YES_NO, required="Select yes if you need to add another"
    )

    def __init__(self, *args, question: str, required: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_another"].label = question
        self.fields["add_another"].error_messages["required"] = required
