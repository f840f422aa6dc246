"""Every read in triage, and every access check: what a user may see, and what they may do.

Pages and the API both come through here, so the queue, the referral page, the EDT and domestic
abuse views and their API twins cannot disagree about who sees what. Anything outside a user's
visibility is ``NotFound``: we never confirm that a referral exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.codes import DomesticAbuseRisk
from mash.exceptions import NotFound, NotPermitted
from mash.roles import is_edt, is_mash_staff, is_team_staff
from referrals.models import Referral, ReferralChild
from referrals.restricted import without_restricted
from referrals.states import QUEUE_STATUSES, TERMINAL, Rag, Status
from security.break_glass import break_glass_referral_ids

from .deadlines import ALLOCATION_MEETING, SERIOUS_CONCERNS
from .decisions.cse import cse_matrix_expected
from .domestic_abuse.models import MaracReferral
from .models import Deadline
from .models_decisions import ChildDecision, ClaimEvent, CseRiskMatrix
from .permissions import ACTIONS, EARLY_HELP_STATUSES, allows
from .policy import current_policy
from .redecision import decided_child_ids, stepped_up_at
from .redecision import step_up_awaiting_decision as step_up_awaiting_decision  # for the decision page
from .redecision import step_up_reason as step_up_reason  # for the decision page

DA_GRADE_ORDER = {DomesticAbuseRisk.HIGH: 0, DomesticAbuseRisk.MEDIUM: 1, DomesticAbuseRisk.STANDARD: 2}


def _team_ids(user) -> QuerySet:
    return Team.objects.filter(Q(members=user) | Q(manager=user)).values("pk")


def require_triage_user(user) -> None:
    """The queues are for MASH staff and the council's team roles; anyone else is told so (403)."""
    if not (is_mash_staff(user) or is_team_staff(user)):
        raise NotPermitted("The triage queues are for MASH and council team staff.")


