"""Driving Debian's chromium through Playwright the way a user does: fill what the page shows,
press its button, and run axe-core on every page reached (no serious or critical violation)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

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
BLOCKING_IMPACTS = ("serious", "critical")


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


class Accessibility:
    """Runs axe-core on a page once per distinct path and keeps every serious or critical violation."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []
        self.violations: list[str] = []

    def check(self, page: Page) -> None:
        path = page.url.split("://", 1)[-1].split("/", 1)[-1]
        results = self.axe.run(page)
        self.checked.append(path)
        for violation in results.response["violations"]:
            if violation.get("impact") in BLOCKING_IMPACTS:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
                self.violations.append(
                    f"/{path}: {violation['impact']} {violation['id']}: {violation['help']} -> {targets}"
                )

    def assert_clean(self) -> None:
        assert not self.violations, "axe-core found serious or critical violations:\n" + "\n".join(
            self.violations
        )


def fill(page: Page, answers: dict[str, str]) -> None:
    """Answer a form by field name: radios and checkboxes are checked, selects chosen, text typed."""
    for name, value in answers.items():
        field = page.locator(f'[name="{name}"]').first
        kind = (field.get_attribute("type") or "").lower()
        tag = field.evaluate("element => element.tagName")
        if kind in ("radio", "checkbox"):
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif tag == "SELECT":
            field.select_option(value=value)
        else:
            field.fill(value)


def press(page: Page, name: str) -> None:
    """Press the button with that accessible name and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
