"""The one form pattern: GOV.UK rendering, messages that name their field and person, links to controls."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template

from mash.forms import GovukFormMixin, first_control_id
from mash.templatetags.govuk import govuk_date, govuk_datetime

LONDON = ZoneInfo("Europe/London")


class Example(GovukFormMixin, forms.Form):
    rag = forms.ChoiceField(
        label="RAG rating", choices=[("red", "Red"), ("amber", "Amber")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason for the change", max_length=5)
    team = forms.ChoiceField(label="Team", choices=[("", "Choose a team"), ("a", "Team A")])
    risks = forms.MultipleChoiceField(
        label="Risk indicators", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(
        label="Email address", error_messages={"invalid": "Enter an email like name@example.com"}
    )


def test_every_default_message_names_its_field_and_person():
    form = Example({"reason": "far too long", "email": "nope"}, subject="Amy Smith")
    assert not form.is_valid()
    assert form.errors["rag"] == ["Choose RAG rating for Amy Smith"]
    assert form.errors["team"] == ["Choose team for Amy Smith"]
    assert form.errors["risks"] == ["Choose risk indicators for Amy Smith"]
    assert form.errors["reason"] == ["Reason for the change for Amy Smith must be 5 characters or fewer"]
    # A message the form wrote itself is kept as written.
    assert form.errors["email"] == ["Enter an email like name@example.com"]
    assert not any(
        "This field is required" in message for errors in form.errors.values() for message in errors
    )


def test_a_choice_not_offered_is_named_too():
    form = Example({"rag": "purple", "reason": "ok", "team": "zz", "risks": ["x"], "email": "a@b.cd"})
    assert form.errors["rag"] == ["Choose RAG rating from the options shown"]
    assert form.errors["team"] == ["Choose team from the options shown"]


def test_one_forms_subject_never_leaks_into_another():
    Example({}, subject="Amy Smith").is_valid()
    other = Example({"reason": "far too long"}, subject="Ben Jones")
    other.is_valid()
    assert other.errors["reason"] == ["Reason for the change for Ben Jones must be 5 characters or fewer"]
    plain = Example({"reason": "far too long"})
    plain.is_valid()
    assert plain.errors["reason"] == ["Reason for the change must be 5 characters or fewer"]


def test_radios_and_checkboxes_render_as_govuk_with_the_input_inside_its_item():
    form = Example({"child-7-rag": "amber"}, prefix="child-7", subject="Amy Smith")
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    # The input carries the input class, its wrapper the item class: the tick and the dot can be seen.
    assert 'class="govuk-radios__input"' in html
    assert '<div class="govuk-radios__item">' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert 'id="id_child-7-rag_2"' in html and 'checked="checked"' in html
    assert "---------" not in html


def test_error_links_point_at_the_control_a_person_fixes_it_in():
    form = Example({}, prefix="child-7", subject="Amy Smith")
    form.is_valid()
    links = dict(form.error_links())
    assert links["id_child-7-rag_1"] == "Choose RAG rating for Amy Smith"
    assert links["id_child-7-risks_1"] == "Choose risk indicators for Amy Smith"
    assert links["id_child-7-reason"] == "Enter reason for the change for Amy Smith"
    html = Template('{% include "includes/error_summary.html" with forms=pairs %}').render(
        Context({"pairs": [("Amy Smith", form)]})
    )
    assert html.count("govuk-error-summary__title") == 1
    assert 'href="#id_child-7-rag_1"' in html


def test_a_date_fields_link_goes_to_its_day_box():
    class WithDate(GovukFormMixin, forms.Form):
        when = forms.SplitDateTimeField(label="When")

    form = WithDate({})
    form.is_valid()
    assert first_control_id(form["when"]) == "id_when_0"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 3, 13, 11, tzinfo=LONDON), "3 December 2026 at 1:11pm"),
        (datetime(2026, 12, 3, 9, 5, tzinfo=LONDON), "3 December 2026 at 9:05am"),
        (datetime(2026, 12, 3, 14, 0, tzinfo=LONDON), "3 December 2026 at 2pm"),
        (datetime(2026, 12, 3, 12, 0, tzinfo=LONDON), "3 December 2026 at midday"),
        (datetime(2026, 12, 3, 0, 0, tzinfo=LONDON), "3 December 2026 at midnight"),
        # Stored in UTC, shown in UK time (British Summer Time here).
        (datetime(2026, 7, 1, 11, 30, tzinfo=ZoneInfo("UTC")), "1 July 2026 at 12:30pm"),
    ],
)
def test_dates_and_times_are_written_the_govuk_way(moment, expected):
    assert govuk_datetime(moment) == expected


def test_a_date_alone_and_no_date():
    assert govuk_date(date(2026, 3, 1)) == "1 March 2026"
    assert govuk_date(None) == "" and govuk_datetime(None) == ""