def referrals_visible_to(user) -> QuerySet[Referral]:
    """The referrals ``user`` may see. MASH staff see every referral; team roles see their teams'
    referrals (and social workers those allocated to them); the EDT sees what was flagged to it;
    a live break-glass grant adds its referral. Agency partners and performance officers see none
    here (they have their own views)."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    if is_mash_staff(user):
        return without_restricted(Referral.objects.all(), user)
    if not is_team_staff(user):
        return Referral.objects.none()
    # A live break-glass grant (reason stated, time-limited, reviewed) opens one referral more.
    visible = Q(team__in=_team_ids(user)) | Q(allocated_worker=user)
    visible |= Q(pk__in=break_glass_referral_ids(user))
    if is_edt(user):
        visible |= Q(edt_flag__isnull=False)
    return without_restricted(Referral.objects.filter(visible), user)


def access_referral(user, reference_or_id: str | int) -> Referral:
    """The referral by reference (or id), if ``user`` may see it; ``NotFound`` otherwise."""
    lookup = Q(reference=str(reference_or_id))
    # ASCII digits only: str.isdigit() also accepts "²" and other scripts' numerals, which int() refuses.
    if isinstance(reference_or_id, int) or re.fullmatch(r"[0-9]{1,18}", str(reference_or_id)):
        lookup |= Q(pk=int(reference_or_id))
    referral = (
        referrals_visible_to(user)
        .filter(lookup)
        .select_related("claimed_by", "team", "allocated_worker", "policy_version", "referrer_agency")
        .first()
    )
    if referral is None:
        raise NotFound("There is no referral with that reference that you can see.")
    return referral


def referral_read(
    user, reference_or_id: str | int, *, purpose: str, ip_address: str | None = None
) -> Referral:
    """Access a referral and record that ``user`` read it (if the audit row fails, so does the read)."""
    referral = access_referral(user, reference_or_id)
    audit.record_read("triage.referral_view", actor=user, obj=referral, reason=purpose, ip_address=ip_address)
    return referral


# --- the queues -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSearch:
    """A search of a queue: every part must match. References are matched anywhere in the
    reference; names anywhere in one child's first, last or other names; the date of birth exactly
    (name parts and the date all about the same child)."""

    references: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    date_of_birth: date | None = None

    def __bool__(self) -> bool:
        return bool(self.references or self.names or self.date_of_birth)


@dataclass(frozen=True)
class QueueFilters:
    statuses: tuple[str, ...] = ()
    rag: str = ""
    team_id: int | None = None
    overdue: bool | None = None
    out_of_hours: bool | None = None
    domestic_abuse: bool | None = None
    source: str = ""
    search: QueueSearch | None = None


@dataclass(frozen=True)
class EdtFilters:
    """``acknowledged``: False (the default) what waits for the EDT; True what the EDT has
    acknowledged and the day team has not yet taken; None both."""

    acknowledged: bool | None = False
    search: QueueSearch | None = None


def _matching(qs: QuerySet[Referral], search: QueueSearch | None) -> QuerySet[Referral]:
    """The referrals in ``qs`` that a search finds (case-insensitive; one EXISTS for the child)."""
    if not search:
        return qs
    for part in search.references:
        qs = qs.filter(reference__icontains=part)
    if search.names or search.date_of_birth:
        child = ReferralChild.objects.filter(referral=OuterRef("pk"))
        for part in search.names:
            child = child.filter(
                Q(first_name__icontains=part) | Q(last_name__icontains=part) | Q(other_names__icontains=part)
            )
        if search.date_of_birth:
            child = child.filter(date_of_birth=search.date_of_birth)
        qs = qs.filter(Exists(child))
    return qs


def _children_prefetch() -> Prefetch:
    # Only what a queue row shows: a constant two queries however many rows.
    return Prefetch(
        "children",
        queryset=ReferralChild.objects.only(
            "id", "referral_id", "first_name", "last_name", "date_of_birth", "expected_date_of_birth"
        ),
    )


def _serious_concerns_due() -> Subquery:
    # The open serious-concerns decision clock's due time, for the rows of one page only (a select-list
    # subquery is evaluated for the rows returned, so the queue's index order is untouched).
    clocks = Deadline.objects.filter(
        referral=OuterRef("pk"), kind=Deadline.Kind.DECISION, subject=SERIOUS_CONCERNS, met_at__isnull=True
    )
    return Subquery(clocks.values("due_at")[:1])


def _allocation_meeting_due() -> Subquery:
    # Early help's open clock to the weekly allocation meeting (Durham 001), named in its own line
    # like the serious-concerns clock: "time left" alone would not say the meeting is the deadline.
    clocks = Deadline.objects.filter(
        referral=OuterRef("pk"),
        kind=Deadline.Kind.ALLOCATION,
        subject=ALLOCATION_MEETING,
        met_at__isnull=True,
    )
    return Subquery(clocks.values("due_at")[:1])


def _queue_rows(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return (
        qs.select_related("claimed_by", "team", "edt_flag")
        .prefetch_related(_children_prefetch())
        .annotate(
            serious_concerns_due=_serious_concerns_due(), allocation_meeting_due=_allocation_meeting_due()
        )
    )


def referral_queue(
    user, filters: QueueFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Referral]:
    """The triage queue: open referrals ``user`` may see, nearest deadline first (an indexed column),
    then the oldest received; referrals with no clock yet come last."""
    require_triage_user(user)
    filters = filters or QueueFilters()
    now = now or timezone.now()
    qs = referrals_visible_to(user).filter(status__in=filters.statuses or tuple(QUEUE_STATUSES))
    if filters.rag:
        qs = qs.filter(rag=filters.rag)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.overdue is True:
        qs = qs.filter(next_due_at__lt=now)
    elif filters.overdue is False:
        qs = qs.exclude(next_due_at__lt=now)
    if filters.out_of_hours is not None:
        qs = qs.filter(out_of_hours=filters.out_of_hours)
    if filters.domestic_abuse is True:
        qs = qs.exclude(domestic_abuse_risk="")
    elif filters.domestic_abuse is False:
        qs = qs.filter(domestic_abuse_risk="")
    if filters.source:
        qs = qs.filter(source=filters.source)
    qs = _matching(qs, filters.search)
    return _queue_rows(qs).order_by(F("next_due_at").asc(nulls_last=True), "received_at", "pk")


def early_help_queue(user, search: QueueSearch | None = None) -> QuerySet[Referral]:
    """Green referrals held by an early help hub the user belongs to (MASH staff see every hub's)."""
    require_triage_user(user)
    qs = referrals_visible_to(user).filter(team__kind=Team.Kind.EARLY_HELP, status__in=EARLY_HELP_STATUSES)
    qs = _matching(qs, search)
    return _queue_rows(qs).order_by(F("next_due_at").asc(nulls_last=True), "received_at", "pk")


# The day team has taken a referral once someone has claimed it for screening (or it has moved on):
# until then an acknowledged EDT referral is still the EDT's to keep an eye on.
NOT_YET_TAKEN = Q(status=Status.RECEIVED, claimed_by__isnull=True)


def edt_queue(user, filters: EdtFilters | None = None) -> QuerySet[Referral]:
    """Referrals flagged to the emergency duty team, oldest flag first: by default those not yet
    acknowledged; acknowledged ones stay findable until the day team has taken them."""
    if not (is_edt(user) or is_mash_staff(user)):
        raise NotPermitted("Only the emergency duty team and MASH staff can see the EDT queue.")
    filters = filters or EdtFilters()
    waiting = Q(edt_flag__acknowledged_at__isnull=True)
    acknowledged = Q(edt_flag__acknowledged_at__isnull=False) & NOT_YET_TAKEN
    shown = {False: waiting, True: acknowledged, None: waiting | acknowledged}[filters.acknowledged]
    qs = referrals_visible_to(user).filter(Q(edt_flag__isnull=False) & shown)
    qs = _matching(qs, filters.search).select_related("edt_flag__acknowledged_by")
    return _queue_rows(qs).order_by("edt_flag__raised_at", "pk")


def domestic_abuse_queue(user, *, grade: str = "") -> QuerySet[Referral]:
    """Open domestic abuse notifications, highest risk grade first, then the nearest deadline."""
    if not is_mash_staff(user):
        raise NotPermitted("Only MASH staff can triage domestic abuse notifications.")
    qs = (
        referrals_visible_to(user)
        .exclude(domestic_abuse_risk="")
        .filter(status__in=(Status.RECEIVED, Status.SCREENING))
    )
    if grade:
        qs = qs.filter(domestic_abuse_risk=grade)
    grade_rank = Case(
        *(When(domestic_abuse_risk=g, then=Value(rank)) for g, rank in DA_GRADE_ORDER.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    # Whether a high-risk notification has been referred to MARAC, shown beside its grade.
    referred = Exists(MaracReferral.objects.filter(referral=OuterRef("pk")))
    return _queue_rows(qs.annotate(grade_rank=grade_rank, referred_to_marac=referred)).order_by(
        "grade_rank", F("next_due_at").asc(nulls_last=True), "received_at", "pk"
    )


# --- one referral's page --------------------------------------------------------------------


def referral_decisions(referral: Referral) -> list[ChildDecision]:
    """Every version of every child's decision, oldest first."""
    return list(
        ChildDecision.objects.filter(referral=referral)
        .select_related("child", "decided_by", "policy_version")
        .order_by("child_id", "version")
    )


def current_decisions(referral: Referral) -> dict[int, ChildDecision]:
    """child id -> the child's current decision."""
    rows = ChildDecision.objects.filter(referral=referral, is_current=True).select_related("decided_by")
    return {row.child_id: row for row in rows}


def children_to_decide(referral: Referral) -> list[tuple[ReferralChild, ChildDecision | None]]:
    """The children the threshold decision page asks about, each with the decision it will supersede:
    those not yet decided, or, after a step-up from early help, those not decided since it."""
    decided = decided_child_ids(referral, since=stepped_up_at(referral))
    current = current_decisions(referral)
    return [(child, current.get(child.pk)) for child in referral.children.all() if child.pk not in decided]


def referral_claim_history(referral: Referral) -> list[ClaimEvent]:
    return list(ClaimEvent.objects.filter(referral=referral).select_related("from_user", "to_user", "by"))


def referral_status_history(referral: Referral) -> list:
    return list(referral.status_changes.select_related("by").order_by("at", "id"))


def referral_deadlines(referral: Referral) -> list:
    return list(referral.deadlines.order_by("due_at"))


def cse_matrix_context(referral: Referral) -> dict:
    """What the referral page shows of the CSE risk matrix: the one recorded, whether it is missing,
    and the policy's rule (expected, or required before the decision)."""
    policy = current_policy()
    matrix = CseRiskMatrix.objects.select_related("recorded_by").filter(referral=referral).first()
    return {
        "cse_matrix": matrix,
        "cse_matrix_missing": matrix is None and cse_matrix_expected(policy, referral),
        "cse_matrix_rule": policy.cse_risk_matrix,
    }


def allowed_actions(user, referral: Referral) -> frozenset[str]:
    """What ``user`` may do to ``referral`` in its current state (the page shows exactly these): a
    read of ``triage.permissions.ACTIONS``, the table the actions themselves enforce."""
    if referral.status in TERMINAL:
        return frozenset()
    return frozenset(
        action for action, rule in ACTIONS.items() if rule.offered and allows(action, user, referral)
    )


def domestic_abuse_timescale(policy, grade: str) -> dict | None:
    return (policy.domestic_abuse_timescales or {}).get(grade) if policy else None


def rag_label(rag: str) -> str:
    return Rag(rag).label if rag else "Not yet rated"
