"""The journeys' steps, each as the person at the keyboard does it: they read a question, click the
answer or type into the box under its label, press the button they read, and look at what comes back.

Every page reached goes through ``Journey.check``: axe-core, the visibility check, and every file the
page asked for (styles, scripts, images) served without a redirect or an error.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Locator, Page, Response, StorageState, expect

from tests.e2e import browser as person
from tests.e2e.browser import VIEWPORT, Accessibility, page_path
from triage.actions import policy_version_create, policy_version_fields
from triage.policy import current_policy
from web.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX

# --- what a person answers, written as they read it on the page -------------------------------------


@dataclass(frozen=True)
class Type:
    label: str
    text: str

    def do(self, scope) -> None:
        person.fill_in(scope, self.label, self.text)


@dataclass(frozen=True)
class Choose:
    answer: str
    question: str

    def do(self, scope) -> None:
        person.choose(scope, self.answer, under=self.question)


@dataclass(frozen=True)
class Tick:
    answer: str
    question: str

    def do(self, scope) -> None:
        person.tick(scope, self.answer, under=self.question)


@dataclass(frozen=True)
class Pick:
    label: str
    option: str

    def do(self, scope) -> None:
        person.select(scope, self.label, self.option)


@dataclass(frozen=True)
class Date:
    question: str
    when: date

    def do(self, scope) -> None:
        person.fill_date(scope, self.question, self.when)


Answer = Type | Choose | Tick | Pick | Date


def professional() -> list[Answer]:
    return [
        Type("Your full name", "Jane Teacher"),
        Type("Your job title or role", "Designated safeguarding lead"),
        Type("The name of your organisation", "Hilltop Primary School"),
        Pick("Where do you work?", "A school, college or nursery"),
        Type("Your work email address", "jane.teacher@school.example"),
        Type("Your work telephone number", "01632 960 001"),
    ]


REFERRER_EMAIL = "jane.teacher@school.example"


def born(age: int = 8) -> date:
    """The date of birth the journeys give a child of this age (the same all day)."""
    return timezone.localdate() - timedelta(days=age * 365 + 30)


def child(first: str, last: str, sex: str, *, age: int = 8, nhs_number: str = "") -> list[Answer]:
    answers = [
        Choose("No", "Is the child unborn?"),
        Type("First name", first),
        Type("Last name", last),
        Date("Date of birth", born(age)),
        Choose(sex, "Sex"),
        Pick("Child's ethnicity", "White British"),
        Type("Home address", "1 High Street, Durham"),
        Type("Postcode", "DH1 1AA"),
    ]
    if nhs_number:
        answers.append(Type("NHS number (if known)", nhs_number))
    return answers


def adult(first: str = "Jo", last: str = "Smith") -> list[Answer]:
    return [
        Type("First name", first),
        Type("Last name", last),
        Type("Their relationship to the children", "Mother of both children"),
        Choose("Yes", "Do they live with the children?"),
        Choose("Yes", "Do they have parental responsibility?"),
        Choose("Female", "Sex"),
        Pick("Adult's ethnicity", "White British"),
    ]


def concern(*, domestic_abuse: str = "Not a domestic abuse notification") -> list[Answer]:
    return [
        Type("What are you worried about?", "Amy has come to school with bruises twice this week."),
        Type("What do you think the risks to the child are, and why?", "Physical harm at home."),
        Type("What has made you contact us now?", "A second bruise today; Amy is scared to go home."),
        Choose("I do not know", "Do you think a child is at risk of significant harm now?"),
        Pick("If this is about domestic abuse, the risk grade assessed", domestic_abuse),
    ]


def what_has_been_tried() -> list[Answer]:
    return [
        Type("What have you", "Spoke to mother."),
        Choose("Not offered", "Has an early help assessment been offered?"),
        Type("What support do you think the family needs?", "Parenting support."),
    ]


def views() -> list[Answer]:
    return [
        Type("What does the child say, and what do they want to happen?", "She wants the shouting to stop."),
        Type("What do the parents or carers say?", "Mother says Amy fell over."),
        Choose("I do not know", "If the child is old enough to understand"),
        Choose("Yes", "Do the parents or carers know you are contacting us?"),
        Choose("Yes", "Is it safe for us to contact the parents or carers?"),
    ]


def consent() -> list[Answer]:
    return [
        Choose("Yes, consent was given", "Did the parents or carers agree to this referral?"),
        Type("Who gave consent?", "Jo Smith, mother"),
        Date("Date consent was given", timezone.localdate()),
    ]


def out_of_hours_now() -> None:
    """Make "now" out of hours the way a council would: a new policy version whose working hours
    are one hour a day, far from the present hour. A live server's clock cannot be frozen from the
    test (time-machine would move this process's clock but not the worker's), so the calendar moves
    instead; everything else (intake, flags, e-mail) runs exactly as it would at night."""
    policy = current_policy()
    hour = timezone.localtime().hour
    window = ["01:00", "02:00"] if hour >= 12 else ["22:00", "23:00"]
    settings = policy_version_fields(policy)
    settings["working_hours"] = {day: window for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    policy_version_create(council=policy.council, settings=settings, by=None, note="e2e: out of hours now")


def working_hours_again(policy) -> None:
    """Bring back an earlier policy's working hours, as a new version (versions are never edited)."""
    settings = policy_version_fields(current_policy())
    settings["working_hours"] = policy.working_hours
    policy_version_create(council=policy.council, settings=settings, by=None, note="e2e: working hours again")


