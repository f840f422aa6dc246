"""The dashboard's figures: aggregate queries only, each a small GROUP BY over an indexed range.

Every function takes a ``Filters`` (period, team, agency, the user's scope) and returns a ``Figure``:
rows of (label, numbers) that the page draws as a chart, shows as a table and offers as CSV.
Which time the period applies to: the referral's receipt for the referral counts, RAG changes and
re-referrals; a deadline's due time for timeliness (and its weekly trend); a request's time for
partner responses; the decision's time for outcomes. Each of those times leads a covering index
(reports/migrations/0002), so a figure costs what the period holds, not what the table holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate, TruncWeek
from django.utils import timezone

from agencies.models import Agency, Team
from mash.codes import ReferralSource
from referrals.models import Referral, ReferralChild
from referrals.states import QUEUE_STATUSES, Rag
from triage.models import Deadline, MashDiscussion, Outcome
from triage.multiagency.models import InformationRequest

from .selectors import Scope

TIMELINESS_KINDS = (Deadline.Kind.DECISION, Deadline.Kind.PARTNER_RESPONSE, Deadline.Kind.LETTER)
AGE_BANDS = ((0, 1, "Under 1 day"), (1, 3, "1 to 3 days"), (3, 7, "3 to 7 days"), (7, None, "7 days or more"))
REREFERRAL_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    scope: Scope
    team: Team | None = None
    agency: Agency | None = None

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def as_query(self) -> dict[str, str]:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team:
            query["team"] = str(self.team.pk)
        if self.agency:
            query["agency"] = str(self.agency.pk)
        return query


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = "bar"  # bar | line | none
    note: str = ""
    # The column a bar chart draws, and whether it is a per cent (a 0-100 axis).
    value_column: int = 1
    percent: bool = False

    @property
    def charted(self) -> str:
        """The name of the column a bar chart draws."""
        return self.columns[self.value_column]


def _scoped(qs: QuerySet, f: Filters, prefix: str = "") -> QuerySet:
    if f.scope.team_ids is not None:
        qs = qs.filter(**{f"{prefix}team_id__in": f.scope.team_ids})
    if f.team is not None:
        qs = qs.filter(**{f"{prefix}team_id": f.team.pk})
    return qs


def referrals(f: Filters) -> QuerySet[Referral]:
    """Referrals received in the period, in the user's scope and the chosen team and agency."""
    qs = _scoped(Referral.objects.filter(received_at__gte=f.since, received_at__lt=f.until), f)
    return qs.filter(referrer_agency=f.agency) if f.agency else qs


def _cohort(qs: QuerySet, f: Filters, *, by_referrer: bool = True) -> QuerySet:
    """Rows of a referral's satellite table for the referrals of ``referrals(f)`` (with
    ``by_referrer=False`` the agency filter is left to the caller)."""
    qs = _scoped(
        qs.filter(referral__received_at__gte=f.since, referral__received_at__lt=f.until), f, "referral__"
    )
    return qs.filter(referral__referrer_agency=f.agency) if f.agency and by_referrer else qs


def _in_period(qs: QuerySet, f: Filters, field: str, *, by_referrer: bool = True) -> QuerySet:
    """Rows of a referral's satellite table whose own ``field`` (a due, request or decision time)
    falls in the period. The referral is joined only when a team, scope or agency asks for it, so
    the unfiltered dashboard reads one covering index per figure."""
    qs = qs.filter(**{f"{field}__gte": f.since, f"{field}__lt": f.until})
    qs = _scoped(qs, f, "referral__")
    return qs.filter(referral__referrer_agency=f.agency) if f.agency and by_referrer else qs


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summary(f: Filters) -> Figure:
    totals = referrals(f).aggregate(
        total=Count("id"),
        out_of_hours=Count("id", filter=Q(out_of_hours=True)),
        given=Count("id", filter=Q(consent=Referral.Consent.GIVEN)),
        refused=Count("id", filter=Q(consent=Referral.Consent.REFUSED)),
        not_sought=Count("id", filter=Q(consent=Referral.Consent.NOT_SOUGHT)),
    )
    total = totals["total"]
    rows = [
        ["Referrals received", total, None],
        ["Received out of hours", totals["out_of_hours"], _pct(totals["out_of_hours"], total)],
        ["Consent given", totals["given"], _pct(totals["given"], total)],
        ["Consent refused", totals["refused"], _pct(totals["refused"], total)],
        ["Consent not sought (reason recorded)", totals["not_sought"], _pct(totals["not_sought"], total)],
    ]
    return Figure(
        "summary",
        "Referrals received, out of hours and consent",
        ["Measure", "Number", "Per cent"],
        rows,
        "none",
    )


