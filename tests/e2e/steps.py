"""The journeys' steps, each as the person at the keyboard does it in the browser.

Every page reached is handed to ``Accessibility.check`` (axe-core), so the accessibility
assertion covers every page of every journey.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from mash.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX
from tests.e2e.browser import Accessibility, fill, press
from tests.referrals import factories as answers


class Journey:
    """One live server, one browser and one accessibility record shared by every person's tab."""

    def __init__(self, browser: Browser, base_url: str, accessibility: Accessibility) -> None:
        self.browser = browser
        self.base_url = base_url
        self.a11y = accessibility
        self.last_code_step: dict[str, int] = {}

    def new_page(self) -> Page:
        return self.browser.new_context(base_url=self.base_url).new_page()

    def visit(self, page: Page, path: str) -> Page:
        page.goto(path)
        self.a11y.check(page)
        return page

    def follow(self, page: Page, link: str) -> Page:
        """Click the link with that exact name, as a user picking a row from a list."""
        with page.expect_navigation():
            page.get_by_role("link", name=link, exact=True).click()
        self.a11y.check(page)
        return page

    def step(self, page: Page, data: dict[str, str], button: str = "Continue") -> Page:
        fill(page, data)
        press(page, button)
        self.a11y.check(page)
        return page

    # --- the public referral form -------------------------------------------------------------

    def refer(self, *, referrer: dict, children: list[dict], adults: list[dict], concern: dict) -> str:
        """A professional fills the online form from the start page; returns the reference shown."""
        page = self.visit(self.new_page(), "/refer/")
        press(page, "Start now")
        self.a11y.check(page)
        self.step(page, {"referrer_type": "professional"})
        self.step(page, referrer)
        for number, child in enumerate(children):
            self.step(page, child)
            self.step(page, {"add_another": "yes" if number < len(children) - 1 else "no"})
        for adult in adults:
            self.step(page, {"add_another": "yes"})
            self.step(page, adult)
        self.step(page, {"add_another": "no"})
        self.step(page, concern)
        self.step(page, answers.support_answers())
        self.step(page, answers.voices_answers())
        self.step(page, answers.consent_answers())
        expect(page).to_have_url(re.compile(r"/refer/check/$"))
        for child in children:
            expect(page.locator("main")).to_contain_text(f"{child['first_name']} {child['last_name']}")
        press(page, page.locator("main form button[type=submit]").last.inner_text().strip())
        self.a11y.check(page)
        expect(page).to_have_url(re.compile(r"/refer/confirmation/$"))
        reference = page.locator(".govuk-panel__body strong, .govuk-panel__body").first.inner_text()
        match = re.search(r"[A-Z]{2,}[0-9A-Z-]*\d", reference)
        assert match, f"no reference on the confirmation page: {reference!r}"
        page.context.close()
        return match.group(0)

    # --- staff sign-in with the second factor ---------------------------------------------------

    def sign_in(self, username: str) -> Page:
        """Password, then the six-digit code an authenticator app would show for the user's device."""
        page = self.visit(self.new_page(), "/accounts/login/")
        self.step(page, {"username": username, "password": DEMO_PASSWORD}, "Sign in")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
        # seed_demo gives every demo user's device the documented local-only key.
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX))
        while totp.t() == self.last_code_step.get(username):
            time.sleep(1)  # a code is accepted once: a second sign-in waits for the next one
        self.last_code_step[username] = totp.t()
        code = totp.token()
        self.step(page, {"token": f"{code:06d}"})
        expect(page).not_to_have_url(re.compile(r"/accounts/"))
        return page

    # --- triage ----------------------------------------------------------------------------------

    def open_from_queue(self, page: Page, reference: str) -> Page:
        """Find the referral in the triage queue and open it."""
        return self.follow(self.visit(page, "/triage/"), reference)

    def decide_every_child(self, page: Page, reference: str, rag: str, rationale: str) -> Page:
        self.visit(page, f"/triage/{reference}/decide/")
        names = page.eval_on_selector_all("[name$='-rag']", "inputs => inputs.map(input => input.name)")
        for prefix in sorted({name.rsplit("-", 1)[0] for name in names}):
            fill(
                page,
                {
                    f"{prefix}-rag": rag,
                    f"{prefix}-level_of_need": "3",
                    f"{prefix}-rationale": rationale,
                    f"{prefix}-primary_need": "N1",
                    f"{prefix}-consent_basis": "given",
                },
            )
        press(page, "Record the decision")
        self.a11y.check(page)
        return page

    def ask_agencies(self, page: Page, reference: str, agencies: list[str], question: str) -> Page:
        self.visit(page, f"/triage/mash/{reference}/requests/")
        for agency in agencies:
            page.get_by_role("checkbox", name=agency, exact=True).check()
        page.locator("[name=question]").fill(question)
        press(page, "Send requests")
        self.a11y.check(page)
        return page

    # --- the partner portal ------------------------------------------------------------------------

    def answer_request(self, page: Page, children: str, summary: str) -> Page:
        """A partner opens the request about these children from the portal's list and answers it."""
        self.follow(self.visit(page, "/partners/"), children)
        today = timezone.localdate().strftime("%d/%m/%Y")
        fill(
            page, {"known": "known", "summary": summary, "risk_indicators": "violence", "date_checked": today}
        )
        press(page, "Send answer")
        self.a11y.check(page)
        return page

    # --- discussion, outcome, allocation -----------------------------------------------------------

    def record_discussion(self, page: Page, reference: str, summary: str, *, received_at: datetime) -> Page:
        """The form takes minutes; the discussion cannot be before receipt nor in the future, so this
        waits (under a minute) for the first whole minute after the referral arrived."""
        held_at = timezone.localtime(received_at).replace(second=0, microsecond=0) + timedelta(minutes=1)
        while timezone.now() < held_at:
            time.sleep(1)
        self.visit(page, f"/triage/mash/{reference}/discussion/")
        fill(
            page,
            {
                "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
                "attendees": "Lee Lead, MASH\nPat Constable, Police\nHana Visitor, Health",
                "summary": summary,
                "level_of_need": "3",
                "rag_after": "amber",
            },
        )
        press(page, "Record the discussion")
        self.a11y.check(page)
        return page

    def record_outcome(self, page: Page, reference: str, team: str) -> Page:
        self.visit(page, f"/triage/mash/{reference}/outcome/")
        page.locator("[name=destination]").select_option(value="s17_assessment")
        page.locator("[name=primary_need]").select_option(value="N1")
        page.locator("[name=team]").select_option(label=team)
        fill(
            page,
            {
                "rationale": "Both children need a child and family assessment.",
                "recommendation": "Visit within five working days; see the children alone.",
            },
        )
        press(page, "Record the outcome")
        self.a11y.check(page)
        return page

    def allocate(self, page: Page, reference: str, worker: str) -> Page:
        """The team manager finds the referral in the team's queue and allocates a worker."""
        self.follow(self.visit(page, "/triage/mash/team-queue/"), reference)
        page.locator("[name=worker]").select_option(label=worker)
        press(page, page.locator("main form button[type=submit]").last.inner_text().strip())
        self.a11y.check(page)
        return page
