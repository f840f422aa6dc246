"""The Children in Need census validity rules that apply to the items this system holds.

The rule numbers and messages are the Department's, as data-to-insight's validator
(csc-validator-be-cin, ruleset cin2025_26) states them; the tests run that validator on the same
extract and expect the same rules. A rule number ending in Q is a query (the Department asks for an
explanation); the others are errors that stop a return. Code values the schema lists (an unknown
factor, source, need or reason) are named after the census item they break.

Call ``check_episode(episode)`` on entry (before saving an assessment, S47 or closure, build the
episode as it would be and refuse on errors) and ``check_children(children)`` on export, with the
census reference date as ``as_at``: the collection year is the twelve months that end on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays
from django.utils import timezone

from mash.codes import PrimaryNeed, ReferralSource, Sex

from .cin_census import UPN, UPN_LETTERS, census_year, upn_check_letter
from .statutory import Child, Episode, referral_children

FACTORS: frozenset[str] = frozenset(
    {f"{n}{who}" for n in range(1, 7) for who in "ABC"}
    | {"7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A"}
    | {"18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A"}
)
NO_FACTORS = "21"
CLOSURE_REASONS: frozenset[str] = frozenset(f"RC{n}" for n in range(1, 10))
CLOSED_AFTER_ASSESSMENT = frozenset({"RC8", "RC9"})
CATEGORIES = frozenset({"NEG", "PHY", "SAB", "EMO", "MUL"})
# UPN unknown reasons that explain a missing UPN of a child of school age (8770Q; UN1 does not).
UPN_UNKNOWN_EXPLAINED = frozenset({"UN2", "UN3", "UN4", "UN5", "UN6", "UN7"})
ASSESSMENT_WORKING_DAYS = 45
S47_WORKING_DAYS = 15
FORTY_WEEKS = timedelta(days=280)

# The Department's messages, word for word (csc-validator-be-cin 0.1.13).
MESSAGES: dict[str, str] = {
    "1103": "The assessment start date cannot be before the referral date",
    "1104": "The date of the initial child protection conference cannot be before the referral date",
    "1105": "The child protection plan start date cannot be before the referral date",
    "1510": "UPN invalid (wrong check letter at character 1)",
    "1540": "UPN invalid (characters 5-12 not all numeric)",
    "1550": "UPN invalid (character 13 not a recognised value)",
    "2885": "Child protection plan shown as starting a different day to the initial child protection"
    " conference.",
    "2889": "The S47 start date cannot be before the referral date.",
    "2990": "Activity is recorded against a case marked as ‘Case closed after assessment, no further action’"
    " or 'case closed after assessment, referred to early help'.",
    "4004": "This child is showing more than one open CIN Plan, i.e. with no End Date",
    "4011": "CIN Plan End Date earlier than Start Date",
    "4015": "The CIN Plan start date cannot be before the referral date",
    "4180": "Sex must be provided and equal M, F, or U",
    "8525Q": "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    "8530Q": "Please check and either amend data or provide a reason: Expected Date of Birth is outside the"
    " expected range for this census (March to December of the Census Year end)",
    "8606": "Child referral date is more than 40 weeks before DOB or expected DOB",
    "8608": "Assessment Start Date cannot be later than its End Date",
    "8610": "Primary Need code is missing for a referral which led to further action.",
    "8614": "Parental or child factors at assessment should only be present for a completed assessment.",
    "8615": "Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial"
    " Child Protection Conference",
    "8620": "CIN Closure Date present and does not fall within the Census year",
    "8630": "CIN Closure Date is before CIN Referral Date for the same CIN episode",
    "8670Q": "Please check and either amend data or provide a reason: Assessment started more than 45"
    " working days before the end of the census year. However, there is no Assessment end date.",
    "8675Q": "Please check and either amend data or provide a reason: S47 Enquiry started more than 15"
    " working days before the end of the census year. However, there is no date of Initial Child Protection"
    " Conference.",
    "8696": "Assessment end date must fall within the census year",
    "8715": "Date of Initial Child Protection Conference must fall within the census year",
    "8750": "Sex must equal U for an unborn child",
    "8770Q": "Please check and either amend data or provide a reason: UPN is missing or reason UPN is missing"
    " or is UN1 for a child who is of school age.",
    "8805": "A CIN case cannot have a CIN closure date without a Reason for Closure",
    "8810": "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    "8815": "More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for"
    " this child and case is not a referral with no further action.",
    "8816": "An open CIN episode is shown and case is not a referral with no further action, but it is not"
    " the latest episode.",
    "8820": "The dates on the CIN episodes for this child overlap",
    "8825Q": "Please check and either amend data or provide a reason: Reason for Closure code RC8 (case"
    " closed after assessment) or RC9 (case closed after assessment, referred to early help) has been"
    " returned but there is no assessment present for the episode.",
    "8831": "Activity is recorded against a case marked as a referral with no further action",
    "8832": "Child Protection details provided for a referral with no further action.",
    "8839": "Within one CINDetails group there are 2 or more open S47 Assessments",
    "8840": "Child Protection Plan cannot start and end on the same day",
    "8841": "The review date cannot be on the same day or before the Child protection Plan start date.",
    "8863Q": "An Assessment is shown as starting when there is another Assessment ongoing.",
    "8866": "Source of Referral is missing or an invalid code",
    "8650": "Primary Need Code invalid (see Primary Need table in CIN census code set)",
    "8640": "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
    "8869": "The assessment factors code “21” cannot be used in conjunction with any other assessment"
    " factors.",
    "8870Q": "Please check and either amend or provide a reason: The Target Date for Initial Child Protection"
    " Conference should not be a weekend",
    "8875": "The Date of Initial Child Protection Conference cannot be a weekend",
    "8890": "A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
    "8896": "Within one CINDetails group there are 2 or more open Assessments groups",
    "8897Q": "Parental or child factors at assessment information is missing from a completed assessment",
    # The Department's message starts with a space; it is dropped here.
    "8898": "The assessment has more than one parental or child factors with the same code",
    "8905": "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census"
    " code set)",
    "8925": "Child Protection Plan End Date earlier than Start Date",
    "8930": "Child Protection Plan End Date must fall within the census year",
    "8935": "This child is showing more than one open Child Protection plan, i.e. with no End Date",
    "AssessmentFactors": "Not a census assessment factor code (the schema's AssessmentFactors list)",
}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    child: str = ""

    @property
    def is_query(self) -> bool:
        return self.rule.endswith("Q")


def _v(rule: str, detail: str = "") -> Violation:
    """The rule's own message, with what broke it in brackets."""
    message = MESSAGES[rule].rstrip(".")
    return Violation(rule, f"{message} ({detail})." if detail else f"{message}.")


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


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _check_codes(e: Episode) -> list[Violation]:
    found = []
    if e.source not in ReferralSource.values:
        found.append(_v("8866", repr(e.source)))
    if e.primary_need and e.primary_need not in PrimaryNeed.values:
        found.append(_v("8650", repr(e.primary_need)))
    if not e.nfa and not e.primary_need:
        found.append(_v("8610"))
    if e.closure_reason and e.closure_reason not in CLOSURE_REASONS:
        found.append(_v("8640", repr(e.closure_reason)))
    return found


