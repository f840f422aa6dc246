"""The restricted record page's forms: restrict, name a person, lift the restriction."""

from __future__ import annotations

from django import forms

from mash.forms import GovukFormMixin


def _reason(label: str, hint: str = "") -> forms.CharField:
    message = f"Enter {label[0].lower()}{label[1:]}"
    return forms.CharField(
        label=label,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": message},
    )


class RestrictForm(GovukFormMixin, forms.Form):
    reason = _reason(
        "Why only named people should open this referral",
        "For example, it is about a member of staff's own family, or a child whose name is widely known. "
        "Everyone named on it can read this.",
    )


class NameForm(GovukFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label="Who to name",
        help_text="They still need their role's or team's access to open it.",
        queryset=None,
        empty_label="Choose a person",
        error_messages={"required": "Choose who to name on this referral"},
    )
    reason = _reason("Why they need to open it")

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name} ({user.username})"


class LiftForm(GovukFormMixin, forms.Form):
    reason = _reason(
        "Why the restriction is no longer needed",
        "Once lifted, everyone whose role or team gives them access can open the referral.",
    )
