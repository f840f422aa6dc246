"""The walker of the page walk (tests/e2e/pages.py and the parts it calls): each page it is shown is
numbered and handed to ``on_page`` (a screenshot in the gallery, nothing in CI) after the Journey's own
checks (axe-core and the visibility check)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

from tests.e2e import steps
from tests.e2e.steps import Journey


@dataclass(frozen=True)
class Shot:
    number: int
    role: str
    title: str
    state: str  # "normal" or "error"
    path: str


OnPage = Callable[[Page, Shot], None]


class Walk:
    """Hands each page to ``on_page`` (a screenshot, or nothing) after Journey's own checks."""

    def __init__(self, journey: Journey, on_page: OnPage | None = None) -> None:
        self.journey = journey
        self.on_page = on_page
        self.shots: list[Shot] = []

    def see(self, page: Page, role: str, title: str, state: str = "normal") -> Page:
        shot = Shot(len(self.shots) + 1, role, title, state, steps.page_path(page))
        self.shots.append(shot)
        if self.on_page:
            self.on_page(page, shot)
        return page

    def visit(self, page: Page, role: str, title: str, path: str) -> Page:
        return self.see(self.journey.visit(page, path), role, title)

    def form(self, page: Page, role: str, title: str, button: str, answers: list, *, path: str = "") -> Page:
        """A form's page as it opens, as it comes back when sent empty, then answered and sent."""
        if path:
            self.journey.visit(page, path)
        self.see(page, role, title)
        self.journey.refused(page, button)
        self.see(page, role, title, "error")
        return self.journey.answer(page, answers, button)