def by_source(f: Filters) -> Figure:
    counts = dict(referrals(f).values_list("source").annotate(n=Count("id")).order_by())
    rows = [[f"{code}: {label}", counts[code]] for code, label in ReferralSource.choices if counts.get(code)]
    return Figure("by_source", "Referrals by source", ["Source", "Referrals"], rows)


def by_rag(f: Filters) -> Figure:
    counts = dict(referrals(f).values_list("rag").annotate(n=Count("id")).order_by())
    rows = [[label, counts.get(code, 0)] for code, label in Rag.choices]
    rows.append(["Not yet rated", counts.get("", 0)])
    return Figure("by_rag", "Referrals by RAG rating", ["RAG", "Referrals"], rows)


def _count_by(f: Filters, expression) -> dict:
    return dict(referrals(f).annotate(key=expression).values_list("key").annotate(n=Count("id")).order_by())


def by_day(f: Filters) -> Figure:
    counts = _count_by(f, TruncDate("received_at"))
    days = (f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1))
    rows = [[day.isoformat(), counts.get(day, 0)] for day in days]
    return Figure("by_day", "Referrals by day", ["Day", "Referrals"], rows)


def by_hour(f: Filters) -> Figure:
    counts = _count_by(f, ExtractHour("received_at"))
    rows = [[f"{hour:02d}:00", counts.get(hour, 0)] for hour in range(24)]
    return Figure("by_hour", "Referrals by hour of the day", ["Hour", "Referrals"], rows)


def queue_now(f: Filters, *, now: datetime | None = None) -> Figure:
    """The triage queue as it stands (not limited to the period): by age, and how many are overdue."""
    now = now or timezone.now()
    qs = _scoped(Referral.objects.filter(status__in=QUEUE_STATUSES), f)
    qs = qs.filter(referrer_agency=f.agency) if f.agency else qs
    bands = {}
    for index, (low, high, _) in enumerate(AGE_BANDS):
        age = Q(received_at__lte=now - timedelta(days=low))
        if high is not None:
            age &= Q(received_at__gt=now - timedelta(days=high))
        bands[f"band{index}"] = Count("id", filter=age)
    counts = qs.aggregate(overdue=Count("id", filter=Q(next_due_at__lt=now)), **bands)
    rows = [[label, counts[f"band{index}"]] for index, (_, _, label) in enumerate(AGE_BANDS)]
    note = f"{counts['overdue']} of {sum(r[1] for r in rows)} waiting referrals are past a deadline."
    return Figure("queue_now", "The queue now, by age", ["Age", "Referrals"], rows, note=note)


def _deadlines(f: Filters) -> QuerySet[Deadline]:
    # A clock counts once it is settled: met (on time or late) or past its due time unmet.
    settled = Q(met_at__isnull=False) | Q(due_at__lt=timezone.now())
    # Each clock carries its referral's team (Deadline.team), in the covering index: the team and
    # the user's scope filter the clocks themselves, and only the agency filter joins the referral.
    qs = Deadline.objects.filter(kind__in=TIMELINESS_KINDS, due_at__gte=f.since, due_at__lt=f.until)
    qs = _scoped(qs, f)
    return (qs.filter(referral__referrer_agency=f.agency) if f.agency else qs).filter(settled)


def timeliness(f: Filters) -> Figure:
    on_time = Count("id", filter=Q(met_at__lte=F("due_at")))
    counts = {
        kind: (n, met)
        for kind, n, met in _deadlines(f).values_list("kind").annotate(n=Count("id"), met=on_time).order_by()
    }
    rows = []
    for kind in TIMELINESS_KINDS:
        n, met = counts.get(kind, (0, 0))
        rows.append([Deadline.Kind(kind).label, n, met, _pct(met, n)])
    columns = ["Deadline", "Due", "Met on time", "Per cent on time"]
    return Figure("timeliness", "Within their deadlines", columns, rows, value_column=3, percent=True)


