"""Every page of the service, as each role reaches it, in its normal state and (for a form) its error
state: the one list that `make screenshots` photographs (tests/e2e/gallery.py) and that CI checks with
axe-core and the visibility check (tests/e2e/test_pages.py), so CI checks what the gallery shows.

It is a walk rather than a table because most pages exist only once a referral has got that far: the
walk sends a referral through the public form, then the MASH, the partners and the team take it on,
each page seen first as it opens, then refused with nothing entered, then answered as a person would.
It starts from seed_demo's council (its users and its three police notifications).
"""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.models import Referral
from tests.e2e import browser as person
from tests.e2e import steps
from tests.e2e import walk_cambridgeshire as cambridgeshire
from tests.e2e import walk_census_records as census
from tests.e2e import walk_derby as derby
from tests.e2e import walk_durham as durham
from tests.e2e import walk_more as more
from tests.e2e.steps import Choose, Date, Journey, Pick, Tick, Type
from tests.e2e.walker import OnPage, Shot, Walk

CHILDREN = ["Amy Smith", "Ben Smith"]
EMERGENCY = "/break-glass/"
STATUTORY = "/reports/statutory/"


def walk(journey: Journey, on_page: OnPage | None = None) -> list[Shot]:
    """The whole walk; returns every page seen, in order."""
    w = Walk(journey, on_page)
    reference = public_form(w)
    signing_in(w)
    lead = mash(w, reference)  # the lead stays signed in: a second sign-in would wait for a new code
    more.chase(w, lead, reference)
    more.search_and_recovery_codes(w, lead, reference)
    partners(w)
    more.second_referral(w, lead)
    more.person_record(w, lead, reference)
    later = more.known_child(w, lead, reference)
    durham.durham_rules(w)
    derby.derby_rules(w, lead)
    outcome_and_team(w, reference, lead)
    more.casework(w, reference, later)
    census_records(w, reference)
    cambridgeshire.cambridgeshire_casework(w, reference)
    everyone_else(w, reference)
    return w.shots


def census_records(w: Walk, reference: str) -> None:
    worker, manager = w.journey.sign_in("socialworker"), w.journey.sign_in("manager")
    census.census_records(w, worker, manager, reference)
    worker.context.close()
    manager.context.close()


def public_form(w: Walk) -> str:
    page = w.visit(w.journey.new_page(), "public", "Start page", "/refer/")
    w.journey.press(page, "Start now")
    w.form(page, "public", "Professional or public", "Continue", [Choose("As a professional", "Are you")])
    w.form(page, "public", "About you (professional)", "Continue", steps.professional())
    w.form(page, "public", "About the child", "Continue", steps.child("Amy", "Smith", "Female"))
    w.form(page, "public", "Children added", "Continue", [Choose("Yes", "Do you need to add another child?")])
    w.journey.answer(page, steps.child("Ben", "Smith", "Male"))
    w.journey.answer(page, [Choose("No", "Do you need to add another child?")])
    w.form(page, "public", "Adults in the household", "Continue", [Choose("Yes", "Do you need to add")])
    w.form(page, "public", "About an adult", "Continue", steps.adult())
    w.see(page, "public", "Adults added")
    w.journey.answer(page, [Choose("No", "Do you need to add")])
    w.form(page, "public", "Your concern", "Continue", steps.concern())
    w.form(page, "public", "What has been tried", "Continue", steps.what_has_been_tried())
    w.form(page, "public", "Views", "Continue", steps.views())
    w.form(page, "public", "Consent", "Continue", steps.consent())
    w.see(page, "public", "Check your answers")
    w.journey.press(page, "Accept and send")
    w.see(page, "public", "Confirmation")
    reference = page.locator(".govuk-panel").inner_text()
    reference = next(word for word in reference.split() if word.startswith("MASH-"))
    page.context.close()

    # A member of the public is asked about themselves differently.
    page = w.journey.visit(w.journey.new_page(), "/refer/")
    w.journey.press(page, "Start now")
    w.journey.answer(page, [Choose("As a member of the public", "Are you")])
    w.see(page, "public", "About you (member of the public)")
    w.journey.refused(page, "Continue")
    w.see(page, "public", "About you (member of the public)", "error")
    w.visit(page, "public", "Challenge an outcome", "/refer/challenge/")
    w.journey.refused(page, "Send the challenge")
    w.see(page, "public", "Challenge an outcome", "error")
    page.context.close()
    return reference


