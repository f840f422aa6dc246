"""Driving Debian's chromium through Playwright only as a person can.

A person finds a control by the words next to it, so every helper here finds it by its visible
label, its question (a fieldset's legend) or its role and name; clicks and types with Playwright's
own actionability checks (never ``force``, never a value set by script or a hidden input); and then
asserts what the person would see: the text in the box, the tick, the option chosen.

Every page reached is checked twice: axe-core (no violation of any impact) and ``controls_hidden``,
which fails on any form control drawn on the page that a person cannot see or reach while its label
or question is in plain sight (tests/e2e/visibility.js says exactly what counts).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
VISIBILITY_CHECK = (Path(__file__).parent / "visibility.js").read_text()

Scope = Page | Locator


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_path(page: Page) -> str:
    return "/" + page.url.split("://", 1)[-1].split("/", 1)[-1]


def controls_hidden(page: Page) -> list[str]:
    """Each form control on the page that a person cannot see while its label is visible."""
    return page.evaluate(VISIBILITY_CHECK)


def axe_violations(axe: Axe, page: Page) -> list[str]:
    """axe-core's violations on the page, of any impact, one line each."""
    results = axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} -> {targets}")
    return lines


class Accessibility:
    """Runs axe-core and the visibility check on every page handed to it; keeps what they find."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []
        self.violations: list[str] = []
        self.last: list[str] = []  # the violations on the page checked last

    def check(self, page: Page) -> None:
        path = page_path(page)
        self.checked.append(path)
        hidden = controls_hidden(page)
        # A control a person cannot see stops the journey there: nothing after it would be honest.
        assert not hidden, f"{path}: controls a person cannot see:\n" + "\n".join(hidden)
        self.last = axe_violations(self.axe, page)
        self.violations += [f"{path}: {line}" for line in self.last]

    def assert_clean(self) -> None:
        assert self.checked, "no page was checked"
        assert not self.violations, "axe-core found violations:\n" + "\n".join(self.violations)


# --- what a person does ------------------------------------------------------------------------------


def _starting(text: str) -> re.Pattern:
    """A question or an answer as a person finds it: it starts with these words (the rest may explain)."""
    return re.compile(rf"^\s*{re.escape(text)}(?!\w)", re.IGNORECASE)


def field(scope: Scope, label: str) -> Locator:
    """The one text box, text area or select whose label starts with these words (a label may go on
    to explain, or say "(optional)"), as it is on screen."""
    control = scope.get_by_label(_starting(label))
    expect(control).to_have_count(1)
    expect(control).to_be_visible()
    return control


def fill_in(scope: Scope, label: str, text: str) -> Locator:
    """Type into the box labelled so; the box then shows what was typed."""
    control = field(scope, label)
    control.fill(text)
    expect(control).to_have_value(text)
    return control


def select(scope: Scope, label: str, option: str) -> Locator:
    """Pick the option a person reads in the list labelled so; the list then shows it."""
    control = field(scope, label)
    control.select_option(label=option)
    expect(control.locator("option:checked")).to_have_text(option)
    return control


def question(scope: Scope, legend: str) -> Locator:
    """The group of radios, checkboxes or date parts under this question (a fieldset's legend)."""
    group = scope.get_by_role("group", name=_starting(legend))
    expect(group.first).to_be_visible()
    return group.first


def _check(scope: Scope, role: str, answer: str, under: str | None) -> Locator:
    where = question(scope, under) if under else scope
    control = where.get_by_role(role, name=_starting(answer))
    expect(control).to_have_count(1)
    control.check()
    expect(control).to_be_checked()
    return control


def choose(scope: Scope, answer: str, *, under: str | None = None) -> Locator:
    """Click the radio with this answer (under that question when given); it then shows as chosen."""
    return _check(scope, "radio", answer, under)


def tick(scope: Scope, answer: str, *, under: str | None = None) -> Locator:
    """Tick the checkbox with this label; the tick then shows."""
    return _check(scope, "checkbox", answer, under)


def fill_date(scope: Scope, legend: str, when: date) -> Locator:
    """GOV.UK's date input: Day, Month and Year typed under the question."""
    group = question(scope, legend)
    for part, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        fill_in(group, part, str(value))
    return group


def press(page: Page, name: str, *, within: Locator | None = None) -> Page:
    """Press the button a person reads (the one in that part of the page, when given), and wait for
    the page it leads to."""
    button = (within or page).get_by_role("button", name=name, exact=True)
    expect(button).to_have_count(1)
    expect(button).to_be_visible()
    with _new_document(page):
        button.click()
    return page


def follow(page: Page, name: str, *, within: Locator | None = None) -> Page:
    """Click the link a person reads (the first, as a person's eye finds it; the one in that part of
    the page, when given), and wait for its page."""
    link = (within or page).get_by_role("link", name=name, exact=True).first
    expect(link).to_be_visible()
    with _new_document(page):
        link.click()
    return page


def _new_document(page: Page):
    """Waits for the next page to load. Not ``expect_navigation``: a queue's filters update its rows
    as soon as a box loses focus (htmx, which then changes the address), and that change of address
    would count as the navigation while the page the button asked for is still on its way."""
    return page.expect_event("load")


def expect_error(page: Page, message: str) -> None:
    """The error summary at the top names the problem, and its link takes the person to the control."""
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name=message, exact=True)
    expect(link).to_be_visible()
    target = (link.get_attribute("href") or "").lstrip("#")
    assert target, f"the error {message!r} does not link to its control"
    expect(page.locator(f"[id='{target}']")).to_have_count(1)
    # The message is also shown next to the control, where the person's eye lands after the link.
    expect(page.locator(".govuk-error-message").filter(has_text=message).first).to_be_visible()


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)
