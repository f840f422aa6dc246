"""The GOV.UK date input as a form field whose messages name the date, for any form that asks for one."""

from __future__ import annotations

import re
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.widgets import DateInputWidget
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")


class DateBoxesWidget(DateInputWidget):
    """The GOV.UK date input (``<name>_0`` day, ``_1`` month, ``_2`` year). A link or an API client
    may send the date whole (``<name>=2026-11-23``): it fills the three boxes, so a bookmarked or
    shared address keeps working."""

    def value_from_datadict(self, data, files, name):
        if name in data and not any(f"{name}_{n}" in data for n in range(3)):
            try:
                whole = date.fromisoformat(str(data.get(name)))
            except ValueError:
                return ["?", "?", "?"] if data.get(name) else ["", "", ""]
            return [str(whole.day), str(whole.month), str(whole.year)]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovukDateField(DateInputField):
    """A date in three boxes with the GOV.UK messages, each naming the date ("Date checked must
    include a month"). The boxes a message is about are the ones outlined in red."""

    widget = DateBoxesWidget

    def __init__(self, *, named: str, required_message: str, **kwargs):
        super().__init__(**kwargs)
        self.named = named
        self.error_messages["required"] = required_message

    def clean(self, value):
        parts = [str(part).strip() if part is not None else "" for part in (value or ())]
        parts = (parts + ["", "", ""])[:3]
        for box in self.fields:
            box.widget.errors = []
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [n for n, part in enumerate(parts) if not part]
        if missing:
            message = f"{self.named} must include a {' and '.join(PARTS[n] for n in missing)}"
            for n in missing:
                self.fields[n].widget.errors = [message]
            raise ValidationError(message, code="incomplete")
        day = self._real_date(parts)
        self.validate(day)
        self.run_validators(day)
        return day

    def _real_date(self, parts: list[str]) -> date:
        invalid = ValidationError(f"{self.named} must be a real date", code="invalid")
        if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in parts) or len(parts[2]) != 4:
            raise invalid
        day, month, year = (int(part) for part in parts)
        try:
            return date(year, month, day)
        except ValueError:
            raise invalid from None
