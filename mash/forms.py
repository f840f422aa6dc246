"""The one GOV.UK form pattern: every form renders through crispy-forms-gds, and every message it can
give names its field (and, on a page with a form per child, the child).

Render a form with ``{% load crispy_forms_tags %}{% crispy form %}`` inside the page's own
``<form>`` (the helper leaves the form tag, the CSRF token and the buttons to the template), and put
``{% include "includes/error_summary.html" with forms=... %}`` once at the top of the page.
"""

from __future__ import annotations

import copy

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm

# Questions answered by choosing (radios, selects, checkboxes) ask "Choose"; the rest "Enter".
_CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.MultipleChoiceField, forms.BooleanField)


def _lower_first(label: str) -> str:
    """'Reason for the change' -> 'reason for the change'; 'RAG rating' and 'NHS number' keep capitals."""
    first, _, rest = label.partition(" ")
    if first.isupper() or (len(first) > 1 and first[1:].lower() != first[1:]):
        return label
    return f"{first.lower()} {rest}".strip()


def field_messages(field: forms.Field, label: str, subject: str = "") -> dict[str, str]:
    """Django's generic messages, each rewritten to name the field and (if given) who it is about."""
    what = _lower_first(label)
    about = f" for {subject}" if subject else ""
    verb = "Choose" if isinstance(field, _CHOSEN) else "Enter"
    return {
        "required": f"{verb} {what}{about}",
        "invalid_choice": f"Choose {what}{about} from the options shown",
        "invalid_pk_value": f"Choose {what}{about} from the options shown",
        "invalid_list": f"Choose {what}{about} from the options shown",
        "invalid": f"Enter {what}{about} in the right format",
        "max_length": f"{label}{about} must be %(limit_value)d characters or fewer",
        "min_length": f"{label}{about} must be %(limit_value)d characters or more",
        "max_value": f"{label}{about} must be %(limit_value)s or less",
        "min_value": f"{label}{about} must be %(limit_value)s or more",
    }


class GovukFormMixin:
    """Gives a form its GOV.UK rendering (a crispy-forms-gds helper) and field-naming messages.

    ``subject`` names the person the form is about on pages with one form per person
    ("Choose RAG rating for Amy Smith"); messages a form sets itself are kept as they are.
    """

    subject: str = ""

    def __init__(self, *args, subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject or self.subject
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ").capitalize())
            defaults = field_messages(field, label, self.subject)
            for key, message in defaults.items():
                if key in field.error_messages and _is_django_default(field, key):
                    field.error_messages[key] = message
            field.validators = [_named(validator, defaults) for validator in field.validators]

    def full_clean(self):
        """Marks each invalid box red where crispy-forms-gds does not: it colours only text inputs,
        text areas and selects, and a select with the input's error class, which GOV.UK leaves unstyled."""
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            extra = _ERROR_CLASSES.get(type(widget).__name__)
            if extra and extra not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {extra}".strip()

    def error_links(self) -> list[tuple[str, str]]:
        """(target id, message) for each error, linked to the control a person fixes it in."""
        links: list[tuple[str, str]] = []
        visible = self.visible_fields()
        for error in self.non_field_errors():
            links.append((visible[0].auto_id if visible else "", error))
        for bound in visible:
            for error in bound.errors:
                links.append((first_control_id(bound), error))
        return links


# Widgets whose error state the template pack does not show, and the GOV.UK class that shows it.
_ERROR_CLASSES = {
    "Select": "govuk-select--error",
    "EmailInput": "govuk-input--error",
    "PasswordInput": "govuk-input--error",
    "NumberInput": "govuk-input--error",
    "URLInput": "govuk-input--error",
}


def first_control_id(bound: forms.BoundField) -> str:
    """The id of the first input a person types or clicks in for this field, as crispy-forms-gds
    and the date widget number them (radios and checkboxes ``_1``, a date's day box ``_day``)."""
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        names = getattr(widget, "widgets_names", None) or ["_0"]
        return f"{bound.auto_id}{names[0]}"
    return bound.auto_id


def _named(validator, defaults: dict[str, str]):
    """A copy of a length or range validator with a message naming the field; validators are
    shared between a form's instances, so the original is never changed."""
    code = getattr(validator, "code", None)
    if code not in defaults or validator.message != type(validator).message:
        return validator
    named = copy.copy(validator)
    named.message = defaults[code]
    return named


def _is_django_default(field: forms.Field, key: str) -> bool:
    """True where the message is still the one Django gives every field (not the form's own)."""
    for cls in type(field).__mro__:
        default = getattr(cls, "default_error_messages", {}).get(key)
        if default is not None:
            return str(field.error_messages[key]) == str(default)
    return False  # no class gives this message: the form set it


class LoginForm(GovukFormMixin, AuthenticationForm):
    pass
