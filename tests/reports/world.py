"""A hand-built data set with known answers for every dashboard figure and every statutory item.

Period: October 2026 (Europe/London; clocks go back on 25 October). "Now" is 2 November 2026 12:00 UTC.
Rows are written directly (not through the lifecycle) so each figure's answer can be read off here.

| ref | received (UTC)     | source | agency | RAG   | team | consent    | status   | children           |
|-----|--------------------|--------|--------|-------|------|------------|----------|--------------------|
| R0  | 2026-03-10 10:00   | 6      | police | red   | A    | given      | closed   | c0 (P1), S17 (to 20/3) |
| R1  | 2026-10-05 09:00   | 6      | police | red   | A    | given      | allocated| c1 (P1), S47       |
| R2  | 2026-10-05 20:00 ooh| 2A    | school | amber | A    | refused    | allocated| c2, S17            |
| R3  | 2026-10-12 13:00   | 1A     | -      | green | B    | not sought | outcome  | c3, early help     |
| R4  | 2026-10-20 08:00   | 6      | police | blue  | -    | given      | closed   | c4 (P2), NFA       |
| R5  | 2026-10-28 10:00   | 6      | police | -     | -    | given      | received | c5 (P1)            |
| R6  | 2026-10-30 23:30 ooh| 9     | -      | amber | -    | given      | info gath| c6a, c6b           |
| R7  | 2026-11-01 10:00   | 10     | -      | -     | -    | given      | received | c7                 |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agencies.models import Agency, Team
from mash.codes import LawfulBasis
from mash.roles import Role
from referrals.models import Consultation, Person, Referral, ReferralChild
from referrals.states import Status
from triage.casework.models import CinClosure
from triage.models import ChildDecision, Deadline, MashDiscussion, Outcome, StrategyDiscussion
from triage.models_decisions import ConsentBasis
from triage.multiagency.models import InformationRequest

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
START = date(2026, 10, 1)
END = date(2026, 10, 31)
# Names that must never appear on a report page or in an export.
CHILD_NAMES = ("Zebedee", "Quillon", "Marigold", "Thaddeus", "Oriel", "Peregrine", "Wilhelmina")


def at(day: str, hhmm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+00:00")


@dataclass
class World:
    users: dict[str, Any]
    teams: dict[str, Team]
    agencies: dict[str, Agency]
    referrals: dict[str, Referral]
    children: dict[str, ReferralChild]
    people: dict[str, Person] = field(default_factory=dict)
    consultation: Consultation | None = None


def _referral(ref: str, received: datetime, **fields) -> Referral:
    defaults = {
        "reference": f"MASH-{ref}",
        "referrer_type": Referral.ReferrerType.PROFESSIONAL,
        "source": "6",
        "concerns": "A worry about a child.",
        "consent": Referral.Consent.GIVEN,
        "status": Status.RECEIVED,
    }
    return Referral.objects.create(received_at=received, **{**defaults, **fields})


def _child(referral: Referral, name: str, **fields) -> ReferralChild:
    return ReferralChild.objects.create(referral=referral, first_name=name, last_name="Testchild", **fields)


def _decide(child: ReferralChild, rag: str, level: int, by, need: str = "") -> None:
    ChildDecision.objects.create(
        referral=child.referral,
        child=child,
        rag=rag,
        level_of_need=level,
        rationale="Threshold applied.",
        primary_need=need,
        consent_basis=ConsentBasis.GIVEN,
        decided_by=by,
        decided_at=child.referral.received_at + timedelta(hours=2),
    )


def _outcome(referral: Referral, destination: str, by, need: str = "", team: Team | None = None) -> None:
    Outcome.objects.create(
        referral=referral,
        destination=destination,
        primary_need=need,
        rationale="Because.",
        recommendation="Next steps.",
        team=team,
        decided_by=by,
        decided_at=referral.received_at + timedelta(days=1),
    )


def _clock(
    referral: Referral, kind: str, due: datetime, met: datetime | None = None, subject: str = ""
) -> None:
    Deadline.objects.create(
        referral=referral,
        kind=kind,
        subject=subject,
        started_at=referral.received_at,
        due_at=due,
        warn_at=due - timedelta(hours=1),
        met_at=met,
    )


def _request(referral, agency, by, requested, due, answered=None) -> None:
    InformationRequest.objects.create(
        referral=referral,
        agency=agency,
        question="What do you know?",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        requested_by=by,
        requested_at=requested,
        due_at=due,
        answered_at=answered,
        status=InformationRequest.Status.ANSWERED if answered else InformationRequest.Status.REQUESTED,
    )


def build_world(make_user) -> World:
    lead = make_user(Role.MASH_LEAD, username="lead", first_name="Lee", last_name="Lead")
    manager_a = make_user(Role.TEAM_MANAGER, username="manager_a")
    worker = make_user(Role.SOCIAL_WORKER, username="worker", first_name="Sam", last_name="Worker")
    users = {
        "lead": lead,
        "manager_a": manager_a,
        "worker": worker,
        "performance": make_user(Role.PERFORMANCE_OFFICER, username="performance"),
        "partner": make_user(Role.AGENCY_PARTNER, username="partner"),
        "screening": make_user(Role.SCREENING_OFFICER, username="screening"),
    }
    team_a = Team.objects.create(
        name="Assessment Team A", slug="team-a", kind=Team.Kind.ASSESSMENT, manager=manager_a
    )
    team_b = Team.objects.create(name="Early Help Hub B", slug="team-b", kind=Team.Kind.EARLY_HELP)
    police = Agency.objects.create(
        name="Derbyshire Police", slug="police", kind=Agency.Kind.POLICE, referral_source="6"
    )
    school = Agency.objects.create(
        name="Hilltop School", slug="school", kind=Agency.Kind.EDUCATION, referral_source="2A"
    )
    users["partner"].agencies.add(police)
    p1 = Person.objects.create(
        first_name="Zebedee", last_name="Testchild", local_id="LA0001", date_of_birth=date(2015, 6, 1)
    )
    p2 = Person.objects.create(first_name="Thaddeus", last_name="Testchild", date_of_birth=date(2020, 1, 1))

    r = {
        "R0": _referral(
            "R0", at("2026-03-10"), rag="red", team=team_a, referrer_agency=police, status=Status.CLOSED
        ),
        "R1": _referral(
            "R1", at("2026-10-05", "09:00"), rag="red", team=team_a, referrer_agency=police,
            status=Status.ALLOCATED, allocated_worker=worker,
        ),
        "R2": _referral(
            "R2", at("2026-10-05", "20:00"), source="2A", out_of_hours=True, rag="amber", team=team_a,
            referrer_agency=school, consent=Referral.Consent.REFUSED, status=Status.ALLOCATED,
        ),
        "R3": _referral(
            "R3", at("2026-10-12", "13:00"), source="1A", rag="green", team=team_b,
            referrer_type=Referral.ReferrerType.PUBLIC, consent=Referral.Consent.NOT_SOUGHT,
            status=Status.OUTCOME,
        ),
        "R4": _referral(
            "R4", at("2026-10-20", "08:00"), rag="blue", referrer_agency=police, status=Status.CLOSED
        ),
        "R5": _referral("R5", at("2026-10-28"), referrer_agency=police, next_due_at=at("2026-11-10")),
        "R6": _referral(
            "R6", at("2026-10-30", "23:30"), source="9", out_of_hours=True, rag="amber",
            status=Status.INFORMATION_GATHERING, next_due_at=at("2026-10-31", "09:00"),
        ),
        "R7": _referral("R7", at("2026-11-01"), source="10", next_due_at=at("2026-11-01", "12:00")),
    }  # fmt: skip
    c = {
        "c0": _child(
            r["R0"], "Zebedee", person=p1, sex="M", ethnicity="WBRI", date_of_birth=date(2015, 6, 1)
        ),
        "c1": _child(
            r["R1"], "Zebedee", person=p1, sex="M", ethnicity="WBRI", date_of_birth=date(2015, 6, 1)
        ),
        "c2": _child(
            r["R2"],
            "Quillon",
            sex="F",
            ethnicity="AIND",
            date_of_birth=date(2012, 3, 1),
            disability="Hearing loss",
        ),
        "c3": _child(r["R3"], "Marigold", expected_date_of_birth=date(2027, 1, 10)),
        "c4": _child(
            r["R4"], "Thaddeus", person=p2, sex="F", ethnicity="BCRB", date_of_birth=date(2020, 1, 1)
        ),
        "c5": _child(
            r["R5"], "Zebedee", person=p1, sex="M", ethnicity="WBRI", date_of_birth=date(2015, 6, 1)
        ),
        "c6a": _child(r["R6"], "Oriel", sex="M"),
        "c6b": _child(r["R6"], "Peregrine", sex="M"),
        "c7": _child(r["R7"], "Wilhelmina", sex="F"),
    }
    _decide(c["c0"], "red", 4, lead, "N1")
    _decide(c["c1"], "red", 4, lead, "N1")
    _decide(c["c2"], "amber", 3, lead, "N4")
    _decide(c["c3"], "green", 2, lead)
    _decide(c["c4"], "blue", 1, lead)
    _decide(c["c6a"], "amber", 3, lead)
    _decide(c["c6b"], "amber", 3, lead)
    _outcome(r["R0"], Outcome.Destination.S17_ASSESSMENT, lead, "N1", team_a)
    _outcome(r["R1"], Outcome.Destination.STRATEGY_S47, lead, "N1", team_a)
    _outcome(r["R2"], Outcome.Destination.S17_ASSESSMENT, lead, "N4", team_a)
    _outcome(r["R3"], Outcome.Destination.EARLY_HELP, lead, "", team_b)
    _outcome(r["R4"], Outcome.Destination.NFA, lead)
    StrategyDiscussion.objects.create(
        referral=r["R1"], held_at=at("2026-10-06"), s47_enquiry=True, decision_rationale="S47 needed.",
        recorded_by=lead, recorded_at=at("2026-10-06", "12:00"),
    )  # fmt: skip
    for ref, before, after in (("R2", "amber", "red"), ("R3", "green", "green")):
        held = r[ref].received_at + timedelta(days=1)
        MashDiscussion.objects.create(
            referral=r[ref], held_at=held, summary="Discussed.", level_of_need=3,
            rag_before=before, rag_after=after, recorded_by=lead, recorded_at=held,
        )  # fmt: skip
    D = Deadline.Kind
    _clock(r["R1"], D.DECISION, at("2026-10-06", "09:00"), at("2026-10-05", "15:00"))
    _clock(r["R1"], D.LETTER, at("2026-10-07"), at("2026-10-08"), subject="letter:1")
    _clock(r["R1"], D.PARTNER_RESPONSE, at("2026-10-05", "14:00"), at("2026-10-05", "12:00"), subject="ir:1")
    _clock(r["R1"], D.ICPC, at("2026-10-27", "17:00"))
    _clock(r["R2"], D.DECISION, at("2026-10-06", "20:00"), at("2026-10-06", "21:00"))
    _clock(r["R2"], D.PARTNER_RESPONSE, at("2026-10-06", "15:00"), at("2026-10-07", "09:00"), subject="ir:2")
    _clock(r["R3"], D.DECISION, at("2026-10-13", "13:00"), at("2026-10-12", "16:00"))
    _clock(r["R3"], D.LETTER, at("2026-10-14"), at("2026-10-13"), subject="letter:1")
    _clock(r["R4"], D.DECISION, at("2026-10-21", "08:00"))  # missed, still open
    _clock(r["R5"], D.DECISION, at("2026-11-10"))  # not due yet: not counted
    _clock(r["R6"], D.DECISION, at("2026-10-31", "23:30"), at("2026-10-31", "08:00"))
    _request(r["R1"], police, lead, at("2026-10-05"), at("2026-10-05", "14:00"), at("2026-10-05", "12:00"))
    _request(
        r["R2"], police, lead, at("2026-10-06", "09:00"), at("2026-10-06", "15:00"), at("2026-10-07", "09:00")
    )
    _request(r["R4"], school, lead, at("2026-10-20", "09:00"), at("2026-10-21", "09:00"))
    # R0's episode ended before October, so the October extract leaves it out.
    CinClosure.objects.create(
        referral=r["R0"], child=c["c0"], closed_on=date(2026, 3, 20), reason="RC7", closed_by=lead,
        recorded_at=at("2026-03-20"),
    )  # fmt: skip
    consultation = Consultation.objects.create(
        received_at=at("2026-10-15"), recorded_by=users["screening"], caller_name="Caller", source="3A",
        summary="Advice call.", advice_given="Advice.",
    )  # fmt: skip
    return World(
        users=users,
        teams={"A": team_a, "B": team_b},
        agencies={"police": police, "school": school},
        referrals=r,
        children=c,
        people={"P1": p1, "P2": p2},
        consultation=consultation,
    )
