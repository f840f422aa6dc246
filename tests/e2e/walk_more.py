"""The walk's second referral and the forms the first one does not reach: a Red referral's strategy
discussion, reassigning, returning and restricting a referral, chasing and declining a request, a
person's record and merging, and the social worker's casework after allocation.

Each function is called from tests/e2e/pages.py's walk, in the order the work happens.
"""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from mash.codes import ReasonForClosure
from mash.outbox.delivery import deliver
from mash.outbox.models import OutboxMessage
from referrals.models import ReferralChild
from tests.e2e import browser as person
from tests.e2e import steps
from tests.e2e.steps import Choose, Date, Pick, Tick, Type
from tests.e2e.walker import Walk
from triage.multiagency.actions import CHALLENGE_SUBMITTED
from triage.policy import current_policy

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
    """The lead decides to hold a strategy discussion (its clock starts, the invitations go), then
    records it: it cannot be before the decision, so it is held this minute."""
    why = [Type("Why a strategy discussion is to be held", "Cara disclosed being hit by her father.")]
    path = f"/mash/{reference}/strategy/"
    w.form(lead, "lead", "Decide to hold a strategy discussion", "Hold a strategy discussion", why, path=path)
    held_at = timezone.localtime().replace(second=0, microsecond=0)
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
    """The lead restricts the referral, names the screening officer on it, then lifts it."""
    why = [Type("Why only named people", "Cara's mother works in the council's MASH.")]
    w.form(lead, "lead", "Restrict a referral", "Restrict referral", why, path=f"/restricted/{reference}/")
    w.see(lead, "lead", "Who can open a restricted referral")
    w.journey.refused(lead, "Name this person", "Choose who to name on this referral")
    w.see(lead, "lead", "Who can open a restricted referral", "error")
    name = [
        Pick("Who to name", "Sam Screener (screening)"),
        Type("Why they need to open it", "Sam screened the referral and will make the checks."),
    ]
    w.journey.answer(lead, name, "Name this person")
    expect(lead.get_by_text(f"Sam Screener can now open referral {reference}.")).to_be_visible()
    expect(lead.get_by_role("cell", name="Sam Screener", exact=True)).to_be_visible()
    w.see(lead, "lead", "A person named on a restricted referral")
    w.journey.refused(lead, "Lift the restriction", "Enter why the restriction is no longer needed")
    w.see(lead, "lead", "Lift the restriction", "error")
    lift = [Type("Why the restriction is no longer needed", "Cara's mother has left the MASH.")]
    w.journey.answer(lead, lift, "Lift the restriction")
    expect(lead.get_by_text(f"Referral {reference} is no longer restricted.")).to_be_visible()
    expect(lead.get_by_role("heading", name="Restrict this referral", level=1)).to_be_visible()
    w.see(lead, "lead", "Restriction lifted")


def known_child(w: Walk, lead: Page, first: str) -> str:
    """A later referral about Amy (her name and date of birth as in the first referral, which is
    decided, so she is in the index): the known-child check offers her record and the lead answers
    that it is her. Rated Green, it goes to the early help hub, from whose queue the lead steps it up
    again. Returns the referral's reference."""
    reference = w.journey.refer(
        children=[steps.child("Amy", "Smith", "Female")], adults=[], concern=steps.concern()
    )
    amy = ReferralChild.objects.get(referral__reference=first, first_name="Amy").person_id
    w.visit(lead, "lead", "Known-child check with a candidate", f"/people/known-child/{reference}/")
    card = lead.locator(".govuk-summary-card").filter(
        has=lead.get_by_role("heading", name=re.compile(rf"· record {amy}$"))
    )
    expect(card).to_have_count(1)
    refusal = f"Choose whether record {amy} is Amy Smith"
    w.journey.refused(lead, "Record the answer", refusal, within=card, stays=False)
    w.see(lead, "lead", "Known-child check with a candidate", "error")
    same = [Choose("Yes, this is the same person", "Is this the same person?")]
    w.journey.answer(lead, same, "Record the answer", scope=card)
    expect(lead.get_by_text(f"Amy Smith linked to index record {amy}.")).to_be_visible()
    expect(lead.get_by_text("Linked", exact=True)).to_be_visible()
    w.see(lead, "lead", "Known-child check answered")

    w.journey.visit(lead, f"/triage/{reference}/decide/")
    why = "Known to school; early help can support the family."
    steps.fill_decision(lead, ["Amy Smith"], "green", why, level="Level 2")
    w.journey.press(lead, "Record the decision")
    step_up(w, lead, reference)
    return reference


