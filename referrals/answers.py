"""What the check-your-answers page shows: each answer as the referrer would say it, with a change link."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.urls import reverse
from django.utils.formats import date_format

from .intake import TOPICS, form_class_for
from .wizard import Wizard

TOPIC_TITLES = {
    "route": "Who you are",
    "referrer": "About you",
    "concern": "Your concern",
    "support": "What has been tried",
    "voices": "The child's and the family's views",
    "consent": "Consent",
}
NOT_GIVEN = "Not given"


def _display(field: forms.Field, value) -> str:
    if value in (None, ""):
        return NOT_GIVEN
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def rows_for(form: forms.Form, change_url: str) -> list[dict]:
    """One row per question of a valid form."""
    return [
        {
            "label": field.label,
            "value": _display(field, form.cleaned_data.get(name)),
            "url": f"{change_url}#id_{name}",
        }
        for name, field in form.fields.items()
    ]


def sections(wizard: Wizard) -> list[dict]:
    """The answers grouped as the pages asked them, children and adults one card each."""
    result = []
    for topic in TOPICS:
        form = form_class_for(topic, wizard.referrer_type)(wizard.answers(topic))
        form.is_valid()
        url = f"{reverse(f'referrals:{topic}')}?change=1"
        result.append({"title": TOPIC_TITLES[topic], "rows": rows_for(form, url)})
        if topic == "referrer":
            result.extend(_people_sections(wizard, "children"))
            result.extend(_people_sections(wizard, "adults"))
    return result


def _people_sections(wizard: Wizard, kind: str) -> list[dict]:
    from .views import PEOPLE

    form_class = PEOPLE[kind]["form"]
    cards = []
    for index, entry in enumerate(wizard.people(kind)):
        form = form_class(entry)
        form.is_valid()
        url = f"{reverse(f'referrals:{kind}_change', args=[index])}?change=1"
        cards.append({"title": person_name(kind, entry, index)["name"], "rows": rows_for(form, url)})
    if kind == "adults" and not cards:
        cards.append(
            {
                "title": "Adults",
                "rows": [{"label": "Adults", "value": "None added", "url": reverse("referrals:adults")}],
            }
        )
    return cards


def person_name(kind: str, entry: dict, index: int) -> dict:
    """How a child or adult is named in lists: their name, or 'Unborn child'."""
    name = f"{entry.get('first_name', '')} {entry.get('last_name', '')}".strip()
    if not name:
        name = (
            "Unborn child"
            if entry.get("unborn") == "yes"
            else f"{'Child' if kind == 'children' else 'Adult'} {index + 1}"
        )
    return {
        "name": name,
        "index": index,
        "change_url": reverse(f"referrals:{kind}_change", args=[index]),
        "remove_url": reverse(f"referrals:{kind}_remove", args=[index]),
    }


def url_for_problem(topic: str) -> str:
    """The page to fix a topic ``clean_intake`` found a problem with (``children[2]``: that child's page)."""
    match = re.fullmatch(r"(children|adults)\[([0-9]+)\]", topic)
    if match:
        return reverse(f"referrals:{match.group(1)}_change", args=[int(match.group(2))])
    return reverse(f"referrals:{topic}")
