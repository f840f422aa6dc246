"""The one GOV.UK form pattern: widget classes, error styling and aria wiring in one mixin."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

WIDGET_CLASSES = (
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
)
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


def _base_class(widget: forms.Widget) -> str:
    return next((css for kind, css in WIDGET_CLASSES if isinstance(widget, kind)), "govuk-input")


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget and links hints and errors for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", _base_class(field.widget))
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            field = self.fields.get(name)
            if field is None:
                continue
            base = _base_class(field.widget)
            field.widget.attrs["class"] = f"{base} {ERROR_CLASSES.get(base, '')}".strip()
            hint = [f"id_{name}-hint"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*hint, f"id_{name}-error"])


class LoginForm(GovukFormMixin, AuthenticationForm):
    pass
