"""Form fields in the GOV.UK patterns: the three-part date input, radios, and bounded text.

They render through crispy-forms-gds like every other form. The date keeps its own field and
widget class (on the pack's date template) because the same field also validates the intake API,
which sends a date as one ``YYYY-MM-DD`` value under the field's own name, and because its
messages name the field ("Date of birth must include a month"), where the pack's
``DateInputField`` says only "Enter the day, month and year".
"""

from __future__ import annotations

import re
from datetime import date

from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError

from .validation import validate_encodable

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
PARTS = ("day", "month", "year")
_WIDTHS = {"day": 2, "month": 2, "year": 4}


class DatePartsWidget(DateInputWidget):
    """The pack's GOV.UK date input, with the boxes named ``<name>_day``, ``<name>_month`` and
    ``<name>_year`` (the names the wizard keeps between pages), and a whole ISO date accepted."""

    def __init__(self, attrs=None):
        boxes = {
            part: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{_WIDTHS[part]}",
                    "label": part.capitalize(),
                    "inputmode": "numeric",
                }
            )
            for part in PARTS
        }
        forms.MultiWidget.__init__(self, boxes, attrs)

    def get_context(self, name, value, attrs):
        """Each box's id ends like its name (``id_date_of_birth_day``), where Django numbers them
        (``_0``): the error summary links to the day box by that id (``mash.forms.first_control_id``)."""
        context = super().get_context(name, value, attrs)
        for part, box in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            if box["attrs"].get("id"):
                box["attrs"]["id"] = f"{context['widget']['attrs']['id']}_{part}"
        return context

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if name in data and not any(f"{name}_{part}" in data for part in PARTS):
            whole = data.get(name)
            match = _ISO_DATE.match(whole) if isinstance(whole, str) else None
            if match:
                year, month, day = match.groups()
                return [day, month, year]
            # Anything else sent whole (by the API) cannot be read as a date.
            return ["?", "?", "?"] if whole not in (None, "") else ["", "", ""]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class DatePartsField(forms.MultiValueField):
    """A date entered in three boxes, with the GOV.UK error messages for each way it can be wrong.

    ``named`` is how the messages name it: the label unless a form says more ("Date of birth of
    child 2")."""

    widget = DatePartsWidget

    def __init__(self, *, label: str, required_message: str = "", **kwargs):
        self.required_message = required_message
        self.named = label
        fields = tuple(forms.CharField(required=False, max_length=10) for _ in PARTS)
        super().__init__(fields, require_all_fields=False, required=False, label=label, **kwargs)

    def clean(self, value):
        parts = [(str(part).strip() if part is not None else "") for part in (value or ["", "", ""])]
        if len(parts) != 3:
            parts = ["?", "?", "?"]
        return self.compress(parts)

    def compress(self, data_list) -> date | None:
        name = self.named
        if not any(data_list):
            if self.required_message:
                raise ValidationError(self.required_message, code="required")
            return None
        missing = [part for part, value in zip(PARTS, data_list, strict=True) if not value]
        if missing:
            raise ValidationError(f"{name} must include a {' and '.join(missing)}", code="incomplete")
        if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in data_list) or len(data_list[2]) != 4:
            raise ValidationError(f"{name} must be a real date", code="invalid")
        day, month, year = (int(part) for part in data_list)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{name} must be a real date", code="invalid") from None


def _readable(label: str):
    """The encoding check, with a message that says which answer holds the unreadable characters."""

    def validate(value: str) -> None:
        try:
            validate_encodable(value)
        except ValidationError:
            raise ValidationError(
                f"Remove the characters that cannot be read from “{label}”", code="encoding"
            ) from None

    return validate


def text(
    label: str,
    *,
    max_length: int,
    required: str = "",
    hint: str = "",
    long: bool = False,
    width: int | None = None,
) -> forms.CharField:
    """A text answer with GOV.UK messages: ``required`` is the message when it is left empty;
    ``width`` sizes a short answer's box to it (GOV.UK ``govuk-input--width-10``)."""
    attrs = {"class": f"govuk-input--width-{width}"} if width else {}
    return forms.CharField(
        label=label,
        help_text=hint,
        required=bool(required),
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput(attrs=attrs),
        validators=[_readable(label)],
        error_messages={
            "required": required or f"Enter {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def email_input() -> forms.EmailInput:
    """An e-mail box as GOV.UK asks for one: the browser may fill it in, and does not spellcheck it."""
    return forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})


def radios(label: str, choices, *, required: str, hint: str = "") -> forms.ChoiceField:
    """A one-answer question shown as GOV.UK radios; ``required`` is the message if none is chosen."""
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=list(choices),
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": f"{required} from the list"},
    )


def select(label: str, choices, *, required: str, hint: str = "", prompt: str = "") -> forms.ChoiceField:
    """A GOV.UK select. ``prompt`` is the plain first option ("Choose ethnicity"), so nothing is
    chosen until the person chooses."""
    options = [("", prompt), *choices] if prompt else list(choices)
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=options,
        error_messages={"required": required, "invalid_choice": f"{required} from the list"},
    )
