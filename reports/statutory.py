"""The statutory picture of each child, built from what the workflow records.

One place decides how the MASH's records become census and Annex A items, so the CIN extract, the
Annex A lists and the validity rules all read the same thing. The dataclasses are plain values, so
other code (an assessment form, say) can build an ``Episode`` and check it with ``cin_rules`` before
saving anything.

What the workflow holds: the child (identifiers, date of birth, sex, ethnicity), the referral date and
source, the primary need (outcome or threshold decision), whether the referral went on to an
assessment or S47 (the outcome's destination), the strategy discussion that started an S47 and the
initial conference's target date (the ICPC clock); after allocation (``triage.casework.actions``) the
assessments (dates, child seen, factors, support needed), the S47 enquiries (start, ICPC target and
date or not required, CP plan) and the CIN closure (date, reason). Before the worker records an
enquiry, the MASH strategy discussion's S47 stands in. Not held: coded disabilities.
See README "Reports and statutory returns".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from referrals.models import ReferralChild
from referrals.states import Status
from triage.models import ChildDecision, ChildProtectionPlan, Deadline, Outcome
from triage.redecision import STEPPED_UP_FROM

# Outcomes that take a referral on into children's social care (an assessment or an S47): not NFA.
PROGRESSED = frozenset({Outcome.Destination.STRATEGY_S47, Outcome.Destination.S17_ASSESSMENT})
# A threshold decision at level 4 (specialist/statutory) makes the contact a CIN referral.
STATUTORY_LEVEL = 4
TWELVE_MONTHS = timedelta(days=365)
SIX_MONTHS = timedelta(days=183)  # Annex A's "last six months"


@dataclass
class Assessment:
    start: date
    authorised: date | None = None
    factors: list[str] = field(default_factory=list)
    child_seen: bool | None = None
    requires_support: bool | None = None
    internal_review: date | None = None
    child_seen_on: date | None = None

    def as_at(self, day: date) -> Assessment:
        """The assessment as it stood at the end of ``day``: authorised later means still open."""
        if self.child_seen_on is not None and self.child_seen_on > day:
            return replace(self, child_seen_on=None).as_at(day)
        if self.authorised is None or self.authorised <= day:
            return self
        review = self.internal_review if self.internal_review and self.internal_review <= day else None
        return replace(self, authorised=None, factors=[], requires_support=None, internal_review=review)


@dataclass
class Section47:
    start: date  # the strategy discussion that started the enquiry
    icpc_target: date | None = None
    icpc_date: date | None = None
    icpc_not_required: bool | None = None
    cp_plan: bool | None = None
    # Annex A list 7: an EPO or police protection (yes, no, unknown; "" not asked) and its day
    emergency_protection: str = ""
    emergency_protection_on: date | None = None

    def as_at(self, day: date) -> Section47:
        if self.emergency_protection_on is not None and self.emergency_protection_on > day:
            # An order made after the day was not known then: the answer as at the day is not known.
            return replace(self, emergency_protection="", emergency_protection_on=None).as_at(day)
        if self.icpc_date is None or self.icpc_date <= day:
            return self
        return replace(self, icpc_date=None, cp_plan=None)


@dataclass
class CinPlan:
    start: date
    end: date | None = None

    def as_at(self, day: date) -> CinPlan:
        return self if self.end is None or self.end <= day else replace(self, end=None)


@dataclass
class CpPlan:
    start: date
    initial_category: str
    latest_category: str = ""
    end: date | None = None
    previous_plans: int = 0
    reviews: list[date] = field(default_factory=list)
    category_changes: list[tuple[date, str]] = field(default_factory=list)  # (day, category), in order
    visits: list[tuple[date, bool]] = field(
        default_factory=list
    )  # statutory visits (day, seen alone), in order

    def as_at(self, day: date) -> CpPlan:
        """The plan at the end of ``day``: reviews, category changes and an end after it had not
        happened yet."""
        changes = [(d, c) for d, c in self.category_changes if d <= day]
        latest = changes[-1][1] if changes else (self.latest_category if not self.category_changes else "")
        return replace(
            self,
            end=self.end if self.end and self.end <= day else None,
            reviews=[r for r in self.reviews if r <= day],
            visits=[v for v in self.visits if v[0] <= day],
            category_changes=changes,
            latest_category=latest or self.initial_category,
        )


@dataclass
class Episode:
    referral_date: date
    source: str
    primary_need: str = ""
    nfa: bool | None = None  # None: the outcome is not decided yet
    closure_date: date | None = None
    closure_reason: str = ""
    assessments: list[Assessment] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    cp_plans: list[CpPlan] = field(default_factory=list)
    team: str = ""
    worker: str = ""
    referral_id: int | None = None

    def as_at(self, day: date) -> Episode:
        """The episode as it stood at the end of ``day`` (the census reference date): what had not
        happened by then is left out, and what ended later was still open."""
        closed = self.closure_date is not None and self.closure_date <= day
        return replace(
            self,
            closure_date=self.closure_date if closed else None,
            closure_reason=self.closure_reason if closed else "",
            assessments=[a.as_at(day) for a in self.assessments if a.start <= day],
            section47s=[s.as_at(day) for s in self.section47s if s.start <= day],
            cin_plans=[p.as_at(day) for p in self.cin_plans if p.start <= day],
            cp_plans=[p.as_at(day) for p in self.cp_plans if p.start <= day],
        )

    def since(self, start: date) -> Episode:
        """The episode's part in a year that starts on ``start``: what was completed before it (an
        assessment authorised, a conference held, a plan ended) belongs to an earlier year's return."""

        def done_before(end: date | None) -> bool:
            return end is not None and end < start

        return replace(
            self,
            assessments=[a for a in self.assessments if not done_before(a.authorised)],
            section47s=[
                s
                for s in self.section47s
                if not done_before(s.icpc_date) and not (s.icpc_not_required and s.start < start)
            ],
            cin_plans=[p for p in self.cin_plans if not done_before(p.end)],
            cp_plans=[
                replace(p, reviews=[r for r in p.reviews if r >= start])
                for p in self.cp_plans
                if not done_before(p.end)
            ],
        )

    def is_open_on(self, day: date) -> bool:
        """Open on ``day``: referred by then, not NFA, and not closed before it."""
        return (
            self.referral_date <= day
            and not self.nfa
            and (self.closure_date is None or self.closure_date >= day)
        )


