"""Every read of the person index: access checks, candidates, routing look-ups, re-referrals,
the chronology.

Only MASH staff (screening officers and MASH leads) use the known-child check; merging is for MASH
leads. Anything else is ``NotFound``/``NotPermitted`` from here, so pages cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from mash import audit, roles
from mash.exceptions import NotFound, NotPermitted
from mash.models import AuditEvent
from mash.providers import Provider
from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.restricted import may_open, open_to

from . import matching
from .models import Involvement, MatchDecision, Person, PersonMerge
from .pending import PendingReferral, pending_referrals

SUBJECT_MODELS = {"child": ReferralChild, "adult": ReferralAdult}
# The statutory re-referral measure: a referral within 12 months of a previous one.
REREFERRAL_DAYS = 365
# A person named in a referral, read with their record's survivor and the referral's headline.
PERSON_REFERRAL_COLUMNS = (
    "person_id",
    "person__merged_into_id",
    "referral_id",
    "referral__reference",
    "referral__received_at",
    "referral__status",
)


def is_mash_staff(user) -> bool:
    return roles.is_mash_staff(user)


def require_mash_staff(user) -> None:
    if not is_mash_staff(user):
        raise NotPermitted("Only MASH staff can use the person index.")


def require_mash_lead(user) -> None:
    if not roles.is_mash_lead(user):
        raise NotPermitted("Only a MASH lead can merge or unmerge index records.")


def access_referral_for_check(user, reference: str) -> Referral:
    """The referral whose people are checked, if ``user`` may do the known-child check."""
    require_mash_staff(user)
    referral = Referral.objects.filter(reference=reference).select_related("team").first()
    if referral is None or not may_open(user, referral):
        raise NotFound("There is no referral with that reference that you can see.")
    return referral


def access_subject(referral: Referral, kind: str, subject_id: int) -> ReferralChild | ReferralAdult:
    model = SUBJECT_MODELS.get(kind)
    subject = model.objects.filter(referral=referral, pk=subject_id).first() if model else None
    if subject is None:
        raise NotFound("That person is not in this referral.")
    return subject


def access_person(user, person_id: int) -> Person:
    require_mash_staff(user)
    person = Person.objects.filter(pk=person_id).select_related("merged_into").first()
    if person is None:
        raise NotFound("There is no person with that number in the index.")
    return person


def access_merge(user, merge_id: int) -> PersonMerge:
    """A merge of index records, for a MASH lead to undo."""
    require_mash_lead(user)
    merge = PersonMerge.objects.filter(pk=merge_id).select_related("survivor", "merged").first()
    if merge is None:
        raise NotFound("There is no such merge.")
    return merge


def person_by_identifier(identifier: str) -> Person | None:
    """An index record by its number in this service or its local case-system identifier."""
    identifier = identifier.strip()
    lookup = Q(local_id=identifier)
    if identifier.isdigit():
        lookup |= Q(pk=int(identifier))
    return Person.objects.filter(lookup).order_by("pk").first()


def root_person(person: Person) -> Person:
    """The record a merged record was (eventually) merged into; the record itself otherwise."""
    seen = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def person_group_ids(person: Person) -> list[int]:
    """The record and every record merged into it (at any depth): one person's histories."""
    ids, frontier = {person.pk}, {person.pk}
    while frontier:
        frontier = set(Person.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return sorted(ids)


# --- the known-child check -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedReferral:
    """A referral already recorded about an index record: what the check shows of it."""

    referral_id: int
    reference: str
    received_at: datetime
    status_label: str
    named_as: str  # "child" or "adult (mother)"


@dataclass
class SubjectCheck:
    """One person named in a referral, with what the index offers for them."""

    kind: str  # "child" or "adult"
    subject: ReferralChild | ReferralAdult
    candidates: list[matching.Candidate] = field(default_factory=list)
    decisions: list[MatchDecision] = field(default_factory=list)
    # For a person already linked: the other referrals recorded about their index record.
    referrals: list[RecordedReferral] = field(default_factory=list)
    # Other referrals about someone like them that are not in the index yet (still undecided).
    pending: list[PendingReferral] = field(default_factory=list)

    @property
    def rejected_ids(self) -> set[int]:
        return {d.person_id for d in self.decisions if d.decision == MatchDecision.Decision.REJECTED}


def referral_subjects(referral: Referral) -> list[tuple[str, ReferralChild | ReferralAdult]]:
    children = [("child", c) for c in referral.children.select_related("person")]
    return children + [("adult", a) for a in referral.adults.select_related("person")]


def known_child_check(user, referral: Referral, *, ip_address: str | None = None) -> list[SubjectCheck]:
    """Candidates for every person in the referral, without those already rejected for them, and the
    other referrals about someone like each person that are not in the index yet. Records that
    ``user`` read the referral's people, their candidates and every referral shown."""
    require_mash_staff(user)
    decisions = list(MatchDecision.objects.filter(referral=referral).select_related("person", "by"))
    checks = []
    for kind, subject in referral_subjects(referral):
        check = SubjectCheck(kind, subject, decisions=[d for d in decisions if _decides(d, kind, subject)])
        if subject.person_id is None:
            check.candidates = matching.find_candidates(
                matching.Probe.of(subject), exclude=check.rejected_ids
            )
        checks.append(check)
    _attach_involvements([c for check in checks for c in check.candidates])
    shown = _attach_referrals(checks, referral, user)
    shown = sorted(set(shown) | _attach_pending(checks, referral, user))
    _audit_check(user, referral, shown, ip_address)
    return checks


def _attach_pending(checks: list[SubjectCheck], referral: Referral, user) -> set[int]:
    """Each person's matching referrals not yet in the index (two queries for the whole page);
    returns the referral ids shown, to be audited with the others."""
    found = pending_referrals([(c.kind, c.subject) for c in checks], exclude=referral.pk, user=user)
    for check in checks:
        check.pending = found.get((check.kind, check.subject.pk), [])
    return {row.referral_id for rows in found.values() for row in rows}


def _audit_check(user, referral: Referral, shown: list[int], ip_address: str | None) -> None:
    """One read of this referral's people and candidates, and one of each other referral the page
    showed (recorded in the index or not yet), so that referral's own trail says who saw it and where."""
    events = [
        audit.audit_event(
            AuditEvent.Kind.READ,
            "person_index.known_child_check",
            actor=user,
            obj=referral,
            reason="known-child check",
            details={"referrals_shown": shown} if shown else None,
            ip_address=ip_address,
        )
    ]
    events += [
        audit.audit_event(
            AuditEvent.Kind.READ,
            "person_index.known_child_check.referral_shown",
            actor=user,
            reason=f"known-child check of {referral.reference}",
            referral_id=referral_id,
            ip_address=ip_address,
        )
        for referral_id in shown
    ]
    audit.record_many(events)


def _attach_referrals(checks: list[SubjectCheck], referral: Referral, user=None) -> list[int]:
    """Every other referral recorded about each candidate (and each person already linked), its own
    and its merged records', newest first: a child referred minutes ago shows here before any case
    is opened. Two queries for the whole page; returns the referral ids shown."""
    owners = {c.person.pk for check in checks for c in check.candidates}
    owners |= {check.subject.person_id for check in checks if check.subject.person_id}
    if not owners:
        return []
    found = _referrals_about(owners, exclude=referral.pk, user=user)
    for check in checks:
        for candidate in check.candidates:
            candidate.referrals = found.get(candidate.person.pk, [])
        if check.subject.person_id:
            check.referrals = found.get(check.subject.person_id, [])
    return sorted({row.referral_id for rows in found.values() for row in rows})


def _referrals_about(owners: set[int], *, exclude: int, user=None) -> dict[int, list[RecordedReferral]]:
    status_labels = dict(Referral._meta.get_field("status").choices)
    found: dict[int, dict[int, RecordedReferral]] = {}
    for model in (ReferralChild, ReferralAdult):
        rows = (
            model.objects.filter(Q(person__in=owners) | Q(person__merged_into__in=owners))
            .filter(open_to(user, via="referral"))
            .exclude(referral_id=exclude)
            .values_list(*PERSON_REFERRAL_COLUMNS, *(("relationship",) if model is ReferralAdult else ()))
        )
        for person_id, survivor_id, referral_id, reference, received_at, status, *relationship in rows:
            owner = survivor_id if survivor_id in owners else person_id
            named_as = (
                "child"
                if model is ReferralChild
                else f"adult ({relationship[0] or 'relationship not given'})"
            )
            found.setdefault(owner, {}).setdefault(
                referral_id,
                RecordedReferral(
                    referral_id, reference, received_at, status_labels.get(status, status), named_as
                ),
            )
    return {
        owner: sorted(rows.values(), key=lambda r: (r.received_at, r.referral_id), reverse=True)
        for owner, rows in found.items()
    }


def _attach_involvements(candidates: list[matching.Candidate]) -> None:
    """Each candidate's involvements (its own and its merged records'), newest first, so staff see
    what a confirmation would route to: one query for every candidate on the page."""
    people = {c.person.pk for c in candidates}
    if not people:
        return
    rows = Involvement.objects.filter(Q(person__in=people) | Q(person__merged_into__in=people))
    found: dict[int, list[Involvement]] = {}
    for involvement in rows.select_related("team", "person").order_by("-started_on", "-pk"):
        owner = involvement.person.merged_into_id or involvement.person_id
        found.setdefault(owner, []).append(involvement)
    for candidate in candidates:
        candidate.involvements = found.get(candidate.person.pk, [])


def _decides(decision: MatchDecision, kind: str, subject) -> bool:
    return (decision.child_id if kind == "child" else decision.adult_id) == subject.pk


def candidate_for(subject, person: Person) -> matching.Candidate | None:
    """How ``person`` scores against a referral's person (for the decision's recorded explanation)."""
    return matching.score_person(matching.Probe.of(subject), person)


# --- routing ------------------------------------------------------------------------------------


def routable_involvement(person: Person, *, today: date, recall_window_days: int) -> Involvement | None:
    """The involvement a referral about ``person`` goes to: an open case (most recently started
    first), else the case closed most recently within the recall window. Merged records count."""
    recent = today - timedelta(days=recall_window_days)
    involvements = Involvement.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=recent), person__in=person_group_ids(person)
    ).select_related("team", "worker")
    open_cases = [i for i in involvements if i.closed_on is None]
    if open_cases:
        return max(open_cases, key=lambda i: (i.started_on, i.pk))
    return max(involvements, key=lambda i: (i.closed_on, i.pk), default=None)


