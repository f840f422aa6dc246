"""Form fields in the GOV.UK patterns: the three-part date input, radios, and bounded text.

The same fields validate the online form and the intake API (which sends a date as one
``YYYY-MM-DD`` value under the field's own name instead of the three parts).
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from .validation import validate_encodable

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
PARTS = ("day", "month", "year")


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes named ``<name>_day`` and so on."""

    template_name = "referrals/widgets/date_parts.html"

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in PARTS}, attrs)

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
    """A date entered in three boxes, with the GOV.UK error messages for each way it can be wrong."""

    widget = DatePartsWidget

    def __init__(self, *, label: str, required_message: str = "", **kwargs):
        self.required_message = required_message
        fields = tuple(forms.CharField(required=False, max_length=10) for _ in PARTS)
        super().__init__(fields, require_all_fields=False, required=False, label=label, **kwargs)

    def clean(self, value):
        parts = [(str(part).strip() if part is not None else "") for part in (value or ["", "", ""])]
        if len(parts) != 3:
            parts = ["?", "?", "?"]
        return self.compress(parts)

    def compress(self, data_list) -> date | None:
        name = self.label
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


class RadiosWidget(forms.RadioSelect):
    template_name = "referrals/widgets/radios.html"
    option_template_name = "referrals/widgets/radio_option.html"


def text(
    label: str, *, max_length: int, required: str = "", hint: str = "", long: bool = False
) -> forms.CharField:
    """A text answer with GOV.UK messages: ``required`` is the message when it is left empty."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=bool(required),
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput(),
        validators=[validate_encodable],
        error_messages={
            "required": required or f"Enter {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def radios(label: str, choices, *, required: str, hint: str = "") -> forms.ChoiceField:
    """A one-answer question shown as GOV.UK radios; ``required`` is the message if none is chosen."""
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=list(choices),
        widget=RadiosWidget,
        error_messages={"required": required, "invalid_choice": f"{required} from the list"},
    )


def select(label: str, choices, *, required: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=list(choices),
        error_messages={"required": required, "invalid_choice": f"{required} from the list"},
    )