def _check_dates(e: Episode) -> list[Violation]:
    found = []
    starts = [("1103", "assessment", a.start) for a in e.assessments]
    starts += [("2889", "S47 enquiry", s.start) for s in e.section47s]
    starts += [("1104", "initial conference", s.icpc_date) for s in e.section47s if s.icpc_date]
    starts += [("1105", "child protection plan", p.start) for p in e.cp_plans]
    starts += [("4015", "CIN plan", p.start) for p in e.cin_plans]
    starts += [("8630", "closure", e.closure_date)] if e.closure_date else []
    for rule, what, day in starts:
        if day < e.referral_date:
            found.append(_v(rule, f"the {what} {_d(day)}, the referral {_d(e.referral_date)}"))
    if e.closure_date and not e.closure_reason:
        found.append(_v("8805"))
    if e.closure_reason and not e.closure_date:
        found.append(_v("8810"))
    return found


def _check_factors(factors: list[str]) -> list[Violation]:
    found = []
    if len(set(factors)) != len(factors):
        found.append(_v("8898"))
    if NO_FACTORS in factors and len(factors) > 1:
        found.append(_v("8869"))
    unknown = sorted(set(factors) - FACTORS)
    if unknown:
        found.append(_v("AssessmentFactors", ", ".join(unknown)))
    return found


def _check_assessments(e: Episode, as_at: date) -> list[Violation]:
    found = []
    for a in e.assessments:
        if a.authorised is not None and a.start > a.authorised:
            found.append(_v("8608", f"started {_d(a.start)}, authorised {_d(a.authorised)}"))
        if a.authorised is None:
            if a.factors:
                found.append(_v("8614"))
            if working_days_between(a.start, as_at) > ASSESSMENT_WORKING_DAYS:
                found.append(_v("8670Q", f"started {_d(a.start)}"))
        elif not a.factors:
            found.append(_v("8897Q"))
        found += _check_factors(a.factors)
    if sum(1 for a in e.assessments if a.authorised is None) > 1:
        found.append(_v("8896"))
    if _overlapping([(a.start, a.authorised) for a in e.assessments]):
        found.append(_v("8863Q"))
    return found