# --- re-referrals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReReferral:
    """An earlier referral about the same child within 12 months, and what became of it."""

    referral_id: int
    reference: str
    received_at: datetime
    status: str
    status_label: str
    rag: str

    @property
    def outcome(self) -> str:
        return f"{self.status_label}" + (f" ({self.rag.title()})" if self.rag else "")


def rereferrals(referrals) -> dict[int, ReReferral]:
    """For each referral, the most recent earlier referral (within 12 months before it) about any of
    its children, matched through the person index. Two queries, whatever the number of referrals:
    for the queue and the decision page."""
    referrals = list(referrals)
    if not referrals:
        return {}
    links = list(
        ReferralChild.objects.filter(referral__in=referrals, person__isnull=False).values_list(
            "referral_id", "person_id", "person__merged_into_id"
        )
    )
    people_of: dict[int, set[int]] = {}
    for referral_id, person_id, survivor_id in links:
        people_of.setdefault(referral_id, set()).update({person_id, survivor_id} - {None})
    every_person = set().union(*people_of.values()) if people_of else set()
    if not every_person:
        return {}
    earliest = min(r.received_at for r in referrals) - timedelta(days=REREFERRAL_DAYS)
    earlier = ReferralChild.objects.filter(
        Q(person__in=every_person) | Q(person__merged_into__in=every_person),
        open_to(None, via="referral"),  # no user here: a restricted referral is no hint to anyone
        referral__received_at__gte=earliest,
    ).values_list(*PERSON_REFERRAL_COLUMNS, "referral__rag")
    status_labels = dict(Referral._meta.get_field("status").choices)
    found: dict[int, ReReferral] = {}
    for referral in referrals:
        mine = people_of.get(referral.pk, set())
        window_start = referral.received_at - timedelta(days=REREFERRAL_DAYS)
        for person_id, survivor_id, other_id, reference, received_at, status, rag in earlier:
            if other_id == referral.pk or not ({person_id, survivor_id} & mine):
                continue
            if window_start <= received_at < referral.received_at:
                best = found.get(referral.pk)
                if best is None or received_at > best.received_at:
                    found[referral.pk] = ReReferral(
                        other_id, reference, received_at, status, status_labels.get(status, status), rag
                    )
    return found