def timeliness_trend(f: Filters) -> Figure:
    """Per cent on time by week of the due time, one line per kind of deadline."""
    weekly = (
        _deadlines(f)
        .annotate(week=TruncWeek("due_at"))
        .values_list("week", "kind")
        .annotate(n=Count("id"), met=Count("id", filter=Q(met_at__lte=F("due_at"))))
        .order_by()
    )
    table: dict[date, dict[str, float | None]] = {}
    for week, kind, n, met in weekly:
        week = week.date() if isinstance(week, datetime) else week
        table.setdefault(week, {})[kind] = _pct(met, n)
    rows = [
        [week.isoformat()] + [table[week].get(kind) for kind in TIMELINESS_KINDS] for week in sorted(table)
    ]
    columns = ["Week starting"] + [Deadline.Kind(kind).label for kind in TIMELINESS_KINDS]
    return Figure("timeliness_trend", "Per cent on time, by week", columns, rows, "line")


def partner_responses(f: Filters) -> Figure:
    """Per agency: requests, answers, answers on time and the mean hours to answer."""
    # Here the agency filter means the agency asked, not the one that referred.
    qs = _in_period(InformationRequest.objects.all(), f, "requested_at", by_referrer=False)
    qs = qs.filter(agency=f.agency) if f.agency else qs
    answered = Q(answered_at__isnull=False)
    took = ExpressionWrapper(F("answered_at") - F("requested_at"), output_field=DurationField())
    stats = (
        qs.values_list("agency__name")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=answered),
            on_time=Count("id", filter=Q(answered_at__lte=F("due_at"))),
            mean=Avg(took, filter=answered),
        )
        .order_by("agency__name")
    )
    rows = [
        [name, n, done, _pct(on_time, n), round(mean.total_seconds() / 3600, 1) if mean is not None else None]
        for name, n, done, on_time, mean in stats
    ]
    return Figure(
        "partner_responses",
        "Partner responses by agency",
        ["Agency", "Requests", "Answered", "Per cent answered on time", "Mean hours to answer"],
        rows,
        value_column=3,
        percent=True,
    )


def rag_changes(f: Filters) -> Figure:
    """How the RAG moved at the MASH discussion, after information gathering."""
    labels = dict(Rag.choices)
    pairs = (
        _cohort(MashDiscussion.objects.exclude(rag_before=""), f)
        .values_list("rag_before", "rag_after")
        .annotate(n=Count("id"))
        .order_by("rag_before", "rag_after")
    )
    rows = [
        [f"{labels[before]} to {labels[after]}" if before != after else f"{labels[before]}, unchanged", n]
        for before, after, n in pairs
    ]
    return Figure("rag_changes", "RAG after information gathering", ["Change", "Referrals"], rows)


def outcomes(f: Filters) -> Figure:
    counts = dict(
        _in_period(Outcome.objects.all(), f, "decided_at")
        .values_list("destination")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [[label, counts.get(code, 0)] for code, label in Outcome.Destination.choices]
    return Figure("outcomes", "Outcomes", ["Outcome", "Referrals"], rows)


def rereferrals(f: Filters) -> Figure:
    """Referrals about a child (person index) referred before within the previous 12 months."""
    earlier = ReferralChild.objects.filter(
        person_id=OuterRef("person_id"),
        referral__received_at__lt=OuterRef("referral__received_at"),
        referral__received_at__gte=OuterRef("referral__received_at") - REREFERRAL_WINDOW,
    )
    repeat = (
        _cohort(ReferralChild.objects.filter(person__isnull=False), f)
        .filter(Exists(earlier))
        .values("referral_id")
        .distinct()
        .count()
    )
    total = referrals(f).count()
    rows = [
        ["Referrals received", total, None],
        ["Re-referrals within 12 months", repeat, _pct(repeat, total)],
    ]
    return Figure(
        "rereferrals", "Re-referrals within 12 months", ["Measure", "Number", "Per cent"], rows, "none"
    )


FIGURES = {
    "summary": summary,
    "by_source": by_source,
    "by_rag": by_rag,
    "by_day": by_day,
    "by_hour": by_hour,
    "queue_now": queue_now,
    "timeliness": timeliness,
    "timeliness_trend": timeliness_trend,
    "partner_responses": partner_responses,
    "rag_changes": rag_changes,
    "outcomes": outcomes,
    "rereferrals": rereferrals,
}


def all_figures(f: Filters) -> list[Figure]:
    return [build(f) for build in FIGURES.values()]