def _check_section47s(e: Episode, as_at: date) -> list[Violation]:
    found = []
    for s in e.section47s:
        if s.icpc_date is not None and s.start > s.icpc_date:
            found.append(_v("8615", f"started {_d(s.start)}, conference {_d(s.icpc_date)}"))
        if s.icpc_date is not None and _is_weekend(s.icpc_date):
            found.append(_v("8875", _d(s.icpc_date)))
        if s.icpc_target is not None and _is_weekend(s.icpc_target):
            found.append(_v("8870Q", _d(s.icpc_target)))
        if (
            s.icpc_date is None
            and not s.icpc_not_required
            and working_days_between(s.start, as_at) > S47_WORKING_DAYS
        ):
            found.append(_v("8675Q", f"started {_d(s.start)}"))
    if sum(1 for s in e.section47s if s.icpc_date is None and not s.icpc_not_required) > 1:
        found.append(_v("8839"))
    spans = [(s.start, s.icpc_date) for s in e.section47s if not s.icpc_not_required]
    if _overlapping(spans, touching=True):
        found.append(_v("8890"))
    return found


def _check_plans(e: Episode) -> list[Violation]:
    found = []
    conferences = {s.icpc_date for s in e.section47s if s.icpc_date}
    for p in e.cp_plans:
        if p.initial_category not in CATEGORIES:
            found.append(_v("8905", repr(p.initial_category)))
        if p.end is not None and p.end < p.start:
            found.append(_v("8925", f"{_d(p.start)} to {_d(p.end)}"))
        if p.end is not None and p.end == p.start:
            found.append(_v("8840", _d(p.start)))
        if any(r <= p.start for r in p.reviews):
            found.append(_v("8841", f"the plan started {_d(p.start)}"))
        if conferences and p.start not in conferences:
            found.append(_v("2885", f"the plan {_d(p.start)}"))
    if sum(1 for p in e.cp_plans if p.end is None) > 1:
        found.append(_v("8935"))
    for p in e.cin_plans:
        if p.end is not None and p.end < p.start:
            found.append(_v("4011", f"{_d(p.start)} to {_d(p.end)}"))
    if sum(1 for p in e.cin_plans if p.end is None) > 1:
        found.append(_v("4004"))
    return found


def _check_nfa(e: Episode) -> list[Violation]:
    found = []
    if e.nfa and (e.assessments or e.section47s):
        found.append(_v("8831"))
    if e.nfa and e.cp_plans:
        found.append(_v("8832"))
    if e.closure_reason in CLOSED_AFTER_ASSESSMENT:
        if not e.assessments:
            found.append(_v("8825Q", e.closure_reason))
        if e.section47s or e.cp_plans or e.cin_plans:
            found.append(_v("2990", e.closure_reason))
    return found


def _check_in_year(e: Episode, first: date, last: date) -> list[Violation]:
    """8696, 8715, 8620, 8930: what ended must have ended in the collection year."""

    def outside(day: date | None) -> bool:
        return day is not None and not first <= day <= last

    found = [_v("8696", _d(a.authorised)) for a in e.assessments if outside(a.authorised)]
    found += [_v("8715", _d(s.icpc_date)) for s in e.section47s if outside(s.icpc_date)]
    found += [_v("8930", _d(p.end)) for p in e.cp_plans if outside(p.end)]
    if outside(e.closure_date):
        found.append(_v("8620", _d(e.closure_date)))
    return found


def _overlapping(spans: list[tuple[date, date | None]], *, touching: bool = False) -> bool:
    """True when two periods overlap; an open period (no end) runs on for ever. With ``touching``, one
    that starts on the day another ends overlaps it too."""
    ordered = sorted(spans, key=lambda span: span[0])
    for (_, end), (next_start, _) in zip(ordered, ordered[1:], strict=False):
        if end is None or next_start < end or (touching and next_start == end):
            return True
    return False