def signing_in(w: Walk) -> None:
    page = w.visit(w.journey.new_page(), "staff", "Sign in", "/accounts/login/")
    w.journey.refused(page, "Sign in")
    w.see(page, "staff", "Sign in", "error")
    w.journey.answer(page, [Type("Username", "lead"), Type("Password", steps.DEMO_PASSWORD)], "Sign in")
    w.see(page, "staff", "Second factor")
    w.journey.refused(page, page.locator("main form button").last.inner_text().strip())
    w.see(page, "staff", "Second factor", "error")
    page.context.close()


def mash(w: Walk, reference: str) -> Page:
    screening = w.journey.sign_in("screening")
    w.see(screening, "screening", "Triage queue")
    w.journey.follow(screening, reference)
    w.see(screening, "screening", "Referral")
    w.journey.press(screening, "Claim")
    w.see(screening, "screening", "Referral claimed")
    record = [Choose("By telephone", "How")]
    w.form(screening, "screening", "Record a referral", "Continue", record, path="/refer/record/")
    w.visit(screening, "screening", "Record a consultation", "/refer/consultation/")
    w.journey.refused(screening, "Save consultation")
    w.see(screening, "screening", "Record a consultation", "error")
    screening.context.close()

    lead = w.journey.sign_in("lead")
    for title, path in [
        ("Triage queue", "/triage/"),
        ("Domestic abuse queue", "/triage/domestic-abuse/"),
        ("EDT queue", "/triage/edt/"),
        ("Referral", f"/triage/{reference}/"),
        ("Known-child check", f"/people/known-child/{reference}/"),
    ]:
        w.visit(lead, "lead", title, path)
    w.visit(lead, "lead", "Threshold decision", f"/triage/{reference}/decide/")
    w.journey.refused(lead, "Record the decision", "Choose RAG rating for Amy Smith")
    w.see(lead, "lead", "Threshold decision", "error")
    steps.fill_decision(lead, CHILDREN, "amber", "Repeated bruising; partner checks needed.")
    w.journey.press(lead, "Record the decision")
    w.see(lead, "lead", "Decision recorded")
    w.visit(lead, "lead", "Change a rating", f"/triage/{reference}/change-rag/")
    w.journey.refused(lead, "Change the rating")
    w.see(lead, "lead", "Change a rating", "error")
    w.visit(lead, "lead", "Domestic abuse queue", "/triage/domestic-abuse/")
    w.journey.refused(lead, "Decide the chosen notifications")
    w.see(lead, "lead", "Domestic abuse batch decision", "error")
    ask = [
        Tick("Police", "Agencies"),
        Tick("Health", "Agencies"),
        Type("Question", "What do you know about the Smith family?"),
    ]
    w.visit(lead, "lead", "Information requests", f"/mash/{reference}/requests/")
    w.journey.refused(lead, "Send requests")
    w.see(lead, "lead", "Information requests", "error")
    basis = Pick("Lawful basis for sharing", steps.person_lawful_basis(lead))
    w.journey.answer(lead, [*ask, basis], "Send requests")
    w.see(lead, "lead", "Requests sent")
    for title, path in [
        ("Record a referral", "/refer/record/"),
        ("Emergency access", "/break-glass/"),
        ("Performance dashboard", "/reports/"),
        ("Statutory returns", "/reports/statutory/"),
        ("Change your password", "/accounts/password/"),
    ]:
        w.visit(lead, "lead", title, path)
    w.journey.refused(lead, "Change password")
    w.see(lead, "lead", "Change your password", "error")
    w.visit(lead, "lead", "Emergency access", "/break-glass/")
    w.journey.refused(lead, "Get access")
    w.see(lead, "lead", "Emergency access", "error")
    return lead


