"""The summary report keeps the council's wording in order whatever a person typed: every
user-supplied run is stripped of control characters and set in its own bidi isolate."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mash.templatetags.user_text import isolate
from mash.text import BIDI_CONTROLS, FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE
from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.states import Rag
from tests.support.mash_stage import decide, discuss, gathered
from tests.support.pdf import squash
from triage.multiagency import actions as outcomes
from triage.multiagency import strategy
from triage.multiagency.models import (
    DiscussionContribution,
    InformationRequest,
    MashDiscussion,
    Outcome,
    StrategyDiscussion,
)

pytestmark = pytest.mark.django_db

# What a hostile referrer (or a careless paste) puts in a field. NUL is not here: PostgreSQL refuses
# it in a text column, so no row can hold it (the filter's own test below covers it).
HOSTILE = {
    "right-to-left override": "\u202e",
    "left-to-right override": "\u202d",
    "right-to-left embedding": "\u202b",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c\u202c",
    "right-to-left isolate left open": "\u2067",
    "left-to-right isolate left open": "\u2066",
    "first-strong isolate left open": "\u2068\u202e",
    "stray pop directional isolate": "\u2069\u2069\u202e",
    "right-to-left and Arabic letter marks": "\u200f\u061c",
    "C0 controls": "\x01\x07\x08\x1b[31m\x0b\x0c\x1c\x7f",
    "C1 controls": "\x85\x9b",
    "zero-width characters": "\u200b\u200c\u200d\u2060\ufeff",
    "paragraph separator then override": "\u2029\u202e",
    "Arabic then override": "\u0639\u0627\u0626\u0634\u0629\u202e",
}

# The council's wording, in the order the report prints it, compared with its whitespace squashed.
WORDING = [
    "Referral summary",
    "The referral",
    "Referrer:",
    "(Schools)",
    "Child Date of birth Address",
    "Adult Relationship Date of birth Address",
    "Concerns:",
    "Risks:",
    "Consent: Given",
    "What each agency said",
    "Durham Constabulary",
    "lawful basis:",
    "(checked",
    "Risk indicators: Domestic abuse",
    "At the discussion:",
    "MASH discussion",
    "Attendees:",
    "(MASH), Pat (",
    "). Level of need 3. RAG changed from Amber to Red:",
    "Strategy discussion",
    "Section 47 enquiry:",
    "Immediate safety actions:",
    "Decision, rationale and recommendations",
    "Strategy discussion / section 47 enquiry",
    "Recommendations:",
]


def _recorded(world) -> Referral:
    """A Red referral through every stage the report shows, its text written by people."""
    referral = gathered(world, rag=Rag.RED)
    discuss(world, referral, rag_after=Rag.RED)
    strategy.strategy_discussion_decide(referral, reason="Disclosure of harm", by=world.users["lead"])
    outcomes.strategy_discussion_record(
        referral,
        held_at=timezone.now(),
        attendees=[{"name": "Lena Lead", "agency": "MASH"}],
        s47_enquiry=True,
        decision_rationale="Disclosure of harm",
        immediate_safety_actions="Stay with grandmother",
        by=world.users["lead"],
    )
    decide(world, referral, destination=Outcome.Destination.STRATEGY_S47)
    return referral


def _type_everywhere(referral: Referral, hostile: str) -> None:
    """Every field a person types, written as "Ab<hostile>cd", as a row could hold it."""

    def typed(name: str) -> str:
        return f"{name}{hostile}cd"

    Referral.objects.filter(pk=referral.pk).update(
        referrer_name=typed("Name"),
        referrer_organisation=typed("Org"),
        concerns=typed("Concern") + "\nsecond " + typed("line"),
        risks=typed("Risk"),
    )
    ReferralChild.objects.filter(referral=referral).update(
        first_name=typed("First"),
        last_name=typed("Last"),
        address=typed("Street"),
        postcode=f"DH{hostile}"[:10],
    )
    ReferralAdult.objects.filter(referral=referral).update(
        first_name=typed("Adult"),
        last_name=typed("Surname"),
        relationship=typed("Aunt"),
        address=typed("Road"),
        postcode=f"NE{hostile}"[:10],
    )
    InformationRequest.objects.filter(referral=referral).update(
        summary=typed("Police"), free_text=typed("More")
    )
    DiscussionContribution.objects.filter(discussion__referral=referral).update(contribution=typed("Said"))
    MashDiscussion.objects.filter(referral=referral).update(
        attendees=[{"name": typed("Lena"), "agency": "MASH"}, {"name": "Pat", "agency": typed("Durham")}],
        summary=typed("Agreed"),
        rag_before=Rag.AMBER,
        rag_change_reason=typed("Worse"),
    )
    StrategyDiscussion.objects.filter(referral=referral).update(
        decision_rationale=typed("Harm"), immediate_safety_actions=typed("Safe")
    )
    Outcome.objects.filter(referral=referral).update(rationale=typed("Why"), recommendation=typed("Do"))


def _report_text(login, world, referral) -> str:
    url = reverse("multiagency:summary_pdf", kwargs={"reference": referral.reference})
    response = login(world.users["manager_a"]).get(url)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    # Layout mode reads the glyphs as they are placed on the page, which is what a reader sees (the
    # plain mode reorders lines holding right-to-left letters and drops text around them).
    return " ".join(page.extract_text(extraction_mode="layout") for page in reader.pages)


def _in_order(text: str, phrases: list[str]) -> list[str]:
    """The phrases not found in ``text`` after the one before them: [] when all are in order."""
    missing, at = [], 0
    for phrase in phrases:
        found = text.find(squash(phrase), at)
        if found < 0:
            missing.append(phrase)
        else:
            at = found + len(squash(phrase))
    return missing


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_summary_report_keeps_the_councils_wording_in_order(world, login, hostile):
    referral = _recorded(world)
    _type_everywhere(referral, hostile)
    raw = _report_text(login, world, referral)
    text = squash(raw)
    assert _in_order(text, WORDING) == []
    # What people typed is still there, the controls gone.
    for name in ("Name", "Org", "Concern", "line", "Risk", "First", "Police", "Said", "Worse", "Why", "Do"):
        assert name in text, name
    assert not [
        char for char in raw if char in BIDI_CONTROLS - {FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE}
    ]
    assert not [char for char in raw if unicodedata.category(char) == "Cc" and char not in "\n\t"]


def test_the_isolate_filter_removes_controls_and_isolates_each_line():
    fsi, pdi = FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE
    assert isolate("Ab\u202ecd\x00\x07") == f"{fsi}Abcd{pdi}"
    assert (
        isolate("one\u202e\r\ntwo\u2029three\n\nfour")
        == f"{fsi}one{pdi}\n{fsi}two{pdi}\n{fsi}three{pdi}\n\n{fsi}four{pdi}"
    )
    assert (
        isolate("\u0646\u0648\u0631") == f"{fsi}\u0646\u0648\u0631{pdi}"
    )  # a right-to-left name keeps its letters
    assert isolate("") == isolate(None) == isolate("\u202e\x00") == ""
