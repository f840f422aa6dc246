"""The Children in Need census validity rules that apply to the modules this system holds.

Source: ../shared/reference/statutory-facts.md section 1, "Rules to enforce at entry" (the DfE rule
numbers are data-to-insight/csc-validator-be-cin's). A rule number ending in Q is a query (the
Department asks for an explanation); the others are errors that stop a return.

Call ``check_episode(episode)`` on entry (before saving an assessment, S47 or closure, build the
episode as it would be and refuse on errors) and ``check_children(children)`` on export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays
from django.utils import timezone

from mash.codes import PrimaryNeed, ReferralSource

from .statutory import Child, Episode, referral_children

FACTORS: frozenset[str] = frozenset(
    {f"{n}{who}" for n in range(1, 7) for who in "ABC"}
    | {"7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A"}
    | {"18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A"}
)
NO_FACTORS = "21"
CLOSURE_REASONS: frozenset[str] = frozenset(f"RC{n}" for n in range(1, 10))
CLOSED_AFTER_ASSESSMENT = frozenset({"RC8", "RC9"})
ASSESSMENT_WORKING_DAYS = 45
S47_WORKING_DAYS = 15


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    child: str = ""

    @property
    def is_query(self) -> bool:
        return self.rule.endswith("Q")


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # Statutory working days: Monday to Friday less England and Wales bank holidays (facts section 4).
    return holidays.country_holidays("GB", subdiv="ENG", years=range(year - 1, year + 2))


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (the event day is day 0)."""
    calendar = _bank_holidays(start.year)
    return max(0, calendar.get_working_days_count(start, end) - (1 if calendar.is_working_day(start) else 0))


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def _check_codes(e: Episode) -> list[Violation]:
    found = []
    if e.source not in ReferralSource.values:
        found.append(Violation("ReferralSource", f"Referral source {e.source!r} is not a census code."))
    if e.primary_need and e.primary_need not in PrimaryNeed.values:
        found.append(Violation("PrimaryNeedCode", f"Primary need {e.primary_need!r} is not a census code."))
    if not e.nfa and not e.primary_need:
        found.append(Violation("8610", "A referral that is not NFA needs a primary need code."))
    if e.closure_reason and e.closure_reason not in CLOSURE_REASONS:
        found.append(
            Violation("ReasonForClosure", f"Reason for closure {e.closure_reason!r} is not a census code.")
        )
    return found


def _check_dates(e: Episode) -> list[Violation]:
    found = []
    starts = [("1103", "assessment", a.start) for a in e.assessments]
    starts += [("1104", "S47 enquiry", s.start) for s in e.section47s]
    starts += [("2889", "initial conference", s.icpc_date) for s in e.section47s if s.icpc_date]
    starts += [("1105", "closure", e.closure_date)] if e.closure_date else []
    for rule, what, day in starts:
        if day < e.referral_date:
            found.append(
                Violation(
                    rule, f"The {what} ({day:%d/%m/%Y}) is before the referral ({e.referral_date:%d/%m/%Y})."
                )
            )
    if bool(e.closure_date) != bool(e.closure_reason):
        found.append(
            Violation(
                "8805" if e.closure_date else "8810",
                "A closure date needs a reason for closure, and a reason needs a date.",
            )
        )
    return found


def _check_assessments(e: Episode, as_at: date) -> list[Violation]:
    found = []
    open_count = 0
    for a in e.assessments:
        if a.authorised is not None and a.start > a.authorised:
            found.append(
                Violation("8608", f"The assessment starts ({a.start:%d/%m/%Y}) after it was authorised.")
            )
        if a.authorised is None:
            open_count += 1
            if a.factors:
                found.append(Violation("8614", "Factors are recorded only on an authorised assessment."))
            if working_days_between(a.start, as_at) > ASSESSMENT_WORKING_DAYS:
                found.append(
                    Violation(
                        "8670Q",
                        f"The assessment has been open more than {ASSESSMENT_WORKING_DAYS} working days.",
                    )
                )
        elif not a.factors:
            found.append(Violation("8897Q", "An authorised assessment should record the factors identified."))
        if len(set(a.factors)) != len(a.factors):
            found.append(Violation("8898", "An assessment lists the same factor twice."))
        if NO_FACTORS in a.factors and len(a.factors) > 1:
            found.append(Violation("8869", "Factor 21 (no factors identified) must stand alone."))
        unknown = sorted(set(a.factors) - FACTORS)
        if unknown:
            found.append(Violation("AssessmentFactors", f"Not census factor codes: {', '.join(unknown)}."))
    if open_count > 1 or _overlapping([(a.start, a.authorised) for a in e.assessments]):
        found.append(Violation("8896", "Assessments overlap: a child has one open assessment at a time."))
    return found


