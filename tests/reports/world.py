# ruff: noqa: E501  (the tables and the world's rows read best one row per line)
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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from agencies.models import Agency, Team
from mash.codes import LawfulBasis
from mash.roles import Role
from referrals.models import Consultation, Person, Referral, ReferralChild
from referrals.states import Rag, Status
from reports.statutory import child_key
from tests.factories import referral_with_people
from tests.factories.agencies import TeamFactory
from tests.support.mash_stage import ATTENDEES
from triage.casework import actions as casework
from triage.casework import actions_census as census
from triage.casework import models as casework_base
from triage.casework.models import CinClosure
from triage.models import ChildDecision, Deadline, MashDiscussion, Outcome, StrategyDiscussion
from triage.models_decisions import ConsentBasis
from triage.multiagency import actions as mash
from triage.multiagency import strategy
from triage.multiagency.models import InformationRequest
from triage.policy import current_policy

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


# --- the census world: one collection year, built through the workflow's own actions ----------------
#
# The 2025-26 census (1 April 2025 to the reference date, 31 March 2026), local authority 831. Every
# record after intake is made by the product's actions (threshold decision, MASH or strategy
# discussion, outcome, allocation, assessment, S47, conference, closure) on the day it happened (the
# clock travels), census details and plans included.
#
# | key        | referral   | path                                            | as at 31/3/2026               |
# |------------|------------|-------------------------------------------------|-------------------------------|
# | nfa        | 12/05/2025 | red, level 4, outcome NFA                        | ReferralNFA true              |
# | s17        | 02/06/2025 | S17: assessment 3/6-20/6, CIN plan 23/6-30/9     | closed 30/09 RC7              |
# | s47_cp     | 07/07/2025 | S47 7/7, ICPC 28/7 -> CP plan NEG, review 20/10  | plan ended, closed 19/01 RC7  |
# |            |            | (category EMO from 20/10), ended 19/01/2026;    | list 7: last visit 15/12,     |
# |            |            | visits 5/8 (seen alone), 15/12 (seen, not alone)| not seen alone                |
# |            |            | police protection 06/07/2025, recorded 8/7      | list 7 EPO: No at 31/3 (268   |
# |            |            |                                                 | days), Yes at 31/12 (178)     |
# | s47_none   | 01/09/2025 | S47 1/9, ICPC not required 10/9; assessment     | open, CIN plan open; UN1 ->   |
# |            |            | 2/9-14/10; CIN plan from 15/10                  | 8770Q (school age, no UPN)    |
# | unborn     | 12/01/2026 | S17, unborn (due 01/05/2026), assessment 2/3     | open, assessment open, Sex U  |
# | due_jan    | 01/12/2025 | S17, unborn due 20/01/2026 still unborn          | open (closed 10/04 after ref) |
# |            |            | assessment 2/12-19/12                           | 8530Q                         |
# | again (1)  | 14/04/2025 | S17: assessment 15/4-2/5, closed 06/05 RC7       | closed                        |
# | again (2)  | 03/11/2025 | re-referral, same person: assessment 4/11-9/1,   | open, CIN plan open           |
# |            |            | internal review 1/12, CIN plan from 12/01/2026  |                               |
# | carried    | 10/02/2025 | before the year: assessment 11/2-14/3/2025       | open into the year: no        |
# |            |            | (authorised before it), CIN plan from 17/03/2025 | assessment, CIN plan open     |
# | late       | 16/03/2026 | S47 16/3, assessment 17/3; ICPC 08/04 and        | S47 and assessment open       |
# |            |            | authorised 14/04 (after the reference date)     | (no ICPC, no plan yet)        |

CENSUS_START = date(2025, 4, 1)
REFERENCE = date(2026, 3, 31)
LA_CODE = "831"
CENSUS_NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)  # after every event, the late ones included


@dataclass
class CensusWorld:
    users: dict[str, Any]
    team: Team
    children: dict[str, ReferralChild]
    people: dict[str, Person] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """The child's LAchildID in the extract."""
        return child_key(self.children[name])


def _noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@contextmanager
def _on(day: date) -> Iterator[datetime]:
    """The clock on ``day`` at noon (Europe/London), for an action recorded that day."""
    with time_machine.travel(_noon(day), tick=False):
        yield _noon(day)


