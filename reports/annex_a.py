"""Ofsted Annex A lists 1 to 7 for a period, as rows and as an xlsx workbook.

Rows are built from ``reports.statutory`` (the one reading of the workflow), labelled with
``reports.annex_a_labels``. No names of children: the Child Unique ID is the LA's case id (or ours).
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

from referrals.models import Consultation

from . import annex_a_labels as labels
from .cells import safe_row
from .statutory import (
    SIX_MONTHS,
    TWELVE_MONTHS,
    Child,
    Episode,
    cin_children,
    contacts,
    count_within_year,
    early_help,
)

Row = list[object]


def _date(day: date | None) -> str:
    return day.strftime(labels.DATE_FORMAT) if day else ""


def _child_columns(child: Child, on: date) -> Row:
    age = child.age_on(on)
    return [
        child.la_child_id,
        labels.GENDER.get(child.sex, labels.GENDER["U"]),
        labels.ETHNICITY.get(child.ethnicity, labels.ETHNICITY["NOBT"]),
        _date(child.birth_date),
        "" if age is None else age,
    ]


def list_1(start: date, end: date) -> list[Row]:
    """Contacts: every child of every referral received, and every consultation (no child recorded)."""
    rows = [
        _child_columns(child, day) + [_date(day), labels.SOURCE[source]]
        for child, day, source in contacts(start, end)
    ]
    no_child = Child(la_child_id="", sex="U", ethnicity="NOBT")
    for consultation in Consultation.objects.filter(
        received_at__date__gte=start, received_at__date__lte=end
    ).order_by("received_at"):
        day = timezone.localdate(consultation.received_at)
        row = _child_columns(no_child, day) + [_date(day), labels.SOURCE[consultation.source]]
        row[0] = f"CONS{consultation.pk}"
        rows.append(row)
    return rows


def list_2(start: date, end: date) -> list[Row]:
    """Early help: each child the MASH passed to early help in the period. The start is the day of
    that outcome; the completion is the day early help's part ended by the period's end (the
    referral closed, or stepped back up to the MASH), blank while it goes on."""
    return [
        _child_columns(row.child, row.start) + [_date(row.start), _date(row.completed), row.organisation]
        for row in early_help(start, end)
    ]


def _in_period(children: list[Child], start: date, end: date):
    for child in children:
        for episode in child.episodes:
            if start <= episode.referral_date <= end:
                yield child, episode


def list_3(start: date, end: date, children: list[Child] | None = None) -> list[Row]:
    """CIN referrals received in the period; the 12-month count includes this referral."""
    children = cin_children(start, end, look_back=TWELVE_MONTHS) if children is None else children
    rows = []
    for child, episode in _in_period(children, start, end):
        dates = [e.referral_date for e in child.episodes]
        rows.append(
            _child_columns(child, episode.referral_date)
            + [
                _date(episode.referral_date),
                labels.SOURCE[episode.source],
                labels.yes_no(episode.nfa),
                count_within_year(dates, episode.referral_date),
                episode.team,
                episode.worker,
            ]
        )
    return rows


def list_4(start: date, end: date, children: list[Child] | None = None) -> list[Row]:
    """Assessments started in the period (or still open from before it)."""
    children = cin_children(start, end, look_back=TWELVE_MONTHS) if children is None else children
    rows = []
    for child in children:
        for episode in child.episodes:
            for a in episode.assessments:
                if a.start > end or (a.authorised is not None and a.authorised < start):
                    continue
                rows.append(
                    _child_columns(child, a.start)
                    + [
                        labels.yes_no(child.has_disability),
                        _date(a.start),
                        labels.yes_no(a.child_seen),
                        _date(a.authorised),
                        "" if a.authorised is None else labels.yes_no(a.requires_support),
                        episode.team,
                        episode.worker,
                    ]
                )
    return rows


def list_5(start: date, end: date, children: list[Child] | None = None) -> list[Row]:
    """S47 enquiries started in the period, with the child's S47 and ICPC counts over the 12 months up
    to the enquiry's start and up to its conference (so a row with a conference counts it)."""
    children = cin_children(start, end, look_back=TWELVE_MONTHS) if children is None else children
    rows = []
    for child in children:
        enquiries = [s for e in child.episodes for s in e.section47s]
        starts = [s.start for s in enquiries]
        conferences = [s.icpc_date for s in enquiries if s.icpc_date]
        for episode in child.episodes:
            for s in episode.section47s:
                if not start <= s.start <= end:
                    continue
                rows.append(
                    _child_columns(child, s.start)
                    + [
                        labels.yes_no(child.has_disability),
                        _date(s.start),
                        "" if s.icpc_not_required is None else labels.yes_no(s.icpc_not_required),
                        _date(s.icpc_date),
                        "" if s.icpc_date is None else labels.yes_no(s.cp_plan),
                        count_within_year(starts, s.start),
                        count_within_year(conferences, s.icpc_date or s.start),
                        episode.team,
                        episode.worker,
                    ]
                )
    return rows