@dataclass
class Child:
    la_child_id: str
    sex: str
    ethnicity: str
    birth_date: date | None = None
    expected_birth_date: date | None = None
    upn: str = ""
    has_disability: bool | None = None
    episodes: list[Episode] = field(default_factory=list)
    former_upn: str = ""
    upn_unknown: str = ""  # UN1-UN10 when there is no UPN
    death_date: date | None = None
    disabilities: list[str] = field(default_factory=list)  # census codes; NONE when recorded as none

    def as_at(self, day: date) -> Child:
        """The child as at the end of ``day``: a birth or death after it had not happened yet."""
        born = self.birth_date is not None and self.birth_date <= day
        expected = self.expected_birth_date or (None if born else self.birth_date)
        return replace(
            self,
            birth_date=self.birth_date if born else None,
            expected_birth_date=expected,
            death_date=self.death_date if self.death_date and self.death_date <= day else None,
            episodes=[e.as_at(day) for e in self.episodes if e.referral_date <= day],
        )

    @property
    def is_unborn(self) -> bool:
        return self.birth_date is None and self.expected_birth_date is not None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None or self.birth_date > day:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def child_key(child: ReferralChild) -> str:
    """The child's LAchildID: the case system's id when the person index knows it, else ours."""
    person = child.person
    if person is not None:
        survivor = person.merged_into_id or person.pk
        return person.local_id or f"P{survivor}"
    return f"C{child.pk}"


def _local(instant) -> date | None:
    return timezone.localdate(instant) if instant else None


def _with_related(qs):
    """Everything the statutory items need, in a fixed number of queries."""
    return qs.select_related(
        "person",
        "referral",
        "referral__team",
        "referral__allocated_worker",
        "referral__outcome",
        "referral__strategy_discussion",
        "cin_closure",
        "census_details",
    ).prefetch_related(
        Prefetch("decisions", queryset=ChildDecision.objects.filter(is_current=True), to_attr="current"),
        Prefetch(
            "referral__deadlines",
            queryset=Deadline.objects.filter(kind=Deadline.Kind.ICPC),
            to_attr="icpc_clocks",
        ),
        # What the allocated worker records (triage.casework.actions): one query each.
        "statutory_assessments",
        "section47_enquiries",
        "cin_plans",
        Prefetch(
            "cp_plans",
            queryset=ChildProtectionPlan.objects.prefetch_related("reviews", "category_changes", "visits"),
        ),
    )


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return since, until


def _referral_children(start: date, end: date):
    """Children of referrals received from ``start`` to ``end`` (local dates, inclusive)."""
    since, until = _bounds(start, end)
    qs = ReferralChild.objects.filter(referral__received_at__gte=since, referral__received_at__lt=until)
    return _with_related(qs).order_by("referral__received_at", "id")


