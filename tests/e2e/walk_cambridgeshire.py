"""The walk's steps for Cambridgeshire's rules after allocation (seed 004): the team manager's
management oversight of a case and a strategy discussion the assessment team decides on and holds.

Called from ``tests.e2e.pages.walk`` after ``walk_more.casework`` (the first referral is then
allocated to Assessment Team North with Amy's episode still open, and no strategy discussion held).
"""

from __future__ import annotations

from django.utils import timezone

from tests.e2e.steps import Choose, Date, Type
from tests.e2e.walker import Walk


def cambridgeshire_casework(w: Walk, reference: str) -> None:
    """The team manager records management oversight (004: "10 day management oversight"), sees the
    next one due on the team queue, then decides to hold a strategy discussion on the allocated case
    (004: the assessment team considers one) and records it, within its 24 hours."""
    manager = w.journey.sign_in("manager")
    base = f"/casework/{reference}"
    note = [Type("Management oversight", "Visit done; the assessment plan is agreed with the worker.")]
    w.form(manager, "manager", "Record management oversight", "Save", note, path=f"{base}/oversight/")
    w.see(manager, "manager", "Casework record after management oversight")
    w.visit(manager, "manager", "Team queue with management oversight due", "/mash/team-queue/")
    why = [Type("Why a strategy discussion is to be held", "Amy disclosed being hit at the visit.")]
    w.form(
        manager,
        "manager",
        "Decide to hold a strategy discussion (team)",
        "Save",
        why,
        path=f"{base}/strategy/",
    )
    held_at = timezone.localtime().replace(second=0, microsecond=0)
    answers = [
        Date("When the strategy discussion took place", held_at.date()),
        Type("Time", held_at.strftime("%H:%M")),
        Type("Who attended, by agency", "Mo Manager, Assessment Team North\nPat Constable, Police"),
        Choose("No section 47 enquiry", "Decision"),
        Type("Rationale", "An explanation was given and checked; the assessment continues."),
    ]
    record = f"{base}/strategy/record/"
    w.form(manager, "manager", "Record the strategy discussion (team)", "Save", answers, path=record)
    w.see(manager, "manager", "Casework record after the strategy discussion")
    manager.context.close()
