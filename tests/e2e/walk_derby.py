"""The walk's Derby pages: the domestic abuse triage meetings (the next meeting's agenda, its
minutes form), a high-risk notification's MARAC referral, the assessment teams' duty rota, and
the consultation line's hours on the start page and the consultation page.

``derby_rules`` is called from tests/e2e/pages.py's walk with the lead's signed-in page. The demo
council's policy has none of these, so a new policy version adds Derby's (the way an administrator
would, as in ``steps.out_of_hours_now``) and a last version puts the earlier settings back.
"""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.models import Referral
from tests.e2e import steps
from tests.e2e.steps import Date, Pick, Type
from tests.e2e.walker import Walk
from triage.actions import policy_version_create, policy_version_fields
from triage.domestic_abuse.selectors import next_meeting_start
from triage.policy import current_policy
from triage.presets import preset

DERBY_SETTINGS = (
    "service_hours",
    "duty_rota_allocation",
    "domestic_abuse_meetings",
    "marac_required_for_high",
)


def derby_rules(w: Walk, lead: Page) -> None:
    earlier = _with_settings(preset("derby"), note="e2e: Derby's meetings, rota, MARAC and line hours")
    try:
        medium = _notification(w, "Medium")
        meetings(w, lead, medium)
        marac(w, lead, _notification(w, "High"))
        duty_rota(w, lead)
        hours(w, lead)
    finally:
        _with_settings(earlier, note="e2e: the demo council's settings again")


def _with_settings(source: dict, *, note: str) -> dict:
    """Make a new current version with ``source``'s Derby settings; returns the ones it replaced."""
    policy = current_policy()
    settings = policy_version_fields(policy)
    before = {name: settings[name] for name in DERBY_SETTINGS}
    settings.update({name: source[name] for name in DERBY_SETTINGS})
    policy_version_create(council=policy.council, settings=settings, by=None, note=note)
    return before


def _notification(w: Walk, grade: str) -> str:
    return w.journey.refer(
        children=[steps.child("Dan", "Reid", "Male", age=7)],
        adults=[steps.adult("Kim", "Reid")],
        concern=steps.concern(domestic_abuse=grade),
    )


def meetings(w: Walk, lead: Page, reference: str) -> None:
    """The medium-risk notification is on the next meeting's agenda; its minutes wait for the meeting."""
    w.visit(lead, "lead", "Domestic abuse triage meetings", "/triage/domestic-abuse/meetings/")
    expect(lead.get_by_role("link", name=reference)).to_be_visible()
    starts = timezone.localtime(next_meeting_start(current_policy(), timezone.now()))
    w.journey.follow(lead, "The minutes form for this meeting")
    w.see(lead, "lead", "Triage meeting minutes")
    w.journey.answer(lead, [Type("Children's social care", "Sam Senior")], "Record the minutes")
    w.see(lead, "lead", "Triage meeting minutes", "error")
    expect(lead.get_by_text("The meeting has not started yet").first).to_be_visible()
    assert f"/{starts:%Y-%m-%d}/" in lead.url


def marac(w: Walk, lead: Page, reference: str) -> None:
    """The high-risk notification says it is not yet referred; the lead records the referral."""
    w.visit(lead, "lead", "High-risk notification", f"/triage/{reference}/")
    expect(lead.get_by_text("Not yet referred").first).to_be_visible()
    w.journey.follow(lead, "Record the referral to MARAC")
    received = timezone.localdate(Referral.objects.get(reference=reference).received_at)
    answers = [Date("Date referred to MARAC", received), Type("MARAC reference", "DBY-2026-114")]
    w.form(lead, "lead", "Record the referral to MARAC", "Record the referral", answers)
    w.see(lead, "lead", "Referred to MARAC")
    expect(lead.get_by_text("MARAC reference DBY-2026-114")).to_be_visible()


def duty_rota(w: Walk, lead: Page) -> None:
    """The lead puts Assessment Team 2 on duty today; the rota says so."""
    w.visit(lead, "lead", "Duty rota", "/mash/duty-rota/")
    today = timezone.localdate()
    w.journey.answer(lead, [Pick(f"{today:%A} {today.day} {today:%B}", "Assessment Team 2")], "Save the rota")
    w.see(lead, "lead", "Duty rota saved")
    expect(lead.locator(".govuk-inset-text").filter(has_text="Assessment Team 2")).to_be_visible()


def hours(w: Walk, lead: Page) -> None:
    """The consultation line's number and hours, and whether it is open now."""
    public = w.visit(w.journey.new_page(), "public", "Start page with the consultation line", "/refer/")
    expect(public.get_by_text("07812 300329")).to_be_visible()
    public.context.close()
    w.visit(lead, "lead", "Record a consultation (line hours)", "/refer/consultation/")
    expect(lead.locator(".govuk-inset-text").filter(has_text="consultation line")).to_be_visible()