def _intake(received: date, *, red: bool, person: Person | None = None, **child) -> ReferralChild:
    """A referral received at 09:00 on ``received``, its one child decided by the lead (red: level 4;
    amber: level 3, then information gathering)."""
    lead = _census_users["lead"]
    with _on(received):
        referral = referral_with_people(
            adults=0,
            policy=current_policy(),
            decided=red,
            in_mash=not red,
            rag=Rag.RED if red else Rag.AMBER,
            level_of_need=4 if red else 3,
            decided_by=lead,
            received_at=timezone.make_aware(datetime.combine(received, time(9))),
        )
    kid = referral.children.get()
    for name, value in {"person": person, **child}.items():
        setattr(kid, name, value)
    kid.save()
    return kid


_census_users: dict[str, Any] = {}


def _s17(kid: ReferralChild, need: str, team: Team) -> None:
    """The MASH discussion and an S17 outcome on the day after the referral; allocation that day."""
    users = _census_users
    referral = kid.referral
    day = timezone.localdate(referral.received_at) + timedelta(days=1)
    with _on(day) as now:
        mash.mash_discussion_record(
            referral, held_at=now - timedelta(hours=2), attendees=ATTENDEES, summary="Agreed the concerns",
            level_of_need=3, rag_after=Rag.AMBER, by=users["lead"], now=now,
        )  # fmt: skip
        mash.outcome_record(
            referral, destination=Outcome.Destination.S17_ASSESSMENT, primary_need=need,
            rationale="Needs an assessment", recommendation="Visit", team=team, by=users["lead"], now=now,
        )  # fmt: skip
        mash.referral_allocate(referral, worker=users["worker"], by=users["manager"], now=now)


def _s47(kid: ReferralChild, team: Team) -> casework_base.Section47Enquiry:
    """A strategy discussion that day deciding on S47, the S47 outcome, allocation, the enquiry."""
    users = _census_users
    referral = kid.referral
    with _on(timezone.localdate(referral.received_at)) as now:
        # Decided and held in the same frozen minute: the clock's start is the decision's moment.
        strategy.strategy_discussion_decide(referral, reason="Disclosure of harm", by=users["lead"])
        mash.strategy_discussion_record(
            referral, held_at=now, attendees=ATTENDEES, s47_enquiry=True,
            decision_rationale="Disclosure of harm", by=users["lead"], now=now,
        )  # fmt: skip
        mash.outcome_record(
            referral, destination=Outcome.Destination.STRATEGY_S47, primary_need="N1",
            rationale="S47", recommendation="Enquiry", team=team, by=users["lead"], now=now,
        )  # fmt: skip
        mash.referral_allocate(referral, worker=users["worker"], by=users["manager"], now=now)
        return casework.s47_start(referral, child=kid, by=users["worker"], now=now)


def _assess(
    kid: ReferralChild, started: date, authorised: date | None = None, factors=("3B",), reviewed=None
):
    with _on(started) as now:
        assessment = casework.assessment_start(
            kid.referral, child=kid, started_on=started, child_seen_on=started, by=_census_users["worker"],
            now=now,
        )  # fmt: skip
    if reviewed is not None:
        with _on(reviewed) as now:
            census.assessment_internal_review(
                assessment, reviewed_on=reviewed, by=_census_users["worker"], now=now
            )
    if authorised is not None:
        with _on(authorised) as now:
            casework.assessment_authorise(
                assessment, authorised_on=authorised, factors=list(factors), requires_support=True,
                by=_census_users["manager"], now=now,
            )  # fmt: skip
    return assessment


def _close(kid: ReferralChild, day: date, reason: str = "RC7") -> None:
    with _on(day) as now:
        casework.cin_close(
            kid.referral, child=kid, closed_on=day, reason=reason, by=_census_users["manager"], now=now
        )


def _details(kid: ReferralChild, day: date, disabilities: list[str] | None = None, **identifiers) -> None:
    """The worker records the child's UPN (or why there is none) and disabilities on ``day``."""
    with _on(day) as now:
        if identifiers:
            census.child_identifiers_record(kid, **identifiers, by=_census_users["worker"], now=now)
        if disabilities:
            census.child_disabilities_record(kid, codes=disabilities, by=_census_users["worker"], now=now)