def step_up(w: Walk, lead: Page, reference: str) -> None:
    """The Green referral waits in the early help hub's queue; the lead steps it up to the MASH."""
    w.visit(lead, "lead", "Early help queue with a referral", "/triage/early-help/")
    w.journey.follow(lead, reference)
    w.journey.follow(lead, "Step up to the MASH")
    w.see(lead, "lead", "Step up to the MASH")
    w.journey.refused(lead, "Step up", "Enter why the referral needs the MASH again")
    w.see(lead, "lead", "Step up to the MASH", "error")
    why = [Type("Why the referral needs the MASH again", "A new bruise: early help cannot hold this.")]
    w.journey.answer(lead, why, "Step up")
    expect(lead.get_by_text("Referral stepped up to the MASH.")).to_be_visible()
    w.see(lead, "lead", "Referral stepped up")


def challenge(w: Walk, reference: str) -> None:
    """The referrer challenges the outcome on the public page; the challenge is matched as the worker
    would match it (the pages walk runs no worker)."""
    page = w.journey.visit(w.journey.new_page(), "/refer/challenge/")
    answers = [
        Type("Referral reference", reference),
        Type("The email address you gave", steps.REFERRER_EMAIL),
        Type("Your name", "Jane Teacher"),
        Type("Why you disagree with the outcome", "Amy's bruising needs a section 47 enquiry."),
    ]
    w.journey.answer(page, answers, "Send the challenge")
    expect(page.get_by_role("heading", name="Thank you", level=1)).to_be_visible()
    w.see(page, "public", "Challenge sent")
    page.context.close()
    kept = OutboxMessage.objects.filter(kind=CHALLENGE_SUBMITTED, status__in=OutboxMessage.REPUBLISHABLE)
    for message_id in kept.values_list("pk", flat=True):
        assert deliver(message_id) == "done"


def respond_to_challenge(w: Walk, manager: Page, reference: str) -> None:
    """The team manager opens the challenge from the team queue and records a response."""
    w.journey.visit(manager, "/mash/team-queue/")
    w.journey.follow(manager, f"Challenge to the outcome of {reference}")
    expect(manager.get_by_role("heading", name="Challenge from Jane Teacher", level=1)).to_be_visible()
    w.see(manager, "manager", "Respond to a challenge")
    w.journey.refused(manager, "Record the response", "Enter your response to the challenge")
    w.see(manager, "manager", "Respond to a challenge", "error")
    response = [Type("Your response", "The assessment will see Amy alone within five days.")]
    w.journey.answer(manager, response, "Record the response")
    expect(manager.get_by_text("Your response has been recorded.")).to_be_visible()
    expect(manager.get_by_text("No open challenges.")).to_be_visible()
    w.see(manager, "manager", "Challenge answered")


def break_glass(w: Walk, worker: Page, reference: str) -> None:
    """The social worker needs the later referral about Amy (not theirs to see): they name her, say
    why, choose the referral among those found and get access for a few hours."""
    w.journey.visit(worker, "/break-glass/")
    search = [
        Type("Child's first name", "Amy"),
        Type("Child's last name", "Smith"),
        Date("Child's date of birth", steps.born()),
        Type("Why do you need this record?", "Police called out of hours about a new incident at home."),
    ]
    w.journey.answer(worker, search, "Get access")
    expect(person.question(worker, "Which referral do you need?")).to_be_visible()
    w.see(worker, "socialworker", "Emergency access: referrals found")
    w.journey.refused(worker, "Get access", "Choose the referral you need")
    w.see(worker, "socialworker", "Emergency access: referrals found", "error")
    w.journey.answer(worker, [Choose(reference, "Which referral do you need?")], "Get access")
    expect(worker.get_by_text(f"You have access to referral {reference} until")).to_be_visible()
    w.see(worker, "socialworker", "Emergency access granted")