def partners(w: Walk) -> None:
    police = w.journey.sign_in("police")
    w.see(police, "police", "Information requests")
    w.journey.follow(police, ", ".join(CHILDREN))
    w.form(
        police,
        "police",
        "Answer a request",
        "Send answer",
        [
            Choose("Known to us", "Are the people known to your agency?"),
            Type("Summary of what you know", "Officers attended a domestic incident in October."),
            Tick("Violence or threats", "Risk indicators"),
            Date("Date your records were checked", timezone.localdate()),
        ],
    )
    w.see(police, "police", "Answer sent")
    police.context.close()

    health = w.journey.sign_in("health")
    w.see(health, "health", "Information requests")
    w.journey.follow(health, ", ".join(CHILDREN))
    w.see(health, "health", "Answer a request")
    more.decline(w, health)
    health.context.close()

    education = w.journey.sign_in("education")
    w.see(education, "education", "Information requests")
    education.context.close()


def outcome_and_team(w: Walk, reference: str, lead: Page) -> None:
    referral = Referral.objects.get(reference=reference)
    w.visit(lead, "lead", "MASH discussion", f"/mash/{reference}/discussion/")
    w.journey.refused(lead, "Record the discussion")
    w.see(lead, "lead", "MASH discussion", "error")
    summary = "Police know of a domestic incident."
    w.journey.record_discussion(lead, reference, summary, received_at=referral.received_at)
    w.see(lead, "lead", "Outcome")
    w.journey.refused(lead, "Record the outcome")
    w.see(lead, "lead", "Outcome", "error")
    w.journey.record_outcome(lead, reference, "Assessment Team 2")
    w.see(lead, "lead", "Outcome recorded")
    w.visit(lead, "lead", "Team queue", "/mash/team-queue/")
    lead.context.close()
    more.challenge(w, reference)

    manager = w.journey.sign_in("manager")
    w.see(manager, "manager", "Team queue")
    w.journey.follow(manager, reference)
    w.see(manager, "manager", "Allocate")
    w.journey.refused(manager, "Allocate")
    w.see(manager, "manager", "Allocate", "error")
    person.select(manager, "Social worker", "Sol Worker")
    w.journey.press(manager, "Allocate")
    w.see(manager, "manager", "Allocated")
    more.respond_to_challenge(w, manager, reference)
    w.visit(manager, "manager", "Early help queue", "/triage/early-help/")
    w.visit(manager, "manager", "Performance dashboard", "/reports/")
    manager.context.close()


def everyone_else(w: Walk, reference: str) -> None:
    flagged = more.edt_referral(w)
    for role, pages in [
        ("socialworker", [("Early help queue", "/triage/early-help/"), ("Emergency access", EMERGENCY)]),
        ("edt", [("EDT queue", "/triage/edt/")]),
        ("performance", [("Performance dashboard", "/reports/"), ("Statutory returns", STATUTORY)]),
        ("admin", [("Audit log", "/audit/"), ("Emergency access to review", "/break-glass/review/")]),
    ]:
        page = w.journey.sign_in(role)
        w.see(page, role, "After sign-in")
        for title, path in pages:
            w.visit(page, role, title, path)
        if role == "edt":
            more.edt_acknowledge(w, page, flagged)
        if role == "admin":
            more.review_break_glass(w, page)
            more.audit_search(w, page, reference)
        page.context.close()
    page = w.journey.new_page()
    response = page.goto("/refer/no-such-page/")
    assert response and response.status == 404
    w.see(w.journey.check(page), "public", "Page not found")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.context.close()