def _cin_plan(kid: ReferralChild, start: date, end: date | None = None) -> None:
    with _on(start) as now:
        plan = census.cin_plan_start(
            kid.referral, child=kid, started_on=start, by=_census_users["worker"], now=now
        )
    if end is not None:
        with _on(end) as now:
            census.cin_plan_end(plan, ended_on=end, by=_census_users["manager"], now=now)


def build_census_world(make_user) -> CensusWorld:
    users = {
        "lead": make_user(Role.MASH_LEAD, username="census_lead"),
        "manager": make_user(Role.TEAM_MANAGER, username="census_manager"),
        "worker": make_user(
            Role.SOCIAL_WORKER, username="census_worker", first_name="Cas", last_name="Worker"
        ),
    }
    _census_users.clear()
    _census_users.update(users)
    team = TeamFactory(slug="census-team", name="Children in Need Team", manager=users["manager"])
    team.members.add(users["worker"])
    kids = _census_children(team)
    return CensusWorld(users=users, team=team, children=kids)


def _census_children(team: Team) -> dict[str, ReferralChild]:
    users = _census_users
    kids: dict[str, ReferralChild] = {}
    born = {"sex": "F", "ethnicity": "WBRI", "date_of_birth": date(2016, 2, 2)}

    # Never allocated, so nobody records census details: the UPN is the person index's.
    known = Person.objects.create(first_name="Perdita", last_name="Testchild", upn="G831200000001")
    kids["nfa"] = _intake(date(2025, 5, 12), red=True, person=known, **born)
    with _on(date(2025, 5, 13)) as now:
        strategy.strategy_discussion_decide(
            kids["nfa"].referral, reason="Red: harm alleged", by=users["lead"]
        )
        mash.strategy_discussion_record(
            kids["nfa"].referral, held_at=now, attendees=ATTENDEES, s47_enquiry=False,
            decision_rationale="Explained; no harm", by=users["lead"], now=now,
        )  # fmt: skip
        mash.outcome_record(
            kids["nfa"].referral, destination=Outcome.Destination.NFA, rationale="Concerns resolved",
            recommendation="None", by=users["lead"], now=now,
        )  # fmt: skip

    kids["s17"] = _intake(
        date(2025, 6, 2), red=False, sex="M", ethnicity="BAFR", date_of_birth=date(2012, 9, 9)
    )
    _s17(kids["s17"], "N4", team)
    _details(kids["s17"], date(2025, 6, 3), ["AUT", "LD", "HEAR", "VIS"], upn="W831200000002")
    _assess(kids["s17"], date(2025, 6, 3), date(2025, 6, 20), ("3B", "16A"))
    _cin_plan(kids["s17"], date(2025, 6, 23), date(2025, 9, 30))
    _close(kids["s17"], date(2025, 9, 30))

    kids["s47_cp"] = _intake(
        date(2025, 7, 7), red=True, sex="F", ethnicity="MWBA", date_of_birth=date(2019, 4, 4)
    )
    enquiry = _s47(kids["s47_cp"], team)
    _details(kids["s47_cp"], date(2025, 7, 8), ["MOB", "COMM", "BEH", "CON"], upn_unknown="UN2")
    # Taken into police protection the evening before the strategy discussion.
    with _on(date(2025, 7, 8)) as now:
        census.s47_emergency_protection_record(
            enquiry, used="yes", used_on=date(2025, 7, 6), by=users["worker"], now=now
        )
    _assess(kids["s47_cp"], date(2025, 7, 8), date(2025, 7, 25), ("2A",))
    with _on(date(2025, 7, 28)) as now:
        casework.icpc_record(
            enquiry,
            icpc_on=date(2025, 7, 28),
            cp_plan=True,
            initial_category="NEG",
            by=users["worker"],
            now=now,
        )
        plan = census.cp_plan_start(enquiry, by=users["worker"], now=now)
    # Statutory visits: seen alone in August; seen with the parent in December, the last one.
    for visited, alone in ((date(2025, 8, 5), True), (date(2025, 12, 15), False)):
        with _on(visited) as now:
            census.cp_visit_record(
                plan, visited_on=visited, child_seen=True, seen_alone=alone, by=users["worker"], now=now
            )
    with _on(date(2025, 10, 20)) as now:
        census.cp_plan_review(plan, reviewed_on=date(2025, 10, 20), by=users["worker"], now=now)
        census.cp_plan_category_change(
            plan, changed_on=date(2025, 10, 20), category="EMO", by=users["worker"], now=now
        )
    with _on(date(2026, 1, 19)) as now:
        census.cp_plan_end(
            plan, ended_on=date(2026, 1, 19), reason="no_longer_at_risk", by=users["manager"], now=now
        )
    _close(kids["s47_cp"], date(2026, 1, 19))

    kids["s47_none"] = _intake(
        date(2025, 9, 1), red=True, sex="M", ethnicity="WBRI", date_of_birth=date(2010, 10, 10)
    )
    enquiry = _s47(kids["s47_none"], team)
    _details(kids["s47_none"], date(2025, 9, 2), ["NONE"], upn_unknown="UN1")
    _assess(kids["s47_none"], date(2025, 9, 2), date(2025, 10, 14), ("4A",))
    with _on(date(2025, 9, 10)) as now:
        casework.icpc_record(enquiry, not_required=True, by=users["worker"], now=now)
    _cin_plan(kids["s47_none"], date(2025, 10, 15))

    kids["unborn"] = _intake(date(2026, 1, 12), red=False, sex="U", expected_date_of_birth=date(2026, 5, 1))
    kids["unborn"].date_of_birth = None
    kids["unborn"].save()
    _s17(kids["unborn"], "N3", team)
    _assess(kids["unborn"], date(2026, 3, 2))

    kids["due_jan"] = _intake(date(2025, 12, 1), red=False, sex="U", expected_date_of_birth=date(2026, 1, 20))
    kids["due_jan"].date_of_birth = None
    kids["due_jan"].save()
    _s17(kids["due_jan"], "N4", team)
    _assess(kids["due_jan"], date(2025, 12, 2), date(2025, 12, 19), ("6A",))
    _close(kids["due_jan"], date(2026, 4, 10), "RC8")

    person = Person.objects.create(first_name="Ambrose", last_name="Testchild", local_id="LA0900")
    again = {"sex": "M", "ethnicity": "WBRI", "date_of_birth": date(2014, 1, 1), "person": person}
    kids["again_1"] = _intake(date(2025, 4, 14), red=False, **again)
    _s17(kids["again_1"], "N5", team)
    _details(kids["again_1"], date(2025, 4, 15), upn="K831200000003")
    _assess(kids["again_1"], date(2025, 4, 15), date(2025, 5, 2), ("1A",))
    _close(kids["again_1"], date(2025, 5, 6))
    kids["again_2"] = _intake(date(2025, 11, 3), red=False, **again)
    _s17(kids["again_2"], "N5", team)
    _assess(kids["again_2"], date(2025, 11, 4), date(2026, 1, 9), ("1B",), reviewed=date(2025, 12, 1))
    _cin_plan(kids["again_2"], date(2026, 1, 12))
    _details(kids["again_2"], date(2025, 11, 4), upn="K831200000003")

    kids["carried"] = _intake(
        date(2025, 2, 10), red=False, sex="F", ethnicity="AIND", date_of_birth=date(2013, 5, 5)
    )
    _s17(kids["carried"], "N5", team)
    _details(kids["carried"], date(2025, 2, 11), upn="N831200000005")
    _assess(kids["carried"], date(2025, 2, 11), date(2025, 3, 14), ("5A",))
    _cin_plan(kids["carried"], date(2025, 3, 17))

    kids["late"] = _intake(
        date(2026, 3, 16), red=True, sex="M", ethnicity="CHNE", date_of_birth=date(2022, 6, 6)
    )
    enquiry = _s47(kids["late"], team)
    _assess(kids["late"], date(2026, 3, 17), date(2026, 4, 14), ("2B",))
    with _on(date(2026, 4, 8)) as now:
        casework.icpc_record(
            enquiry,
            icpc_on=date(2026, 4, 8),
            cp_plan=True,
            initial_category="PHY",
            by=users["worker"],
            now=now,
        )
        census.cp_plan_start(enquiry, by=users["worker"], now=now)  # after the reference date
    return kids