def rereferral_for(referral: Referral) -> ReReferral | None:
    """Whether a child of ``referral`` was referred in the 12 months before it (with that outcome)."""
    return rereferrals([referral]).get(referral.pk)


# --- chronology -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyEntry:
    at: datetime
    kind: str  # "referral", "decision", "involvement started", "involvement closed", "merge"
    summary: str
    referral_id: int | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# The threshold decisions about a group of index records, as chronology entries, for the referrals
# ``mine`` lets the reader open: decisions are triage's, which supplies them in its ready().
decision_entries = Provider("person_index.selectors.decision_entries", "the triage app")


def person_chronology(user, person: Person, *, ip_address: str | None = None) -> list[ChronologyEntry]:
    """Every referral, threshold decision and involvement of the person (and of records merged into
    them), in date order. Records that ``user`` read it."""
    require_mash_staff(user)
    group = person_group_ids(person)
    entries: list[ChronologyEntry] = []
    mine = open_to(user, via="referral")  # a restricted referral only for those named on it
    subjects = list(ReferralChild.objects.filter(mine, person__in=group).select_related("referral"))
    subjects += list(ReferralAdult.objects.filter(mine, person__in=group).select_related("referral"))
    for subject in subjects:
        referral = subject.referral
        role = "child" if isinstance(subject, ReferralChild) else f"adult ({subject.relationship})"
        entries.append(
            ChronologyEntry(
                referral.received_at,
                "referral",
                f"Referral {referral.reference} received, as {role}; now "
                f"{referral.get_status_display().lower()}",
                referral.pk,
            )
        )
    entries += decision_entries(group, mine)
    for involvement in Involvement.objects.filter(person__in=group).select_related("team"):
        entries.append(
            ChronologyEntry(
                _day_start(involvement.started_on),
                "involvement started",
                f"{involvement.get_kind_display()} case opened with {involvement.team}",
            )
        )
        if involvement.closed_on:
            entries.append(
                ChronologyEntry(
                    _day_start(involvement.closed_on),
                    "involvement closed",
                    f"{involvement.get_kind_display()} case closed by {involvement.team}",
                )
            )
    for merge in PersonMerge.objects.filter(Q(survivor__in=group) | Q(merged__in=group)):
        entries.append(
            ChronologyEntry(
                merge.at,
                "merge",
                f"Records {merge.merged_id} and {merge.survivor_id} "
                f"merged{' (undone)' if merge.undone_at else ''}: {merge.reason}",
            )
        )
    entries.sort(key=lambda e: e.at)
    audit.record_read(
        "person_index.chronology", actor=user, obj=person, reason="chronology", ip_address=ip_address
    )
    return entries


def live_merges(person: Person) -> list[PersonMerge]:
    return list(
        PersonMerge.objects.filter(
            Q(survivor=person) | Q(merged=person), undone_at__isnull=True
        ).select_related("survivor", "merged", "by")
    )
