"""Walk steps for the census details and plans on the casework record: the child's UPN and
disabilities, a child in need plan, an enquiry's emergency protection, a child protection plan from its
initial conference with a review, a statutory visit and a change of category, and a death; the birth
and internal review pages as they are with no unborn child and no open assessment.

Called after ``walk_more.casework`` (Amy's assessment authorised as needing support, Ben's episode
closed), with the allocated social worker and the team manager signed in.
"""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page

from tests.e2e.steps import Choose, Date, Pick, Tick, Type
from tests.e2e.walker import Walk

# A valid UPN from the Department's UPN guidance.
UPN = "H801200001001"


def census_records(w: Walk, worker: Page, manager: Page, reference: str) -> None:
    """The worker records Amy's UPN and disabilities and runs her child in need plan; her section 47
    enquiry's conference makes a child protection plan, which the manager reviews, recategorises and
    ends; the worker records Ben's death."""
    today = timezone.localdate()
    base = f"/casework/{reference}"
    identifiers = [
        Choose("Amy Smith", "Whose UPN is this?"),
        Type("Unique pupil number (UPN)", UPN),
    ]
    w.form(worker, "socialworker", "Record a child's UPN", "Save", identifiers, path=f"{base}/child/upn/")
    disabilities = [
        Choose("Amy Smith", "Whose disabilities are these?"),
        Tick("VIS: Vision", "Disabilities"),
        Tick("HEAR: Hearing", "Disabilities"),
    ]
    w.form(
        worker,
        "socialworker",
        "Record a child's disabilities",
        "Save",
        disabilities,
        path=f"{base}/child/disabilities/",
    )
    w.visit(worker, "socialworker", "Record a birth (no unborn child)", f"{base}/child/birth/")
    w.visit(
        worker,
        "socialworker",
        "Record an assessment's internal review (none open)",
        f"{base}/assessment/review/",
    )
    _cin_plan(w, worker, base, today)
    if today.weekday() < 5:  # an initial conference is never at a weekend (census 8875)
        _cp_plan(w, worker, manager, base, today)
    death = [Choose("Ben Smith", "Which child died?"), Date("Date of death", today)]
    w.form(worker, "socialworker", "Record the death of a child", "Save", death, path=f"{base}/child/death/")
    w.see(worker, "socialworker", "Casework record with census details and plans")


def _cin_plan(w: Walk, worker: Page, base: str, today) -> None:
    start = [
        Choose("Amy Smith", "Which child is the child in need plan for?"),
        Date("Date the child in need plan started", today),
    ]
    w.form(worker, "socialworker", "Start a child in need plan", "Save", start, path=f"{base}/cin-plan/")
    review = [Choose("Amy Smith", "Child in need plan"), Date("Date of the review", today)]
    w.form(
        worker,
        "socialworker",
        "Record a child in need plan review",
        "Save",
        review,
        path=f"{base}/cin-plan/review/",
    )
    end = [Choose("Amy Smith", "Child in need plan"), Date("Date the plan ended", today)]
    w.form(worker, "socialworker", "End a child in need plan", "Save", end, path=f"{base}/cin-plan/end/")


def _cp_plan(w: Walk, worker: Page, manager: Page, base: str, today) -> None:
    s47 = [
        Choose("Amy Smith", "Which child is the section 47 enquiry about?"),
        Date("Date of the strategy discussion", today),
    ]
    w.journey.answer(w.journey.visit(worker, f"{base}/s47/"), s47, "Save")
    protection = [
        Choose("Amy Smith", "Section 47 enquiry"),
        Choose("Yes", "In the six months before the enquiry started"),
        Date("Date of the emergency protection order or police protection", today),
    ]
    w.form(
        worker,
        "socialworker",
        "Record emergency protection during a section 47 enquiry",
        "Save",
        protection,
        path=f"{base}/s47/emergency-protection/",
    )
    conference = [
        Choose("Amy Smith", "Section 47 enquiry"),
        Date("Date of the initial child protection conference", today),
        Choose("Yes", "Did the conference result in a child protection plan?"),
        Pick("Initial category of abuse", "Neglect"),
    ]
    w.journey.answer(w.journey.visit(worker, f"{base}/s47/conference/"), conference, "Save")
    start = [Choose("Amy Smith", "Initial conference that decided on a child protection plan")]
    w.form(worker, "socialworker", "Start a child protection plan", "Save", start, path=f"{base}/cp-plan/")
    review = [Choose("Amy Smith", "Child protection plan"), Date("Date of the review conference", today)]
    w.form(
        manager,
        "manager",
        "Record a child protection review conference",
        "Save",
        review,
        path=f"{base}/cp-plan/review/",
    )
    category = [
        Choose("Amy Smith", "Child protection plan"),
        Pick("New category of abuse", "Emotional abuse"),
        Date("Date the category changed", today),
    ]
    w.form(
        manager,
        "manager",
        "Change a plan's category of abuse",
        "Save",
        category,
        path=f"{base}/cp-plan/category/",
    )
    visit = [
        Choose("Amy Smith", "Child protection plan"),
        Date("Date of the visit", today),
        Choose("Yes", "Was the child seen?"),
        Choose("Yes", "Was the child seen alone?"),
    ]
    w.form(
        worker,
        "socialworker",
        "Record a statutory visit under a child protection plan",
        "Save",
        visit,
        path=f"{base}/cp-plan/visit/",
    )
    end = [
        Choose("Amy Smith", "Child protection plan"),
        Date("Date the plan ended", today),
        Choose("The child is no longer at continuing risk", "Why did the plan end?"),
    ]
    w.form(manager, "manager", "End a child protection plan", "Save", end, path=f"{base}/cp-plan/end/")