def _open_during(episode: Episode, start: date, end: date) -> bool:
    return (
        not episode.nfa
        and episode.referral_date <= end
        and (episode.closure_date is None or episode.closure_date >= start)
    )


def _case_status(episode: Episode) -> str:
    """The episode's status at the end of the period (what was open then; a MASH holds no looked
    after children). An open episode with no plan is still being assessed."""
    if episode.closure_date is not None:
        return labels.CASE_STATUS_CLOSED
    if any(p.end is None for p in episode.cp_plans):
        return labels.CASE_STATUS_CP_PLAN
    if any(p.end is None for p in episode.cin_plans):
        return labels.CASE_STATUS_CIN_PLAN
    return labels.CASE_STATUS_OPEN_ASSESSMENT


def list_6(start: date, end: date, children: list[Child] | None = None) -> list[Row]:
    """Children in need: each episode (not NFA) open at any time in the period, as at its end."""
    children = cin_children(start, end) if children is None else children
    rows = []
    for child in children:
        for episode in child.episodes:
            if not _open_during(episode, start, end):
                continue
            seen = max((a.child_seen_on for a in episode.assessments if a.child_seen_on), default=None)
            rows.append(
                _child_columns(child, end)
                + [
                    labels.yes_no(child.has_disability),
                    _date(episode.referral_date),
                    labels.PRIMARY_NEED.get(episode.primary_need or "N0", ""),
                    _date(seen),
                    _date(episode.closure_date),
                    labels.REASON_FOR_CLOSURE.get(episode.closure_reason, ""),
                    _case_status(episode),
                    episode.team,
                    episode.worker,
                ]
            )
    return rows


def _last_visit(plan) -> list:
    """The last statutory visit's date and whether the child was seen alone on it (blank: none)."""
    if not plan.visits:
        return ["", ""]
    day, alone = plan.visits[-1]
    return [_date(day), labels.yes_no(alone)]


def _emergency_protection(episode: Episode, end: date) -> str:
    """Annex A's "subject to an EPO or protected under police powers in the last six months", as at
    ``end``, from the episode's section 47 enquiries: yes for an order or police protection in the
    183 days to ``end``; no when an enquiry recorded none, or only an older one; unknown otherwise."""
    answers = [s for s in episode.section47s if s.start <= end]
    if any(s.emergency_protection_on and end - s.emergency_protection_on < SIX_MONTHS for s in answers):
        return labels.YES
    if any(s.emergency_protection in ("yes", "no") for s in answers):
        return labels.NO
    return labels.UNKNOWN


def list_7(start: date, end: date, children: list[Child] | None = None) -> list[Row]:
    """Child protection: each plan open at any time in the period, as at its end, with its last
    statutory visit by then and whether the child was seen alone on it, and whether the child was
    under an EPO or police protection in the six months to the period's end."""
    children = cin_children(start, end) if children is None else children
    rows = []
    for child in children:
        for episode in child.episodes:
            for plan in episode.cp_plans:
                if plan.start > end or (plan.end is not None and plan.end < start):
                    continue
                rows.append(
                    _child_columns(child, end)
                    + [
                        labels.yes_no(child.has_disability),
                        _date(plan.start),
                        labels.CATEGORY_OF_ABUSE.get(plan.initial_category, ""),
                        labels.CATEGORY_OF_ABUSE.get(plan.latest_category or plan.initial_category, ""),
                        *_last_visit(plan),
                        _date(max(plan.reviews, default=None)),
                        _date(plan.end),
                        _emergency_protection(episode, end),
                        plan.previous_plans,
                        episode.team,
                        episode.worker,
                    ]
                )
    return rows


def all_lists(start: date, end: date) -> dict[int, list[Row]]:
    children = cin_children(start, end, look_back=TWELVE_MONTHS)
    return {
        1: list_1(start, end),
        2: list_2(start, end),
        3: list_3(start, end, children),
        4: list_4(start, end, children),
        5: list_5(start, end, children),
        6: list_6(start, end, children),
        7: list_7(start, end, children),
    }


def workbook(start: date, end: date, lists: dict[int, list[Row]] | None = None) -> bytes:
    """One sheet per list, the columns exactly as Annex A names them."""
    lists = all_lists(start, end) if lists is None else lists
    book = Workbook()
    book.remove(book.active)
    for number, (title, columns) in labels.LISTS.items():
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for row in lists.get(number, []):
            sheet.append(safe_row(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