class Journey:
    """One live server, one browser and one accessibility record shared by every person's tab."""

    def __init__(self, browser: Browser, base_url: str, accessibility: Accessibility) -> None:
        self.browser = browser
        self.base_url = base_url
        self.a11y = accessibility
        self.last_code_step: dict[str, int] = {}
        self.signed_in: dict[str, StorageState] = {}
        self.failed_assets: list[str] = []

    def new_page(self, storage_state: StorageState | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=VIEWPORT, storage_state=storage_state
        )
        page = context.new_page()
        page.on("response", self._watch_asset)
        return page

    def _watch_asset(self, response: Response) -> None:
        # 304: the browser's own copy is still current (a file served before, unchanged since).
        if response.request.resource_type != "document" and response.status not in (200, 304):
            self.failed_assets.append(f"{response.url}: {response.status}")

    def check(self, page: Page) -> Page:
        page.wait_for_load_state("load")
        failed = "\n".join(self.failed_assets)
        assert not failed, f"files a page asked for were not served:\n{failed}"
        self.a11y.check(page)
        return page

    def visit(self, page: Page, path: str) -> Page:
        page.goto(path)
        return self.check(page)

    def follow(self, page: Page, link: str, *, within: Locator | None = None) -> Page:
        person.follow(page, link, within=within)
        return self.check(page)

    def press(self, page: Page, button: str, *, within: Locator | None = None) -> Page:
        person.press(page, button, within=within)
        return self.check(page)

    def answer(
        self, page: Page, answers: list[Answer], button: str = "Continue", *, scope: Locator | None = None
    ) -> Page:
        """Answer each question (those in ``scope``, one of several forms on the page, when given)
        and press that form's button."""
        for each in answers:
            each.do(scope or page)
        return self.press(page, button, within=scope)

    def refused(
        self, page: Page, button: str, *messages: str, within: Locator | None = None, stays: bool = True
    ) -> Page:
        """Press without answering: the same page comes back with its error summary at the top,
        naming each problem (these messages, when given). It comes back at its own address unless
        ``stays`` is False: a form that posts to an address of its own shows the page again there."""
        url = page.url
        self.press(page, button, within=within)
        if stays:
            expect(page).to_have_url(url)
        expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
        for message in messages:
            person.expect_error(page, message)
        return page

    # --- the public referral form -------------------------------------------------------------

    def refer(
        self, *, children: list[list[Answer]], adults: list[list[Answer]], concern: list[Answer]
    ) -> str:
        """A professional fills the online form from the start page; returns the reference shown."""
        page = self.visit(self.new_page(), "/refer/")
        self.press(page, "Start now")
        self.answer(page, [Choose("As a professional", "Are you contacting us as a professional")])
        self.answer(page, professional())
        for number, answers in enumerate(children):
            self.answer(page, answers)
            more = "Yes" if number < len(children) - 1 else "No"
            self.answer(page, [Choose(more, "Do you need to add another child?")])
        for answers in adults:
            self.answer(page, [Choose("Yes", "Do you need to add")])
            self.answer(page, answers)
        self.answer(page, [Choose("No", "Do you need to add")])
        self.answer(page, concern)
        self.answer(page, what_has_been_tried())
        self.answer(page, views())
        self.answer(page, consent())
        expect(page).to_have_url(re.compile(r"/refer/check/$"))
        self.press(page, "Accept and send")
        expect(page).to_have_url(re.compile(r"/refer/confirmation/$"))
        panel = page.locator(".govuk-panel")
        expect(panel).to_be_visible()
        match = re.search(r"MASH-\d{4}-\d+", panel.inner_text())
        assert match, f"no reference on the confirmation page: {panel.inner_text()!r}"
        page.context.close()
        return match.group(0)

    # --- staff sign-in with the second factor ---------------------------------------------------

    def sign_in(self, username: str) -> Page:
        """Password, then the six-digit code an authenticator app would show for the user's device.

        A person who signed in earlier in the journey and did not sign out comes back to a new tab
        with their session's cookie, as a browser keeps it; only a session that has ended (signed
        out, expired) makes them sign in again, and wait for the authenticator's next code."""
        if username in self.signed_in:
            page = self.visit(self.new_page(self.signed_in[username]), "/")
            if not page_path(page).startswith(("/accounts/", "/refer/")):  # where "/" sends the signed-out
                expect(page.get_by_role("button", name=re.compile(r"^(Sign|Log) out"))).to_be_visible()
                return page
            page.context.close()
        page = self.sign_in_with_password_and_code(username)
        self.signed_in[username] = page.context.storage_state()
        return page

    def sign_in_with_password_and_code(self, username: str) -> Page:
        page = self.visit(self.new_page(), "/accounts/login/")
        self.answer(page, [Type("Username", username), Type("Password", DEMO_PASSWORD)], "Sign in")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
        # seed_demo gives every demo user's device the documented local-only key.
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX))
        while totp.t() == self.last_code_step.get(username):
            time.sleep(1)  # a code is accepted once: a second sign-in waits for the next one
        self.last_code_step[username] = totp.t()
        code = page.get_by_role("textbox").first
        expect(code).to_be_visible()
        code.fill(f"{totp.token():06d}")
        self.press(page, page.locator("main form button").last.inner_text().strip())
        expect(page).not_to_have_url(re.compile(r"/accounts/"))
        # Signed in, wherever the role's work is (the administrator's is Django's admin: "Log out").
        expect(page.get_by_role("button", name=re.compile(r"^(Sign|Log) out"))).to_be_visible()
        return page

    # --- triage ----------------------------------------------------------------------------------

    def open_from_queue(self, page: Page, reference: str) -> Page:
        """Find the referral in the triage queue and open it."""
        return self.follow(self.visit(page, "/triage/"), reference)

    def decide_every_child(self, page: Page, reference: str, children: list[str], rag: str, why: str) -> Page:
        self.visit(page, f"/triage/{reference}/decide/")
        fill_decision(page, children, rag, why)
        return self.press(page, "Record the decision")

    def ask_agencies(self, page: Page, reference: str, agencies: list[str], question: str) -> Page:
        self.visit(page, f"/mash/{reference}/requests/")
        answers: list[Answer] = [Tick(agency, "Agencies") for agency in agencies]
        answers += [
            Type("Question", question),
            Pick("Lawful basis for sharing", person_lawful_basis(page)),
        ]
        return self.answer(page, answers, "Send requests")

    # --- the partner portal ------------------------------------------------------------------------

    def answer_request(self, page: Page, children: str, summary: str) -> Page:
        """A partner opens the request about these children from the portal's list and answers it."""
        self.follow(self.visit(page, "/partners/"), children)
        answers = [
            Choose("Known to us", "Are the people known to your agency?"),
            Type("Summary of what you know", summary),
            Tick("Violence or threats", "Risk indicators"),
            Date("Date your records were checked", timezone.localdate()),
        ]
        return self.answer(page, answers, "Send answer")

    # --- discussion, outcome, allocation -----------------------------------------------------------

    def record_discussion(self, page: Page, reference: str, summary: str, *, received_at: datetime) -> Page:
        """The form takes minutes; the discussion cannot be before receipt nor in the future, so this
        waits (under a minute) for the first whole minute after the referral arrived."""
        held_at = timezone.localtime(received_at).replace(second=0, microsecond=0) + timedelta(minutes=1)
        while timezone.now() < held_at:
            time.sleep(1)
        self.visit(page, f"/mash/{reference}/discussion/")
        answers = [
            Date("When the discussion took place", held_at.date()),
            Type("Time", held_at.strftime("%H:%M")),
            Type("Who attended", "Lee Lead, MASH\nPat Constable, Police\nHana Visitor, Health"),
            Type("Summary of the discussion", summary),
            Choose("Level 3", "Overall level of need"),
            Choose("Amber", "RAG rating after the discussion"),
        ]
        return self.answer(page, answers, "Record the discussion")

    def record_outcome(self, page: Page, reference: str, team: str) -> Page:
        self.visit(page, f"/mash/{reference}/outcome/")
        answers = [
            Choose("Section 17 child and family assessment", "Where the referral goes next"),
            Pick("Primary need code", "Abuse or neglect"),
            Pick("Receiving team", team),
            Type("Decision and rationale", "Both children need a child and family assessment."),
            Type("Recommendations", "Visit within five working days; see the children alone."),
        ]
        return self.answer(page, answers, "Record the outcome")

    def allocate(self, page: Page, reference: str, worker: str) -> Page:
        """The team manager finds the referral in the team's queue and allocates a worker."""
        self.follow(self.visit(page, "/mash/team-queue/"), reference)
        person.select(page, "Social worker", worker)
        return self.press(page, "Allocate")


def fill_decision(page: Page, children: list[str], rag: str, why: str, *, level: str = "Level 3") -> None:
    """Under each child's name (the n-th child's questions follow the n-th name): the RAG rating,
    level of need, rationale, primary need and consent basis."""
    for nth, name in enumerate(children):
        expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
        person.choose(page.get_by_role("group", name="RAG rating").nth(nth), rag.title())
        person.choose(page.get_by_role("group", name="Level of need").nth(nth), level)
        rationale = page.get_by_label("Rationale", exact=True).nth(nth)
        rationale.fill(why)
        expect(rationale).to_have_value(why)
        need = page.get_by_label("Primary need (CIN census)").nth(nth)
        need.select_option(label="Abuse or neglect")
        expect(need.locator("option:checked")).to_have_text("Abuse or neglect")
        person.choose(page.get_by_role("group", name="Consent").nth(nth), "Consent given")


def person_lawful_basis(page: Page) -> str:
    """The lawful basis a MASH lead picks for a child protection question: the safeguarding one."""
    options = page.get_by_label("Lawful basis for sharing").locator("option").all_inner_texts()
    return next(option for option in options if "safeguarding of children" in option)


__all__ = ["Journey", "page_path"]
