"""The journeys' visibility check, proven on small static pages styled by the service's own GOV.UK
Frontend CSS: it catches the fault the decision page once had (a RadioSelect whose wrapper carried
``govuk-radios__input``, so the options were transparent under a visible question) and the other ways
a control can be there but unseen, and it passes GOV.UK's own radios and checkboxes, whose real inputs
are transparent by design."""

from __future__ import annotations

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from playwright.sync_api import expect

from mash.forms import GovukFormMixin
from tests.e2e.browser import (
    CHROMIUM,
    VIEWPORT,
    Accessibility,
    choose,
    chromium,
    chromium_available,
    controls_hidden,
    tick,
)
from tests.support.environment import require

pytestmark = pytest.mark.browser

GOVUK_CSS = Path(settings.BASE_DIR) / "static" / "build" / "govuk-frontend.css"
RAG = [("red", "Red"), ("amber", "Amber"), ("green", "Green"), ("blue", "Blue")]
RISKS = [("violence", "Violence"), ("weapons", "Weapons")]

# The markup the decision page had: includes/fieldset.html's legend around Django's own RadioSelect,
# given the input's class by the old mixin, which Django also puts on the wrapper around the options.
ORIGINAL_FIELDSET = Template(
    """<div class="govuk-form-group"><fieldset class="govuk-fieldset">
    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{{ field.label }}</legend>
    {{ field }}</fieldset></div>"""
)


class OriginalDecision(forms.Form):
    rag = forms.ChoiceField(
        label="RAG rating", choices=RAG, widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"})
    )
    risk_indicators = forms.MultipleChoiceField(
        label="Risk indicators",
        choices=RISKS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
    )


class Decision(GovukFormMixin, forms.Form):
    rag = forms.ChoiceField(label="RAG rating", choices=RAG, widget=forms.RadioSelect)
    risk_indicators = forms.MultipleChoiceField(
        label="Risk indicators", choices=RISKS, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label="Summary")


@pytest.fixture(scope="module")
def browser():
    require(chromium_available(), f"needs Debian's chromium at {CHROMIUM}")
    require(GOVUK_CSS.exists(), f"needs {GOVUK_CSS} (make setup builds it)")
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def show(page, body: str):
    page.set_content(
        f'<!DOCTYPE html><html lang="en"><head><title>t</title><style>{GOVUK_CSS.read_text()}</style></head>'
        f'<body class="govuk-template__body js-enabled govuk-frontend-supported">'
        f'<main class="govuk-width-container">{body}</main></body></html>'
    )
    return page


def original_page(page):
    form = OriginalDecision()
    fieldsets = [ORIGINAL_FIELDSET.render(Context({"field": form[name]})) for name in form.fields]
    return show(page, "".join(fieldsets))


def test_the_original_fault_is_caught_on_every_option_under_its_visible_question(page):
    original_page(page)
    expect(page.get_by_text("RAG rating")).to_be_visible()

    hidden = controls_hidden(page)

    assert len(hidden) == len(RAG) + len(RISKS), hidden
    assert all("outside a govuk-" in line for line in hidden), hidden
    assert sum('"RAG rating"' in line for line in hidden) == len(RAG), hidden
    assert sum('"Risk indicators"' in line for line in hidden) == len(RISKS), hidden


def test_playwright_alone_would_tick_the_transparent_option_so_the_journey_check_stops_it(page):
    """Playwright counts an opacity-0 element as visible: without the check, a journey would 'choose'
    Red on the broken page and pass. The journeys' page check fails there instead."""
    original_page(page)
    choose(page, "Red", under="RAG rating")  # goes through: the input is there, only unseen

    with pytest.raises(AssertionError, match=r"input\[name=rag=red\] carries govuk-radios__input"):
        Accessibility().check(page)


def test_govuk_radios_and_checkboxes_as_the_service_renders_them_pass_and_show_their_state(page):
    form = Decision()
    show(page, Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form})))

    assert controls_hidden(page) == []
    choose(page, "Amber", under="RAG rating")
    tick(page, "Weapons", under="Risk indicators")
    assert controls_hidden(page) == []


@pytest.mark.parametrize(
    ("style", "why"),
    [
        ("opacity: 0", "is transparent"),
        ("width: 0; height: 0; padding: 0; border: 0", "has no size"),
        ("visibility: hidden", "visibility: hidden"),
        ("position: absolute; left: -9999px", "off the page"),
        ("position: absolute; clip-path: inset(50%)", "clipped away"),
    ],
)
def test_a_text_box_drawn_but_unseen_under_its_visible_label_is_caught(page, style, why):
    show(
        page,
        '<label class="govuk-label" for="summary">Summary</label>'
        f'<input class="govuk-input" id="summary" name="summary" style="{style}">',
    )

    [line] = controls_hidden(page)

    assert line.startswith("input[name=summary] ") and why in line and '"Summary" is visible' in line


COVERED = (
    '<div style="position: relative"><label class="govuk-label" for="summary">Summary</label>'
    '<input class="govuk-input" id="summary" name="summary">'
    '<div class="cover" style="position: absolute; inset: 30px 0 0 0; background: white"></div></div>'
)
RADIO_NOT_DRAWN = (
    '<fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend">RAG rating</legend>'
    '<div class="govuk-radios"><div class="govuk-radios__item">'
    '<input class="govuk-radios__input" id="rag" name="rag" type="radio" value="red">'
    '<label for="rag">Red</label></div></div></fieldset>'
)


@pytest.mark.parametrize(
    ("body", "why"),
    [(COVERED, "is covered by div.cover"), (RADIO_NOT_DRAWN, "has no govuk-radios__label to draw it")],
    ids=["covered", "radio-without-its-govuk-label"],
)
def test_a_control_covered_or_not_drawn_by_govuk_is_caught(page, body, why):
    show(page, body)

    [line] = controls_hidden(page)

    assert why in line


def test_controls_hidden_with_their_labels_are_no_trap_and_a_visible_control_needs_a_label(page):
    show(
        page,
        '<details class="govuk-details"><summary>More</summary>'
        '<label for="a">Inside closed details</label><input id="a" name="a"></details>'
        '<div class="govuk-radios__conditional govuk-radios__conditional--hidden">'
        '<label for="b">Inside a hidden reveal</label><input id="b" name="b"></div>'
        '<input class="govuk-input" name="nameless">',
    )

    assert controls_hidden(page) == ["input[name=nameless] is visible but has no label"]
