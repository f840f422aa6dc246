"""The walk's second referral and the forms the first one does not reach: a Red referral's strategy
discussion, reassigning, returning and restricting a referral, chasing and declining a request, a
person's record and merging, and the social worker's casework after allocation.

Each function is called from tests/e2e/pages.py's walk, in the order the work happens.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from mash.codes import ReasonForClosure
from referrals.models import Referral, ReferralChild
from tests.e2e import browser as person
from tests.e2e import steps
from tests.e2e.steps import Choose, Date, Pick, Tick, Type
from tests.e2e.walker import Walk

SECOND_CHILD = "Cara Jones"


def second_referral(w: Walk, lead: Page) -> str:
    """A second school's referral, which the lead reassigns, rates Red and takes to a strategy
    discussion, then restricts; the return page is seen and refused but never sent."""
    reference = w.journey.refer(
        children=[steps.child("Cara", "Jones", "Female", age=5)],
        adults=[steps.adult("Dee", "Jones")],
        concern=steps.concern(),
    )
    reassign = [Pick("Reassign to", "Sam Screener"), Type("Reason for reassigning", "Sam knows the school.")]
    w.form(lead, "lead", "Reassign a referral", "Reassign", reassign, path=f"/triage/{reference}/reassign/")
    expect(lead.get_by_text("Sam Screener").first).to_be_visible()
    w.visit(lead, "lead", "Return for lack of consent", f"/triage/{reference}/return/")
    w.journey.refused(lead, "Return the referral", "Enter why the referral cannot progress without consent")
    w.see(lead, "lead", "Return for lack of consent", "error")

    w.journey.visit(lead, f"/triage/{reference}/decide/")
    steps.fill_decision(lead, [SECOND_CHILD], "red", "Significant harm likely tonight.")
    w.journey.press(lead, "Record the decision")
    strategy(w, lead, reference)
    restrict(w, lead, reference)
    return reference


def strategy(w: Walk, lead: Page, reference: str) -> None:
    held_at = _minute_after(Referral.objects.get(reference=reference).received_at)
    answers = [
        Date("When the strategy discussion took place", held_at.date()),
        Type("Time", held_at.strftime("%H:%M")),
        Type("Who attended, by agency", "Lee Lead, MASH\nPat Constable, Police"),
        Choose("Yes: start a section 47 enquiry", "Decision"),
        Type("Rationale", "Cara disclosed being hit; police attend tonight."),
    ]
    w.form(
        lead,
        "lead",
        "Strategy discussion",
        "Record the strategy discussion",
        answers,
        path=f"/mash/{reference}/strategy/",
    )
    w.see(lead, "lead", "Strategy discussion recorded")


def restrict(w: Walk, lead: Page, reference: str) -> None:
    why = [Type("Why only named people", "Cara's mother works in the council's MASH.")]
    w.form(lead, "lead", "Restrict a referral", "Restrict referral", why, path=f"/restricted/{reference}/")
    w.see(lead, "lead", "Who can open a restricted referral")
    w.journey.refused(lead, "Name this person", "Choose who to name on this referral")
    w.see(lead, "lead", "Who can open a restricted referral", "error")


def chase(w: Walk, lead: Page, reference: str) -> None:
    """Health has not answered yet: the lead chases it from the requests page."""
    w.journey.visit(lead, f"/mash/{reference}/requests/")
    w.journey.press(lead, "Chase Health")
    w.see(lead, "lead", "Request chased")


def decline(w: Walk, health: Page) -> None:
    """Health, on the request's page, declines it: the form opens under "Decline this request"."""
    health.get_by_text("Decline this request").click()
    expect(health.get_by_role("button", name="Decline", exact=True)).to_be_visible()
    # The form posts to its own address, which shows the refusal in the request's page.
    w.journey.press(health, "Decline")
    expect(health.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    person.expect_error(health, "Enter why your agency is declining")
    w.see(health, "health", "Decline a request", "error")
    w.journey.answer(
        health, [Type("Why your agency is declining", "We hold no records of this family.")], "Decline"
    )
    w.see(health, "health", "Request declined")


def person_record(w: Walk, lead: Page, reference: str) -> None:
    """The person index's record of a child the decision added, and its merge form refused."""
    amy = ReferralChild.objects.get(referral__reference=reference, first_name="Amy").person_id
    w.visit(lead, "lead", "A person's record", f"/people/{amy}/")
    w.visit(lead, "lead", "Merge two records", f"/people/{amy}/merge/")
    w.journey.refused(lead, "Merge")
    w.see(lead, "lead", "Merge two records", "error")


def casework(w: Walk, reference: str) -> None:
    """The allocated worker starts Amy's assessment and Ben's section 47 enquiry, records that no
    conference was needed and closes Ben's episode; the team manager authorises Amy's assessment."""
    today = timezone.localdate()
    worker = w.journey.sign_in("socialworker")
    base = f"/casework/{reference}"
    w.visit(worker, "socialworker", "Casework record", f"{base}/")
    start = [
        Choose("Amy Smith", "Which child is the assessment about?"),
        Date("Date the assessment started", today),
    ]
    w.form(worker, "socialworker", "Start an assessment", "Save", start, path=f"{base}/assessment/")
    s47 = [
        Choose("Ben Smith", "Which child is the section 47 enquiry about?"),
        Date("Date of the strategy discussion", today),
    ]
    w.form(worker, "socialworker", "Start a section 47 enquiry", "Save", s47, path=f"{base}/s47/")
    w.visit(worker, "socialworker", "Initial child protection conference", f"{base}/s47/conference/")
    w.journey.refused(worker, "Save", "Choose the section 47 enquiry")
    w.see(worker, "socialworker", "Initial child protection conference", "error")
    _tick_not_required(worker)
    w.journey.answer(worker, [Choose("Ben Smith", "Section 47 enquiry")], "Save")
    close = [
        Choose("Ben Smith", "Whose child in need episode closed?"),
        Date("Date the child in need episode closed", today),
        Pick("Reason for closure", ReasonForClosure.choices[0][1]),
    ]
    w.form(worker, "socialworker", "Close a child in need episode", "Save", close, path=f"{base}/close/")
    w.see(worker, "socialworker", "Casework record after closure")
    worker.context.close()

    manager = w.journey.sign_in("manager")
    authorise = [
        Choose("Amy Smith", "Assessment"),
        Date("Date the assessment was authorised", today),
        Tick("21", "Factors identified"),
        Choose("Yes", "Was the child assessed as requiring"),
    ]
    w.form(
        manager, "manager", "Authorise an assessment", "Save", authorise, path=f"{base}/assessment/authorise/"
    )
    w.see(manager, "manager", "Casework record after authorising")
    manager.context.close()


def _tick_not_required(page: Page) -> None:
    box = page.get_by_role("checkbox", name="An initial conference was not required")
    box.check()
    expect(box).to_be_checked()


def _minute_after(received_at: datetime) -> datetime:
    """A discussion cannot be before receipt nor in the future: the first whole minute after it."""
    held_at = timezone.localtime(received_at).replace(second=0, microsecond=0) + timedelta(minutes=1)
    while timezone.now() < held_at:
        time.sleep(1)
    return held_at


def search_and_recovery_codes(w: Walk, lead: Page, reference: str) -> None:
    """The lead finds a referral in the queue by a part of the child's name, then replaces their
    recovery codes (shown once)."""
    w.journey.visit(lead, "/triage/")
    w.journey.answer(lead, [Type("Search by reference, child's name or date of birth", "Smi")], "Search")
    expect(lead.get_by_role("link", name=reference, exact=True)).to_be_visible()
    w.see(lead, "lead", "Triage queue searched")
    w.visit(lead, "lead", "Recovery codes", "/accounts/recovery-codes/")
    w.journey.press(lead, "Get new recovery codes")
    w.see(lead, "lead", "New recovery codes")
