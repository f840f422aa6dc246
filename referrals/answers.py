"""What the check-your-answers page shows: each answer given, as the referrer would say it, with a
change link that returns to this page; questions that do not apply to these answers are left out,
and those left empty are named once per section under "Not given"."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.urls import reverse

from mash.forms import first_control_id
from mash.templatetags.govuk import govuk_date_of

from .forms import YES
from .intake import TOPICS, form_class_for
from .models import Referral
from .people_pages import PEOPLE
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
# An empty answer that is itself an answer.
EMPTY_MEANS = {"domestic_abuse_risk": "Not a domestic abuse notification"}
CHANGE = "?change=1"


def _display(field: forms.Field, value) -> str:
    if isinstance(value, date):
        return govuk_date_of(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def not_applicable(form: forms.Form) -> set[str]:
    """Questions these answers make irrelevant: a born child's expected date of birth, an unborn
    child's date of birth, who gave consent when none was given, an anonymous referrer's details."""
    data = getattr(form, "cleaned_data", {})
    hidden: set[str] = set()
    if "unborn" in form.fields:
        hidden.add("date_of_birth" if data.get("unborn") == YES else "expected_date_of_birth")
    if "consent" in form.fields:
        given = data.get("consent") == Referral.Consent.GIVEN
        hidden |= {"consent_notes"} if given else {"consent_given_by", "consent_given_on"}
    if data.get("referrer_anonymous") == YES:
        hidden |= {"referrer_name", "referrer_email", "referrer_phone"}
    return hidden


def section(title: str, form: forms.Form, change_url: str, *, whose: str = "") -> dict:
    """A card of the given answers, then one "Not given" row naming the questions left empty."""
    form.is_valid()
    rows, empty = [], []
    skip = not_applicable(form)
    for name, field in form.fields.items():
        if name in skip:
            continue
        value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if value in (None, "") and name not in EMPTY_MEANS:
            empty.append(str(field.label))
            continue
        shown = EMPTY_MEANS[name] if value in (None, "") else _display(field, value)
        rows.append(
            {
                "label": field.label,
                "value": shown,
                "url": f"{change_url}#{first_control_id(form[name])}",
            }
        )
    if empty:
        rows.append({"label": NOT_GIVEN, "value": "", "not_given": empty, "url": change_url})
    return {"title": title, "rows": rows, "whose": whose}


def sections(wizard: Wizard) -> list[dict]:
    """The answers grouped as the pages asked them, children and adults one card each."""
    result = []
    for topic in TOPICS:
        form = form_class_for(topic, wizard.referrer_type)(wizard.answers(topic))
        result.append(section(TOPIC_TITLES[topic], form, f"{reverse(f'referrals:{topic}')}{CHANGE}"))
        if topic == "referrer":
            result.extend(_people_sections(wizard, "children"))
            result.extend(_people_sections(wizard, "adults"))
    return result


def _people_sections(wizard: Wizard, kind: str) -> list[dict]:
    form_class = PEOPLE[kind]["form"]
    cards = []
    for index, entry in enumerate(wizard.people(kind)):
        url = f"{reverse(f'referrals:{kind}_change', args=[index])}{CHANGE}"
        name = person_name(kind, entry, index)["name"]
        numbered = f"{PEOPLE[kind]['singular'].capitalize()} {index + 1}"
        title = numbered if name == numbered else f"{numbered}: {name}"
        cards.append(section(title, form_class(entry, number=index + 1), url, whose=name))
    if kind == "adults" and not cards:
        url = f"{reverse('referrals:adults')}{CHANGE}"
        cards.append({"title": "Adults", "rows": [{"label": "Adults", "value": "None added", "url": url}]})
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
    """The page to fix a topic ``clean_intake`` found a problem with (``children[2]``: that child's
    page); once fixed, the referrer comes straight back to the check page."""
    match = re.fullmatch(r"(children|adults)\[([0-9]+)\]", topic)
    if match:
        return f"{reverse(f'referrals:{match.group(1)}_change', args=[int(match.group(2))])}{CHANGE}"
    return f"{reverse(f'referrals:{topic}')}{CHANGE}"
