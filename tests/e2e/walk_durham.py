"""The walk's steps for Durham's rules (seed 001): a referral about child sexual exploitation, whose
CSE risk matrix the screening officer records, and a decision refused for its level of need.

``durham_rules`` is called from tests/e2e/pages.py's walk (the demo's policy is Durham's preset).
"""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.steps import Choose, Date, Type
from tests.e2e.walker import Walk


def durham_rules(w: Walk) -> str:
    """A school refers a 14-year-old for child sexual exploitation, saying significant harm now: the
    queue shows the four-hour serious-concerns clock; the referral shows its CSE risk matrix missing
    and the screening officer records it (sent empty first); the lead's Green at level 3 is refused
    on the decision page. Returns the reference."""
    concern = [
        *steps.concern()[:3],
        Choose("Yes", "Do you think a child is at risk of significant harm now?"),
        Choose("Yes", "Is the concern about child sexual exploitation?"),
    ]
    reference = w.journey.refer(
        children=[steps.child("Ella", "Brown", "Female", age=14)],
        adults=[steps.adult("Fay", "Brown")],
        concern=concern,
    )
    screening = w.journey.sign_in("screening")
    w.see(screening, "screening", "Triage queue (serious concerns clock)")
    w.journey.follow(screening, reference)
    w.see(screening, "screening", "Referral (CSE risk matrix missing)")
    w.journey.follow(screening, "Record the CSE risk matrix")
    matrix = [
        Choose("High risk", "Risk level the matrix gives"),
        Type("Completed by", "Jane Teacher, designated safeguarding lead"),
        Date("Date completed", timezone.localdate()),
        Type("What the matrix found", "Older boyfriend; gifts; missing overnight twice."),
    ]
    w.form(screening, "screening", "Record the CSE risk matrix", "Record the risk matrix", matrix)
    w.see(screening, "screening", "Referral (CSE risk matrix recorded)")
    screening.context.close()

    lead = w.journey.sign_in("lead")
    w.visit(lead, "lead", "Threshold decision (levels of need)", f"/triage/{reference}/decide/")
    steps.fill_decision(lead, ["Ella Brown"], "green", "Older boyfriend; gifts.", level="Level 3")
    w.journey.refused(lead, "Record the decision")
    expect(lead.get_by_role("alert")).to_contain_text("Ella Brown: level of need 3 goes to the MASH")
    w.see(lead, "lead", "Threshold decision (levels of need)", "error")
    lead.context.close()
    return reference