def _episode_children(start: date, end: date):
    """Children whose episode was received from ``start`` to ``end``, or received before and still
    open at ``start`` (a CIN referral not closed before it): the census counts every child in need
    during the year, whatever year the referral came."""
    since, until = _bounds(start, end)
    level_4 = ChildDecision.objects.filter(
        child=OuterRef("pk"), is_current=True, level_of_need__gte=STATUTORY_LEVEL
    )
    carried_over = (
        Q(referral__received_at__lt=since)
        & (Q(cin_closure__isnull=True) | Q(cin_closure__closed_on__gte=start))
        & (Q(referral__outcome__destination__in=PROGRESSED) | Exists(level_4))
    )
    qs = ReferralChild.objects.filter(referral__received_at__lt=until).filter(
        Q(referral__received_at__gte=since) | carried_over
    )
    return _with_related(qs).order_by("referral__received_at", "id")


def _outcome(child: ReferralChild) -> Outcome | None:
    try:
        return child.referral.outcome
    except Outcome.DoesNotExist:
        return None


def is_cin_referral(child: ReferralChild) -> bool:
    """A contact becomes a CIN referral when the threshold put the child at level 4 or the outcome
    took the referral on to an assessment or an S47."""
    outcome = _outcome(child)
    decision = child.current[0] if child.current else None
    return (outcome is not None and outcome.destination in PROGRESSED) or (
        decision is not None and decision.level_of_need >= STATUTORY_LEVEL
    )


def _assessments(child: ReferralChild) -> list[Assessment]:
    return [
        Assessment(
            start=a.started_on,
            authorised=a.authorised_on,
            factors=list(a.factors),
            child_seen=a.child_seen,
            requires_support=a.requires_support,
            child_seen_on=a.child_seen_on,
            internal_review=a.internal_reviewed_on,
        )
        for a in child.statutory_assessments.all()
    ]


def _section47s(child: ReferralChild) -> list[Section47]:
    recorded = list(child.section47_enquiries.all())
    if recorded:  # the enquiries the allocated worker recorded (triage.casework.actions)
        return [
            Section47(
                start=s.started_on,
                icpc_target=s.icpc_target,
                icpc_date=s.icpc_on,
                icpc_not_required=s.icpc_not_required,
                cp_plan=s.cp_plan,
                emergency_protection=s.emergency_protection,
                emergency_protection_on=s.emergency_protection_on,
            )
            for s in recorded
        ]
    # Not yet recorded: the S47 the MASH strategy discussion decided on, with its ICPC clock.
    referral = child.referral
    strategy = getattr(referral, "strategy_discussion", None)
    if strategy is None or not strategy.s47_enquiry:
        return []
    target = next((_local(d.due_at) for d in referral.icpc_clocks), None)
    return [Section47(start=_local(strategy.held_at), icpc_target=target)]


def _cp_plans(child: ReferralChild) -> list[CpPlan]:
    return [
        CpPlan(
            start=plan.started_on,
            initial_category=plan.initial_category,
            latest_category=plan.latest_category or plan.initial_category,
            end=plan.ended_on,
            previous_plans=plan.previous_plans,
            reviews=sorted(r.reviewed_on for r in plan.reviews.all()),
            category_changes=sorted((c.changed_on, c.category) for c in plan.category_changes.all()),
            visits=sorted((v.visited_on, v.seen_alone) for v in plan.visits.all()),
        )
        for plan in child.cp_plans.all()
    ]


def episode_for(child: ReferralChild) -> Episode:
    referral = child.referral
    outcome = _outcome(child)
    decision = child.current[0] if child.current else None
    need = (outcome.primary_need if outcome else "") or (decision.primary_need if decision else "")
    worker = referral.allocated_worker
    closure = getattr(child, "cin_closure", None)
    return Episode(
        referral_date=_local(referral.received_at),
        source=referral.source,
        primary_need=need,
        nfa=None if outcome is None else outcome.destination not in PROGRESSED,
        closure_date=closure.closed_on if closure else None,
        closure_reason=closure.reason if closure else "",
        assessments=_assessments(child),
        section47s=_section47s(child),
        cin_plans=[CinPlan(start=p.started_on, end=p.ended_on) for p in child.cin_plans.all()],
        cp_plans=_cp_plans(child),
        team=referral.team.name if referral.team else "",
        worker=worker.display_name if worker else "",
        referral_id=referral.pk,
    )