def review_break_glass(w: Walk, admin: Page) -> None:
    """The administrator reviews the social worker's emergency access from the list to review."""
    w.journey.visit(admin, "/break-glass/review/")
    w.journey.follow(admin, "Review access by Sol Worker")
    w.see(admin, "admin", "Review emergency access")
    w.journey.refused(admin, "Record review", "Choose whether this access was justified")
    w.see(admin, "admin", "Review emergency access", "error")
    review = [Choose("Justified", "Was this access justified?"), Type("Note", "Out of hours; police call.")]
    w.journey.answer(admin, review, "Record review")
    expect(admin.get_by_text("Review recorded.")).to_be_visible()
    expect(admin.get_by_text("There is no emergency access waiting for review.")).to_be_visible()
    w.see(admin, "admin", "Emergency access reviewed")


def audit_search(w: Walk, admin: Page, reference: str) -> None:
    """The administrator looks up who touched a referral; a person number in words is refused."""
    w.journey.visit(admin, "/audit/")
    w.journey.answer(admin, [Type("Person index number", "Amy")], "Search")
    person.expect_error(admin, "Enter the person index number as digits, for example 1042")
    w.see(admin, "admin", "Audit log", "error")
    by_reference = [Type("Person index number", ""), Type("Referral reference", reference)]
    w.journey.answer(admin, by_reference, "Search")
    expect(admin.get_by_role("table").get_by_text(re.compile(r"^\d+ events?$"))).to_be_visible()
    w.see(admin, "admin", "Audit log searched by reference")


def edt_referral(w: Walk) -> str:
    """seed_demo's police notifications are flagged to the EDT only when the walk runs at night, so
    the walk makes its own: a high-risk referral received while "now" is out of hours."""
    policy = current_policy()
    steps.out_of_hours_now()
    try:
        return w.journey.refer(
            children=[steps.child("Eli", "Brown", "Male", age=3)],
            adults=[],
            concern=steps.concern(domestic_abuse="High"),
        )
    finally:
        steps.working_hours_again(policy)


def edt_acknowledge(w: Walk, duty: Page, reference: str) -> None:
    """The EDT acknowledges the flagged referral; it then shows under the "acknowledged" filter."""
    w.journey.follow(w.journey.visit(duty, "/triage/edt/"), reference)
    w.see(duty, "edt", "Referral flagged to the EDT")
    w.journey.press(duty, "Acknowledge (EDT)")
    expect(duty.get_by_text(f"Referral {reference} acknowledged by the emergency duty team.")).to_be_visible()
    expect(duty.get_by_role("link", name=reference, exact=True)).to_have_count(0)
    w.see(duty, "edt", "EDT queue after acknowledging")
    w.journey.answer(duty, [Pick("Acknowledged", "Yes, waiting for the day team")], "Apply filters")
    row = duty.get_by_role("row").filter(has=duty.get_by_role("link", name=reference, exact=True))
    expect(row.get_by_text("Acknowledged", exact=True)).to_be_visible()
    w.see(duty, "edt", "EDT queue: acknowledged")


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


def casework(w: Walk, reference: str, later: str) -> None:
    """The allocated worker starts Amy's assessment and Ben's section 47 enquiry, records that no
    conference was needed and closes Ben's episode, then needs the later referral about Amy in an
    emergency (break-glass); the team manager authorises Amy's assessment."""
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
    break_glass(w, worker, later)
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