def _check_section47s(e: Episode, as_at: date) -> list[Violation]:
    found = []
    for s in e.section47s:
        if s.icpc_date is not None and s.start > s.icpc_date:
            found.append(Violation("8615", "The S47 enquiry starts after its initial conference."))
        if s.icpc_date is not None and _is_weekend(s.icpc_date):
            found.append(
                Violation("8875", f"The initial conference date {s.icpc_date:%d/%m/%Y} is a weekend.")
            )
        if s.icpc_target is not None and _is_weekend(s.icpc_target):
            found.append(
                Violation("8870Q", f"The initial conference target {s.icpc_target:%d/%m/%Y} is a weekend.")
            )
        if (
            s.icpc_date is None
            and not s.icpc_not_required
            and working_days_between(s.start, as_at) > S47_WORKING_DAYS
        ):
            found.append(
                Violation(
                    "8675Q",
                    f"The S47 enquiry has run more than {S47_WORKING_DAYS} working days"
                    " without an initial conference.",
                )
            )
    spans = [(s.start, s.icpc_date) for s in e.section47s if not s.icpc_not_required]
    if _overlapping(spans):
        found.append(Violation("8890", "S47 enquiries overlap: a child has one open enquiry at a time."))
    return found


def _check_nfa(e: Episode) -> list[Violation]:
    found = []
    if e.nfa and e.assessments:
        found.append(Violation("8831", "A referral with no further action cannot have an assessment."))
    if e.nfa and e.section47s:
        found.append(Violation("8832", "A referral with no further action cannot have an S47 enquiry."))
    if e.closure_reason in CLOSED_AFTER_ASSESSMENT:
        if not e.assessments:
            found.append(
                Violation("8825Q", f"{e.closure_reason} (closed after assessment) needs an assessment.")
            )
        if e.section47s:
            found.append(
                Violation("2990", f"{e.closure_reason} (closed after assessment) cannot have an S47 enquiry.")
            )
    return found


def _overlapping(spans: list[tuple[date, date | None]]) -> bool:
    """True when two periods overlap; an open period (no end) runs on for ever."""
    ordered = sorted(spans, key=lambda span: span[0])
    for (_, end), (next_start, _) in zip(ordered, ordered[1:], strict=False):
        if end is None or next_start < end:
            return True
    return False


def check_episode(episode: Episode, *, as_at: date | None = None, child: str = "") -> list[Violation]:
    """Every rule about one episode. ``as_at`` is the census reference date (for the 'open too long'
    queries); the council's today when not given."""
    as_at = as_at or timezone.localdate()
    found = (
        _check_codes(episode)
        + _check_dates(episode)
        + _check_assessments(episode, as_at)
        + _check_section47s(episode, as_at)
        + _check_nfa(episode)
    )
    return [Violation(v.rule, v.message, child) for v in found]


def check_child(child: Child, *, as_at: date | None = None) -> list[Violation]:
    """The episode rules for each of the child's episodes, and 8815/8820 across them: one open
    episode at a time unless it was NFA, and no overlapping episodes."""
    found = [v for e in child.episodes for v in check_episode(e, as_at=as_at, child=child.la_child_id)]
    counted = [e for e in child.episodes if not e.nfa]
    if sum(1 for e in counted if e.closure_date is None) > 1:
        found.append(
            Violation("8815", "More than one open episode (not NFA) at the same time.", child.la_child_id)
        )
    elif _overlapping([(e.referral_date, e.closure_date) for e in counted]):
        found.append(Violation("8820", "Two episodes overlap.", child.la_child_id))
    return found


def check_children(children: list[Child], *, as_at: date | None = None) -> list[Violation]:
    return [v for child in children for v in check_child(child, as_at=as_at)]


def check_referral(referral_id: int, *, as_at: date | None = None) -> list[Violation]:
    """The census rules for one referral's CIN children as the workflow now records them: for the
    workflow to call after recording an outcome, a strategy discussion or (later) an assessment, and
    to refuse the change (roll back) or warn when an error appears."""
    return check_children(referral_children(referral_id), as_at=as_at)