def _child_values(child: ReferralChild, key: str) -> Child:
    person = child.person
    details = getattr(child, "census_details", None)
    codes = list(details.disabilities) if details else []
    # Coded disabilities when recorded; else the referral's free text can only say "yes".
    has_disability = details.has_disability if codes else (True if child.disability.strip() else None)
    return Child(
        la_child_id=key,
        sex=child.sex,
        ethnicity=child.ethnicity,
        birth_date=child.date_of_birth,
        expected_birth_date=child.expected_date_of_birth,
        upn=(details.upn if details and details.upn else "") or (person.upn if person else ""),
        has_disability=has_disability,
        former_upn=details.former_upn if details else "",
        upn_unknown=details.upn_unknown if details else "",
        death_date=details.died_on if details else None,
        disabilities=codes,
    )


def _gather(rows) -> list[Child]:
    """Each CIN child among ``rows`` once, with its episodes in the rows' order."""
    children: dict[str, Child] = {}
    for row in rows:
        if is_cin_referral(row):
            key = child_key(row)
            children.setdefault(key, _child_values(row, key)).episodes.append(episode_for(row))
    return list(children.values())


def cin_children(start: date, end: date, *, look_back: timedelta = timedelta(0)) -> list[Child]:
    """Each child in need from ``start - look_back`` to ``end`` as at ``end`` (the reference date):
    every CIN referral received in that time, and every episode open into it whatever year its
    referral came (not one that was NFA or closed before). What happened after ``end`` is left out.
    ``look_back`` lets Annex A count referrals in the 12 months before the period."""
    since = start - look_back
    children = [child.as_at(end) for child in _gather(_episode_children(since, end))]
    for child in children:
        child.episodes = [
            e.since(since) for e in child.episodes if e.referral_date >= since or e.is_open_on(since)
        ]
    return [child for child in children if child.episodes]


def contacts(start: date, end: date) -> list[tuple[Child, date, str]]:
    """Every child of every referral received in the period, as an Annex A contact (date, source)."""
    return [
        (_child_values(row, child_key(row)), _local(row.referral.received_at), row.referral.source)
        for row in _referral_children(start, end)
    ]


@dataclass(frozen=True)
class EarlyHelp:
    """A child's time with early help, as Annex A list 2 reports it."""

    child: Child
    start: date  # the outcome that passed the referral to early help
    organisation: str  # the team (or lead agency) it went to
    completed: date | None = None  # the day early help's part ended, if it had by the period's end


def _early_help_ended(changes, after: datetime, until: datetime) -> date | None:
    """The day early help's part ended, from the referral's status history: its first move after the
    outcome that closed it or stepped it back up to the MASH, before ``until``."""
    for change in changes:
        if not after < change.at < until:
            continue
        stepped_up = change.to_status == Status.SCREENING and change.from_status in STEPPED_UP_FROM
        if stepped_up or change.to_status == Status.CLOSED:
            return _local(change.at)
    return None


def early_help(start: date, end: date) -> list[EarlyHelp]:
    """Each child of a referral the MASH passed to early help in the period: the child, the day of
    that outcome (when early help took the child on), the team (or lead agency) it went to, and the
    day early help's part ended (closed, or stepped up to the MASH) if it had by the period's end."""
    since, until = _bounds(start, end)
    rows = _with_related(
        ReferralChild.objects.filter(
            referral__outcome__destination=Outcome.Destination.EARLY_HELP,
            referral__outcome__decided_at__gte=since,
            referral__outcome__decided_at__lt=until,
        )
        .select_related("referral__outcome__team", "referral__outcome__lead_agency")
        .prefetch_related("referral__status_changes")
    ).order_by("referral__outcome__decided_at", "id")
    found = []
    for row in rows:
        outcome = row.referral.outcome
        ended = _early_help_ended(row.referral.status_changes.all(), outcome.decided_at, until)
        found.append(
            EarlyHelp(
                child=_child_values(row, child_key(row)),
                start=_local(outcome.decided_at),
                organisation=str(outcome.team or outcome.lead_agency or ""),
                completed=ended,
            )
        )
    return found


def referral_children(referral_id: int) -> list[Child]:
    """The statutory picture of one referral's CIN children (for checks on entry)."""
    return _gather(_with_related(ReferralChild.objects.filter(referral_id=referral_id)).order_by("id"))


def count_within_year(dates: list[date], day: date) -> int:
    """How many of ``dates`` fall in the 12 months up to and including ``day``."""
    return sum(1 for d in dates if day - TWELVE_MONTHS < d <= day)
