"""Builders that take a referral through the MASH stage (its partners' answers, the discussion, the
outcome), and readers of the pages' error summary and form, for the tests of that stage and after."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.utils import timezone

from mash.codes import LawfulBasis
from referrals.states import Rag
from tests.factories import referral_with_people
from triage.multiagency import actions as outcomes
from triage.multiagency import requests as agency_actions
from triage.multiagency.models import Outcome
from triage.policy import current_policy

ATTENDEES = [{"name": "Lena Lead", "agency": "MASH"}, {"name": "PC Pat", "agency": "Durham Constabulary"}]


def gathered(world, rag=Rag.AMBER):
    """A decided referral whose police request has been answered."""
    referral = referral_with_people(
        decided=True,
        policy=current_policy(),
        rag=rag,
        decided_by=world.users["lead"],
        received_at=timezone.now() - dt.timedelta(hours=3),
    )
    [request] = agency_actions.information_requests_send(
        referral,
        agencies=[world.agencies["police"]],
        question="Known?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        by=world.users["lead"],
    )
    agency_actions.information_request_answer(
        request,
        known="known",
        summary="Two domestic call-outs",
        risk_indicators=["domestic_abuse"],
        date_checked=timezone.localdate(),
        by=world.users["police"],
    )
    referral.refresh_from_db()
    return referral


def discuss(world, referral, **overrides):
    fields = dict(
        held_at=timezone.now() - dt.timedelta(minutes=5),
        attendees=ATTENDEES,
        summary="Agreed the concerns",
        level_of_need=3,
        rag_after=referral.rag,
        contributions={world.agencies["police"].pk: "Will share DASH"},
        by=world.users["lead"],
    )
    return outcomes.mash_discussion_record(referral, **{**fields, **overrides})


def decide(world, referral, **overrides):
    fields = dict(
        destination=Outcome.Destination.S17_ASSESSMENT,
        primary_need="N1",
        rationale="Needs an assessment",
        recommendation="Visit within 5 working days",
        team=world.teams["a"],
        by=world.users["lead"],
    )
    return outcomes.outcome_record(referral, **{**fields, **overrides})


def summary_links(body: str) -> list[tuple[str, str]]:
    """The error summary's (link target, message) pairs, as a person reads them."""
    summary = body.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [
        (target, html.unescape(text))
        for target, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    ]


def form_of(body: str) -> str:
    """The page's own form (after the header and summaries), where nothing may start chosen."""
    return body.split('<form method="post" novalidate>', 1)[1]
