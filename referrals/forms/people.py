"""The children the concern is about and the adults around them.

On the online form each person's form is numbered (``number=2``: "child 2"), and every message
names the field and that person ("Enter the first name of child 2"); the intake API, which names
the person by its path (``children[1].first_name``), leaves the number out ("the child").
"""

from __future__ import annotations

from datetime import timedelta

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

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

# An adult cannot be unborn: the census code U is "not known" for them.
# The codes of referrals.validation's (and the text fields' encoding check's) messages.
VALIDATOR_CODES = frozenset({"nhs_format", "nhs_check_digit", "phone", "postcode", "encoding"})
ADULT_SEX = [(Sex.MALE, "Male"), (Sex.FEMALE, "Female"), (Sex.UNKNOWN, "Not known")]


def naming(message: str, of: str) -> str:
    """'Enter a real postcode, like AA1 1AA' -> 'Enter a real postcode for child 2, like AA1 1AA':
    a shared validator's message, made to say whose answer it is (before its example or reason)."""
    if not of:
        return message
    cut = min((i for i in (message.find(","), message.find(":")) if i >= 0), default=len(message))
    return f"{message[:cut]} for {of}{message[cut:]}"


class PersonForm(IntakeForm):
    """Fields every person has: sex and ethnicity (DfE codes), NHS number, address, postcode, phone,
    and the messages that name the person."""

    noun = "person"

    def __init__(self, *args, number: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.who = f"{self.noun} {number}" if number else f"the {self.noun}"
        self.of = f"{self.noun} {number}" if number else ""
        for name, message in self.required_messages().items():
            self.fields[name].error_messages["required"] = message
            self.fields[name].error_messages["invalid_choice"] = f"{message} from the list"
        for field in self.fields.values():
            if isinstance(field, DatePartsField) and number:
                field.named = f"{field.label} of {self.who}"
            elif "max_length" in field.error_messages and number:
                field.error_messages["max_length"] = str(field.error_messages["max_length"]).replace(
                    f"{field.label} must", f"{field.label} of {self.who} must", 1
                )

    def required_messages(self) -> dict[str, str]:
        return {
            "sex": f"Select the sex of {self.who}, or not known",
            "ethnicity": f"Select the ethnicity of {self.who}",
        }

    def add_error(self, field, error):
        """Messages of the shared validators (NHS number, postcode, phone, unreadable characters)
        say whose answer it is; the form's own messages already do."""
        if self.of and field and isinstance(error, ValidationError) and not hasattr(error, "error_dict"):
            error = ValidationError(
                [
                    ValidationError(naming(item.message % (item.params or {}), self.of), code=item.code)
                    if item.code in VALIDATOR_CODES
                    else item
                    for item in error.error_list
                ]
            )
        super().add_error(field, error)

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


def _ethnicity_field(whose: str):
    return select(
        f"{whose} ethnicity",
        Ethnicity.choices,
        prompt="Choose ethnicity",
        required=f"Select the {whose.lower()} ethnicity",
        hint="Choose 'Information not yet obtained' if you do not know",
    )


class ChildForm(PersonForm):
    title = "About the child"
    noun = "child"
    unborn = radios("Is the child unborn?", YES_NO, required="Select yes if the child is not born yet")
    expected_date_of_birth = DatePartsField(label="Expected date of birth")
    first_name = text("First name", max_length=NAME, hint="Leave empty for an unborn child without a name")
    last_name = text("Last name", max_length=NAME, hint="If you know it")
    other_names = text("Other names they are known by", max_length=200)
    date_of_birth = DatePartsField(
        label="Date of birth", help_text="For example, 27 3 2019. Leave empty if you do not know"
    )
    sex = radios("Sex", Sex.choices, required="Select the sex of the child, or not known")
    ethnicity = _ethnicity_field("Child's")
    nhs_number = text("NHS number (if known)", max_length=20, hint="For example, 943 476 5919", width=10)
    address = text("Home address", max_length=ADDRESS, long=True)
    postcode = text("Postcode", max_length=10, width=10)
    phone = text("Telephone number for the child or family", max_length=40, width=20)
    school = text("School, nursery or other setting", max_length=SHORT)
    disability = text("Any disability or illness", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        due = today() + timedelta(days=120)  # an example that is always a possible due date
        self.fields[
            "expected_date_of_birth"
        ].help_text = f"Only if the child is not born yet. For example, {due.day} {due.month} {due.year}"

    def required_messages(self) -> dict[str, str]:
        return {**super().required_messages(), "unborn": f"Select yes if {self.who} is not born yet"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unborn") == YES:
            self._clean_unborn(cleaned)
        elif cleaned.get("unborn") == NO:
            self._clean_born(cleaned)
        return cleaned

    def _of(self) -> str:
        return f" of {self.of}" if self.of else ""

    def _clean_unborn(self, cleaned: dict) -> None:
        cleaned["date_of_birth"] = None
        expected = cleaned.get("expected_date_of_birth")
        named = self.fields["expected_date_of_birth"].named
        if "expected_date_of_birth" in self.errors:
            return
        if expected is None:
            self.add_error("expected_date_of_birth", f"Enter the expected date of birth{self._of()}")
        elif expected < today():
            self.add_error(
                "expected_date_of_birth",
                f"{named} must be today or in the future. If the baby is born, answer no",
            )
        elif expected > today() + MAX_PREGNANCY:
            self.add_error("expected_date_of_birth", f"{named} must be within the next 10 months")

    def _clean_born(self, cleaned: dict) -> None:
        cleaned["expected_date_of_birth"] = None
        if not cleaned.get("first_name") and "first_name" not in self.errors:
            self.add_error("first_name", f"Enter the first name of {self.who}")
        born = cleaned.get("date_of_birth")
        if born is None:
            return
        if born > today():
            self.add_error(
                "date_of_birth",
                f"{self.fields['date_of_birth'].named} must be in the past. "
                "For an unborn child, answer yes to 'unborn'",
            )
        elif born <= years_before(today(), 18):
            self.add_error("date_of_birth", f"A child must be under 18: check the date of birth{self._of()}")

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("unborn")
        return data


class AdultForm(PersonForm):
    title = "About an adult"
    noun = "adult"
    first_name = text("First name", max_length=NAME, required="Enter the first name of the adult")
    last_name = text("Last name", max_length=NAME, hint="If you know it")
    relationship = text(
        "Their relationship to the children",
        max_length=NAME,
        required="Enter how the adult is related to the children, for example mother or mother's partner",
        hint="For example, mother of both children, or Amy's stepfather",
    )
    lives_with_children = radios(
        "Do they live with the children?", YES_NO, required="Select yes if the adult lives with the children"
    )
    has_parental_responsibility = radios(
        "Do they have parental responsibility?",
        YES_NO_NOT_KNOWN,
        required="Select whether the adult has parental responsibility",
    )
    date_of_birth = DatePartsField(
        label="Date of birth", help_text="For example, 27 3 1990. Leave empty if you do not know"
    )
    sex = radios("Sex", ADULT_SEX, required="Select the sex of the adult, or not known")
    ethnicity = _ethnicity_field("Adult's")
    address = text("Address, if different from the children's", max_length=ADDRESS, long=True)
    postcode = text("Postcode", max_length=10, width=10)
    phone = text("Telephone number", max_length=40, width=20)

    def required_messages(self) -> dict[str, str]:
        return {
            **super().required_messages(),
            "first_name": f"Enter the first name of {self.who}",
            "relationship": f"Enter how {self.who} is related to the children, for example mother or "
            "mother's partner",
            "lives_with_children": f"Select yes if {self.who} lives with the children",
            "has_parental_responsibility": f"Select whether {self.who} has parental responsibility",
        }

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        named = self.fields["date_of_birth"].named
        if born is not None and born > today():
            raise forms.ValidationError(f"{named} must be in the past")
        if born is not None and born < years_before(today(), 120):
            raise forms.ValidationError(f"{named} must be a real date")
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
        self.helper.layout = Layout(Field.radios("add_another", legend_size=Size.MEDIUM))
        self.fields["add_another"].label = question
        self.fields["add_another"].error_messages["required"] = required
        self.fields["add_another"].error_messages["invalid_choice"] = f"{required} from the list"
