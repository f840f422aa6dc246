"""A small council for the access tests: every persona of the permission matrix, two assessment
teams, three agencies, and referrals each persona may or may not see.

Every identifier that a persona must never see is distinctive (no name is a substring of another),
so "no foreign identifier in any response" is a plain substring check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from agencies.models import Agency, Team
from mash.roles import Role
from referrals.states import Rag
from tests.factories import (
    AdultFactory,
    AgencyFactory,
    ChildFactory,
    InformationRequestFactory,
    ReferralFactory,
    TeamFactory,
)
from triage.multiagency.models import Allocation, Challenge, InformationRequest, Outcome
from triage.policy import current_policy

ROLES = (
    "public",
    "screening",
    "lead",
    "police",
    "health",
    "education",
    "manager_a",
    "manager_b",
    "social_worker",
    "performance",
    "admin",
)
# The administrator is a superuser with the administrator role: it runs the admin, the audit log and
# the break-glass review, and is no MASH staff (superuser status opens no child's record).
MASH = frozenset({"screening", "lead"})
PARTNERS = frozenset({"police", "health", "education"})
STAFF = frozenset(ROLES) - {"public"}


@dataclass
class World:
    users: dict[str, Any]
    agencies: dict[str, Agency]
    teams: dict[str, Team]
    referrals: dict[str, Any]
    requests: dict[str, InformationRequest]
    challenge: Challenge
    # Strings each persona must never see in any response.
    secrets: dict[str, set[str]] = field(default_factory=dict)

    def forbidden_for(self, role: str) -> set[str]:
        return self.secrets.get(role, set())


def _referral(key: str, first: str, last: str, adult: str, **fields):
    referral = ReferralFactory(reference=f"MX{key}26", **fields)
    ChildFactory(referral=referral, first_name=first, last_name=last)
    AdultFactory(referral=referral, first_name=adult, last_name=last)
    return referral


def build_world(make_user) -> World:
    policy = current_policy()
    users = {
        "screening": make_user(Role.SCREENING_OFFICER, username="sol"),
        "lead": make_user(Role.MASH_LEAD, username="lena"),
        "police": make_user(Role.AGENCY_PARTNER, username="pc_pat"),
        "health": make_user(Role.AGENCY_PARTNER, username="nurse_hal"),
        "education": make_user(Role.AGENCY_PARTNER, username="dsl_edu"),
        "manager_a": make_user(Role.TEAM_MANAGER, username="mo_a"),
        "manager_b": make_user(Role.TEAM_MANAGER, username="mo_b"),
        "social_worker": make_user(Role.SOCIAL_WORKER, username="sw_sam"),
        "performance": make_user(Role.PERFORMANCE_OFFICER, username="perf_pip"),
        "admin": make_user(Role.ADMINISTRATOR, username="root_ada", is_staff=True, is_superuser=True),
    }
    agencies = {
        "police": AgencyFactory(slug="police", name="Durham Constabulary", kind=Agency.Kind.POLICE),
        "health": AgencyFactory(slug="health", name="County Durham Health", kind=Agency.Kind.HEALTH),
        "education": AgencyFactory(slug="education", name="Education Durham", kind=Agency.Kind.EDUCATION),
    }
    for key in ("police", "health", "education"):
        agencies[key].members.add(users[key])
    teams = {
        "a": TeamFactory(slug="assessment-a", name="Assessment Team North", manager=users["manager_a"]),
        "b": TeamFactory(slug="assessment-b", name="Assessment Team South", manager=users["manager_b"]),
    }
    teams["a"].members.add(users["social_worker"])
    lead = users["lead"]
    referrals = {
        "gather": _referral(
            "GATHER",
            "Quillon",
            "Marchbank",
            "Ysolde",
            in_mash=True,
            policy_version=policy,
        ),
        "team_a": _referral(
            "TEAMA",
            "Perpetua",
            "Okonkwo",
            "Thaddeus",
            outcome_recorded=True,
            team=teams["a"],
            policy_version=policy,
        ),
        "team_b": _referral(
            "TEAMB",
            "Barnabas",
            "Villiers",
            "Hortense",
            outcome_recorded=True,
            team=teams["b"],
            policy_version=policy,
        ),
        "alloc": _referral(
            "ALLOC",
            "Ignatius",
            "Pemberton",
            "Wilhelmina",
            allocated=True,
            rag=Rag.RED,
            team=teams["a"],
            allocated_worker=users["social_worker"],
            policy_version=policy,
        ),
    }
    now = timezone.now()
    requests = {
        "police": InformationRequestFactory(
            referral=referrals["gather"],
            agency=agencies["police"],
            requested_by=lead,
            status=InformationRequest.Status.ANSWERED,
            known="known",
            summary="Policeanswer Xanthippe domestic incidents",
            date_checked=dt.date.today(),
            answered_by=users["police"],
            answered_at=now,
        ),
        "health": InformationRequestFactory(
            referral=referrals["gather"],
            agency=agencies["health"],
            requested_by=lead,
            question="Healthquestion Zephyrine: registered GP and missed appointments?",
        ),
        "police_b": InformationRequestFactory(
            referral=referrals["team_b"],
            agency=agencies["police"],
            requested_by=lead,
            status=InformationRequest.Status.ANSWERED,
            known="not_known",
            summary="Policeanswer Quincunx nothing held",
            date_checked=dt.date.today(),
            answered_by=users["police"],
            answered_at=now,
        ),
    }
    for key in ("team_a", "team_b", "alloc"):
        Outcome.objects.create(
            referral=referrals[key],
            destination=Outcome.Destination.S17_ASSESSMENT,
            primary_need="N1",
            rationale="Needs assessment",
            recommendation="Assess within 45 working days",
            team=referrals[key].team,
            decided_by=lead,
            decided_at=now,
        )
    Allocation.objects.create(
        referral=referrals["alloc"],
        team=teams["a"],
        worker=users["social_worker"],
        allocated_by=users["manager_a"],
        allocated_at=now,
    )
    challenge = Challenge.objects.create(
        referral=referrals["team_b"],
        team=teams["b"],
        raised_by_name="Pat Teacher",
        raised_by_email="pat@example.org",
        reasons="Challengereason Ottoline",
        raised_at=now,
    )
    world = World(users, agencies, teams, referrals, requests, challenge)
    world.secrets = _secrets(world)
    return world


def _ids(world: World, key: str) -> set[str]:
    referral = world.referrals[key]
    names = {f"{p.first_name} {p.last_name}" for p in referral.children.all()}
    names |= {f"{p.first_name} {p.last_name}" for p in referral.adults.all()}
    return {referral.reference, *names}


def _secrets(world: World) -> dict[str, set[str]]:
    every = set().union(*(_ids(world, key) for key in world.referrals))
    answers = {r.summary for r in world.requests.values() if r.summary}
    health_q = world.requests["health"].question
    req_ids = {key: str(r.public_id) for key, r in world.requests.items()}
    refs = {r.reference for r in world.referrals.values()}
    partner_base = (every - _ids(world, "gather")) | refs | {world.challenge.reasons}
    secrets = {
        "public": every | answers | {health_q, world.challenge.reasons} | set(req_ids.values()),
        "performance": every | answers | {health_q, world.challenge.reasons} | set(req_ids.values()),
        # Police were asked about "gather" and "team_b": those people only; no references, no others' answers.
        "police": (partner_base - _ids(world, "team_b")) | refs | {health_q, req_ids["health"]},
        "health": partner_base | answers | {req_ids["police"], req_ids["police_b"]},
        "education": every | answers | {health_q} | set(req_ids.values()),
        "manager_a": _ids(world, "gather")
        | _ids(world, "team_b")
        | answers
        | {health_q, world.challenge.reasons},
        "manager_b": _ids(world, "gather") | _ids(world, "team_a") | _ids(world, "alloc") | {health_q},
        "social_worker": _ids(world, "gather")
        | _ids(world, "team_b")
        | answers
        | {health_q, world.challenge.reasons},
        # The administrator works with references (the audit log, break-glass review, restrictions),
        # never with what a record says: no child's or adult's name, no answer, question or reason.
        "admin": (every - refs) | answers | {health_q, world.challenge.reasons},
    }
    # The police answer on team_b is in team B's summary: manager B may see it; A may not (above).
    secrets["manager_b"] |= {world.requests["police"].summary}
    return secrets