def check_episode(episode: Episode, *, as_at: date | None = None, child: str = "") -> list[Violation]:
    """Every rule about one episode. ``as_at`` is the census reference date (the end of the collection
    year, for the 'open too long' and 'within the year' rules); the council's today when not given."""
    as_at = as_at or timezone.localdate()
    first = census_year(as_at)[0]
    found = (
        _check_codes(episode)
        + _check_dates(episode)
        + _check_assessments(episode, as_at)
        + _check_section47s(episode, as_at)
        + _check_plans(episode)
        + _check_nfa(episode)
        + _check_in_year(episode, first, as_at)
    )
    return [Violation(v.rule, v.message, child) for v in found]


def _check_upn(child: Child, as_at: date) -> list[Violation]:
    found = []
    upn = child.upn or ""
    if upn and UPN.match(upn):
        if not upn[4:12].isdigit():
            found.append(_v("1540"))
        elif upn[12].upper() not in UPN_LETTERS and not upn[12].isdigit():
            found.append(_v("1550"))
        elif upn_check_letter(upn) != upn[0].upper():
            found.append(_v("1510", f"it should start {upn_check_letter(upn)}"))
    in_need = any(not e.nfa for e in child.episodes)
    if (
        not UPN.match(upn)
        and in_need
        and child.birth_date is not None
        and child.birth_date <= _school_age_cut_off(as_at)
        and child.upn_unknown not in UPN_UNKNOWN_EXPLAINED
    ):
        found.append(_v("8770Q"))
    return found


def _add_months(day: date, months: int) -> date:
    """``day`` moved on by whole months, kept to the month's last day (as pandas' DateOffset does)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _school_age_cut_off(as_at: date) -> date:
    """Born on or before this day, a child is of school age for 8770Q: the reference date plus four
    months and 31 days, less six years (the validator's reading)."""
    return _add_months(_add_months(as_at, 4) + timedelta(days=31), -72)


def _check_identity(child: Child, as_at: date) -> list[Violation]:
    found = []
    if child.sex not in (Sex.MALE, Sex.FEMALE, Sex.UNKNOWN):
        found.append(_v("4180", repr(child.sex)))
    if child.is_unborn and child.sex != Sex.UNKNOWN:
        found.append(_v("8750", f"recorded as {child.sex}"))
    # The extract writes the expected date only while the child is unborn, so never both.
    if child.birth_date is None and child.expected_birth_date is None:
        found.append(_v("8525Q"))
    expected = child.expected_birth_date
    if child.birth_date is None and expected is not None:
        if not as_at - timedelta(days=30) < expected < _add_months(as_at, 9):
            found.append(_v("8530Q", f"expected {_d(expected)}"))
    born = child.birth_date or expected
    if born is not None and any(e.referral_date < born - FORTY_WEEKS for e in child.episodes):
        found.append(_v("8606"))
    return found


def check_child(child: Child, *, as_at: date | None = None) -> list[Violation]:
    """The episode rules for each of the child's episodes, the child's own items (sex, dates of
    birth, UPN), and 8815/8816/8820 across episodes: one open episode at a time unless it was NFA,
    the open one the latest, and no overlapping episodes."""
    as_at = as_at or timezone.localdate()
    key = child.la_child_id
    found = [v for e in child.episodes for v in check_episode(e, as_at=as_at, child=key)]
    own = _check_identity(child, as_at) + _check_upn(child, as_at)
    found += [Violation(v.rule, v.message, key) for v in own]
    counted = [e for e in child.episodes if not e.nfa]
    open_ones = [e for e in counted if e.closure_date is None]
    if len(open_ones) > 1:
        found.append(Violation("8815", _v("8815").message, key))
    elif _overlapping([(e.referral_date, e.closure_date) for e in counted]):
        found.append(Violation("8820", _v("8820").message, key))
    latest = max((e.referral_date for e in child.episodes), default=None)
    if any(e.referral_date != latest for e in open_ones):
        found.append(Violation("8816", _v("8816").message, key))
    return found


def check_children(children: list[Child], *, as_at: date | None = None) -> list[Violation]:
    return [v for child in children for v in check_child(child, as_at=as_at)]


def check_referral(referral_id: int, *, as_at: date | None = None) -> list[Violation]:
    """The census rules for one referral's CIN children as the workflow now records them (as at
    ``as_at``, the council's today when not given): for the workflow to call after recording an
    outcome, a strategy discussion or an assessment, and to refuse the change (roll back) or warn
    when an error appears."""
    as_at = as_at or timezone.localdate()
    first = census_year(as_at)[0]
    children = [c.as_at(as_at) for c in referral_children(referral_id)]
    for child in children:
        # What this year's return would hold: what was completed before the year is last year's.
        child.episodes = [e.since(first) for e in child.episodes]
    return check_children(children, as_at=as_at)
