"""Stored due times: started when the state that starts a clock is entered, met when the work is done,
recomputed when the RAG changes. The sweeper (notifications) only reads them.

``Referral.next_due_at`` always holds the nearest open deadline, so the queue sorts on one indexed column.

Every ``started_at`` is the event itself (the referral's receipt, the allocation); the policy's
timescale decides whether out-of-hours time counts (``triage.policy.due_at``). Keeping the raw
event means a later recompute for Red can still run round the clock from the real receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidInput
from mash.models import AuditEvent
from referrals.models import Referral
from referrals.states import Rag

from .meetings import next_allocation_meeting
from .models import Deadline, PolicyVersion
from .models_decisions import RAG_SEVERITY
from .policy import due_at, rag_timescale

Kind = Deadline.Kind

# The clock that runs once a RAG is applied: how long the MASH has to deal with the referral (002:
# Red 4 h "straight to Strategy Discussion", Amber 24 h "information gathering and a MASH discussion",
# Green 72 h "straight to Early Intervention"). One clock, whose kind follows the RAG.
RAG_CLOCK_KINDS: dict[str, str] = {
    Rag.RED: Kind.STRATEGY_DISCUSSION,
    Rag.AMBER: Kind.MASH_DISCUSSION,
    Rag.GREEN: Kind.EARLY_HELP,
}
_RAG_OF_CLOCK = {kind: rag for rag, kind in RAG_CLOCK_KINDS.items()}
# The subject of the clock for holding the strategy discussion itself, once the referral is sent to
# one (004: "within 24 hours"); the Red RAG clock (subject "") is the time to get it there.
STRATEGY_MEETING = "strategy_meeting"
# The subject of the second decision clock a referral gets when the referrer says at intake that a
# child is at risk of significant harm (Durham 001: "no more than four hours where there are serious
# concerns"): it runs beside the ordinary one from receipt and the threshold decision meets both.
SERIOUS_CONCERNS = "serious_concerns"
# The subject of the clock from an early help referral's routing to the start of the weekly
# allocation meeting that considers it (Durham 001: "the relevant weekly allocation meeting").
ALLOCATION_MEETING = "allocation_meeting"
# How the pages name a clock's subject beside its kind: fixed subjects by name, per-object subjects
# ("informationrequest:12") by what comes before the colon.
SUBJECT_LABELS = {
    SERIOUS_CONCERNS: "serious concerns: significant harm indicated at intake",
    STRATEGY_MEETING: "holding it, from the decision to hold one",
    ALLOCATION_MEETING: "to the weekly allocation meeting",
    "informationrequest": "information request to a partner agency",
    "cpplan": "child protection plan",
}


def subject_label(subject: str) -> str:
    """A clock subject in words ("" for the referral's own clock): never the raw key."""
    if not subject:
        return ""
    key = subject.split(":", 1)[0]
    return SUBJECT_LABELS.get(subject) or SUBJECT_LABELS.get(key) or key.replace("_", " ")


# The social work teams whose allocated cases are overseen by their manager (004: "All social
# workers receive 10 day management oversight").
OVERSEEN_TEAM_KINDS = frozenset({Team.Kind.ASSESSMENT, Team.Kind.CASE_HOLDING})


def strategy_meeting_timescale(policy: PolicyVersion) -> dict[str, Any]:
    """The time from the decision to hold a strategy discussion to holding it (004: 24 hours),
    round the clock: a child at risk of significant harm does not wait for office hours."""
    return {"amount": policy.strategy_discussion_hours, "unit": "clock_hours"}


def oversight_clock_start(
    referral: Referral, *, policy: PolicyVersion, at: datetime, by: Actor = None
) -> Deadline | None:
    """Start the next management oversight clock of an allocated case of a social work team, when
    the policy has one (``management_oversight_working_days`` above 0). None otherwise."""
    if not policy.management_oversight_working_days or referral.team_id is None:
        return None
    if referral.team.kind not in OVERSEEN_TEAM_KINDS:
        return None
    return deadline_start(referral, Kind.MANAGEMENT_OVERSIGHT, policy=policy, start=at, by=by)


def timescale_for(kind: str, *, policy: PolicyVersion, referral: Referral) -> Mapping[str, Any]:
    """The policy's timescale for a kind of clock on this referral; InvalidInput when it has none."""
    working_days = {
        Kind.LETTER: policy.letter_deadline_working_days,
        Kind.VISIT: policy.visit_working_days,
        Kind.ASSESSMENT: policy.assessment_working_days,
        Kind.ICPC: policy.icpc_working_days,
        Kind.MANAGEMENT_OVERSIGHT: policy.management_oversight_working_days,
    }
    timescale: Mapping[str, Any] | None
    if kind == Kind.MANAGEMENT_OVERSIGHT and not policy.management_oversight_working_days:
        timescale = None  # 0 working days: the policy has no oversight clock
    elif kind in working_days:
        timescale = {"amount": working_days[kind], "unit": "working_days"}
    elif kind == Kind.DECISION:
        timescale = policy.decision_deadline
    elif kind == Kind.DOMESTIC_ABUSE_SCREENING:
        timescale = (policy.domestic_abuse_timescales or {}).get(referral.domestic_abuse_risk)
    elif kind == Kind.PARTNER_RESPONSE:
        timescale = (policy.partner_timescales or {}).get(referral.rag)
    elif kind == Kind.STRATEGY_DISCUSSION and referral.rag != Rag.RED:
        timescale = {"amount": policy.strategy_discussion_hours, "unit": "clock_hours"}
    elif kind in _RAG_OF_CLOCK:
        timescale = rag_timescale(policy, _RAG_OF_CLOCK[kind])
    else:
        timescale = None
    if not timescale:
        raise InvalidInput(
            f"The policy ({policy}) sets no timescale for a {Kind(kind).label.lower()} clock here."
        )
    return timescale


def allocation_meeting_clock_start(
    referral: Referral, *, policy: PolicyVersion, at: datetime, by: Actor = None
) -> Deadline | None:
    """A Green referral has gone to early help: its allocation is due at the start of the next
    weekly allocation meeting after ``at`` (Durham 001: "considered for allocation to a lead
    professional at the relevant weekly allocation meeting"), a bank holiday's meeting falling to
    the next week's (``triage.meetings``). None when the policy holds no such meeting."""
    due = next_allocation_meeting(policy, at)
    if due is None:
        return None
    with transaction.atomic():
        running = _open(referral).filter(kind=Kind.ALLOCATION, subject=ALLOCATION_MEETING).first()
        if running is not None:
            return running
        deadline = Deadline(
            referral=referral,
            kind=Kind.ALLOCATION,
            subject=ALLOCATION_MEETING,
            started_at=at,
            due_at=due,
            warn_at=_warn_at(policy, at, due),
            policy_version=policy if policy.pk else None,
            team_id=referral.team_id,
        )
        deadline.save()
        refresh_next_due(referral)
        _start_audit_event(deadline, policy=policy, by=by).save()
    return deadline


def allocation_meeting_clock_stop(referral: Referral, *, at: datetime, by: Actor = None) -> None:
    """The referral was allocated, or left early help (stepped up, or re-rated away from Green)."""
    deadline_meet(referral, Kind.ALLOCATION, at=at, subject=ALLOCATION_MEETING, by=by)


def letter_clock_start(
    policy: PolicyVersion, referral: Referral, *, decided_at: datetime, first_letter: bool
) -> datetime:
    """When the outcome letter's clock starts under ``policy.letter_clock_starts``: the referral's
    receipt (Durham 001: "within one working day of the referral being made"), or the decision the
    letter reports. Only the first letter counts from the receipt: a later one (after a step up and
    a fresh decision) reports a decision the referrer could not have been told of in that time."""
    if policy.letter_clock_starts == "referral_received" and first_letter:
        return referral.received_at
    return decided_at


def _warn_at(policy: PolicyVersion, started_at: datetime, due: datetime) -> datetime:
    return max(due - timedelta(minutes=policy.warning_lead_minutes), started_at)


def _open(referral: Referral):
    return Deadline.objects.filter(referral=referral, met_at__isnull=True)


def refresh_next_due(referral: Referral) -> datetime | None:
    """Keep ``Referral.next_due_at`` equal to the nearest open deadline (and the instance in step)."""
    nearest = _open(referral).aggregate(nearest=Min("due_at"))["nearest"]
    Referral.objects.filter(pk=referral.pk).update(next_due_at=nearest)
    referral.next_due_at = nearest
    return nearest


def deadline_start(
    referral: Referral,
    kind: str,
    *,
    policy: PolicyVersion,
    start: datetime | None = None,
    subject: str = "",
    timescale: Mapping[str, Any] | None = None,
    by: Actor = None,
) -> Deadline:
    """Start a clock of ``kind`` at ``start`` (default now) under ``policy``.

    Requires a timescale: ``timescale`` if given, else the policy's for that kind (InvalidInput if none).
    A clock already running for the same kind and subject is returned as it is: it is not restarted.
    Causes: a Deadline row, ``next_due_at`` refreshed, an audit row.
    """
    start = start or timezone.now()
    with transaction.atomic():
        running = _open(referral).filter(kind=kind, subject=subject).first()
        if running is not None:
            return running
        timescale = timescale or timescale_for(kind, policy=policy, referral=referral)
        deadline = _new_deadline(referral, kind, subject, timescale, policy=policy, start=start)
        deadline.save()
        refresh_next_due(referral)
        _start_audit_event(deadline, policy=policy, by=by).save()
    return deadline


def _new_deadline(
    referral: Referral, kind: str, subject: str, timescale: Mapping[str, Any], *, policy: PolicyVersion, start
) -> Deadline:
    """An unsaved clock of ``kind`` started at ``start``, due under ``policy``'s ``timescale``."""
    due = due_at(policy, timescale, start)
    return Deadline(
        referral=referral,
        kind=kind,
        subject=subject,
        started_at=start,
        due_at=due,
        warn_at=_warn_at(policy, start, due),
        policy_version=policy if policy.pk else None,
        team_id=referral.team_id,
    )


def _start_audit_event(deadline: Deadline, *, policy: PolicyVersion, by: Actor) -> AuditEvent:
    return audit.audit_event(
        AuditEvent.Kind.WRITE,
        "deadline.start",
        actor=by,
        obj=deadline,
        referral_id=deadline.referral_id,
        details={
            "kind": deadline.kind,
            "subject": deadline.subject,
            "due_at": deadline.due_at.isoformat(),
            "policy_version": policy.pk,
        },
    )


def deadline_meet(
    referral: Referral, kind: str, *, at: datetime | None = None, subject: str = "", by: Actor = None
) -> Deadline | None:
    """Stop the open clock of ``kind``/``subject`` at ``at`` (default now). Nothing open: nothing done.

    Causes: ``met_at`` stamped (the sweeper stops looking at it), ``next_due_at`` refreshed, an audit row.
    """
    at = at or timezone.now()
    with transaction.atomic():
        deadline = _open(referral).filter(kind=kind, subject=subject).first()
        if deadline is None:
            return None
        deadline.met_at = at
        deadline.save(update_fields=["met_at"])
        refresh_next_due(referral)
        audit.record_write(
            "deadline.meet",
            actor=by,
            obj=deadline,
            referral_id=referral.pk,
            details={"kind": kind, "subject": subject, "late": at > deadline.due_at},
        )
    return deadline


def deadlines_stop_all(referral: Referral, *, at: datetime, by: Actor = None) -> int:
    """Stop every open clock (the referral closed or was returned): nothing more is owed by the
    service's workers. An outcome letter is still owed to the referrer: its clock runs until sent."""
    stopped = 0
    for deadline in list(_open(referral).exclude(kind=Deadline.Kind.LETTER)):
        deadline_meet(referral, deadline.kind, at=at, subject=deadline.subject, by=by)
        stopped += 1
    return stopped


def deadlines_recompute_for_rag(
    referral: Referral, *, policy: PolicyVersion, previous_rag: str | None = None, by: Actor = None
) -> list[Deadline]:
    """Bring the open clocks in line with ``referral.rag`` under ``policy``.

    - the RAG clock (Red strategy discussion / Amber MASH discussion / Green early help) starts at the
      referral's receipt, or changes kind and due time when the RAG changes; Blue stops it;
    - an open decision clock is due no later than the RAG's timescale allows;
    - open partner-response clocks take the partner timescale of the new RAG.

    A step up (to a more severe RAG) never extends a deadline: each clock keeps the earlier of its
    old and new due times. A step down may give more time. ``previous_rag`` defaults to the RAG of
    the open RAG clock; when it cannot be known the change is treated as a step up (never later).
    Returns the deadlines that changed or started.
    """
    rag = referral.rag
    changed: list[Deadline] = []
    with transaction.atomic():
        rag_clock = _open(referral).filter(kind__in=_RAG_OF_CLOCK, subject="").first()
        if previous_rag is None and rag_clock is not None:
            previous_rag = _RAG_OF_CLOCK[rag_clock.kind]
        step_up = previous_rag is None or RAG_SEVERITY.get(rag, 0) >= RAG_SEVERITY.get(previous_rag, 0)
        changed += _recompute_rag_clock(referral, rag_clock, policy=policy, step_up=step_up, by=by)
        if rag != Rag.GREEN:  # re-rated away from early help: its allocation is no longer owed
            allocation_meeting_clock_stop(referral, at=timezone.now(), by=by)
        # The serious-concerns clock keeps its own timescale: a RAG never gives it more time.
        recomputed = _open(referral).filter(kind__in=(Kind.DECISION, Kind.PARTNER_RESPONSE))
        for deadline in recomputed.exclude(kind=Kind.DECISION, subject=SERIOUS_CONCERNS):
            timescales = _timescales_for_rag(deadline, referral, policy)
            if not timescales:
                continue
            new_due = min(due_at(policy, ts, deadline.started_at) for ts in timescales)
            if _move(deadline, new_due, policy=policy, step_up=step_up):
                changed.append(deadline)
        refresh_next_due(referral)
        if changed:
            audit.record_write(
                "deadline.recompute_for_rag",
                actor=by,
                obj=referral,
                details={
                    "rag": rag,
                    "previous_rag": previous_rag,
                    "policy_version": policy.pk,
                    "due": {f"{d.kind}:{d.subject}": d.due_at.isoformat() for d in changed},
                },
            )
    return changed


def rag_clock_restart(
    referral: Referral, *, rag: str, policy: PolicyVersion, start: datetime, by: Actor = None
) -> Deadline | None:
    """A new threshold decision after a step-up: the open RAG clock (early help's, usually) stops
    now, and the clock of the new ``rag`` starts at ``start`` (when the referral came back to the
    MASH: its old receipt says nothing about how long the new work may take). Blue starts none."""
    for clock in list(_open(referral).filter(kind__in=_RAG_OF_CLOCK, subject="")):
        deadline_meet(referral, clock.kind, by=by)
    kind = RAG_CLOCK_KINDS.get(rag)
    timescale = rag_timescale(policy, rag) if kind else None
    if timescale is None:
        return None
    return deadline_start(referral, kind, policy=policy, start=start, timescale=timescale, by=by)


def _timescales_for_rag(deadline: Deadline, referral: Referral, policy: PolicyVersion) -> list:
    rag = referral.rag
    if deadline.kind == Kind.PARTNER_RESPONSE:
        return [ts for ts in [(policy.partner_timescales or {}).get(rag)] if ts]
    # The decision: the policy's decision time, brought forward by the RAG's own (Durham 001: "no more
    # than four hours where there are serious concerns").
    return [ts for ts in (policy.decision_deadline, rag_timescale(policy, rag) if rag else None) if ts]


def _recompute_rag_clock(
    referral: Referral, clock: Deadline | None, *, policy: PolicyVersion, step_up: bool, by: Actor
) -> list[Deadline]:
    kind = RAG_CLOCK_KINDS.get(referral.rag)
    timescale = rag_timescale(policy, referral.rag) if kind else None
    if clock is None:
        already_ran = Deadline.objects.filter(referral=referral, kind__in=_RAG_OF_CLOCK, subject="").exists()
        if timescale is None or already_ran:  # Blue, or the RAG's work was already done
            return []
        return [
            deadline_start(
                referral, kind, policy=policy, start=referral.received_at, timescale=timescale, by=by
            )
        ]
    if timescale is None:  # stepped down to Blue: no MASH work is owed any more
        deadline_meet(referral, clock.kind, by=by)
        return []
    new_due = due_at(policy, timescale, clock.started_at)
    moved = _move(clock, new_due, policy=policy, step_up=step_up, save=False)
    if clock.kind != kind or moved:
        clock.kind = kind
        clock.save(update_fields=["kind", "due_at", "warn_at", "breached_at", "policy_version"])
        return [clock]
    return []


def _move(
    deadline: Deadline, new_due: datetime, *, policy: PolicyVersion, step_up: bool, save: bool = True
) -> bool:
    """Set a new due time; on a step up, only ever an earlier one. True when it moved."""
    if step_up:
        new_due = min(new_due, deadline.due_at)
    if new_due == deadline.due_at:
        return False
    deadline.due_at = new_due
    deadline.warn_at = _warn_at(policy, deadline.started_at, new_due)
    # A warning already raised for the old time stays raised; a breach is judged on the new time.
    if deadline.breached_at and new_due > deadline.breached_at:
        deadline.breached_at = None
    deadline.policy_version = policy if policy.pk else None
    if save:
        deadline.save(update_fields=["due_at", "warn_at", "breached_at", "policy_version"])
    return True


def decision_clocks_meet(referral: Referral, *, at: datetime, by: Actor = None) -> None:
    """The threshold decision (or routing to a known case) meets both decision clocks: the ordinary
    one and, where it runs, the serious-concerns one."""
    for subject in ("", SERIOUS_CONCERNS):
        deadline_meet(referral, Kind.DECISION, at=at, subject=subject, by=by)


def serious_concerns_clock_start(
    referral: Referral, *, policy: PolicyVersion, by: Actor = None
) -> Deadline | None:
    """Start the serious-concerns decision clock at the referral's receipt, under the policy's
    ``serious_concerns_decision`` timescale (Durham: 4 clock hours). None when the policy sets none."""
    timescale = policy.serious_concerns_decision
    if not timescale:
        return None
    return deadline_start(
        referral,
        Kind.DECISION,
        policy=policy,
        start=referral.received_at,
        subject=SERIOUS_CONCERNS,
        timescale=timescale,
        by=by,
    )


def serious_concerns_clock(referral: Referral) -> Deadline | None:
    """The referral's serious-concerns decision clock, open or met (None when it never had one)."""
    return Deadline.objects.filter(referral=referral, kind=Kind.DECISION, subject=SERIOUS_CONCERNS).first()


def referral_clocks_start(referral: Referral, *, policy: PolicyVersion, by: Actor = None) -> list[Deadline]:
    """The clocks a new referral starts on receipt: the threshold decision, and domestic abuse
    screening when a risk grade came with it. Called by the intake inside its transaction."""
    started = [deadline_start(referral, Kind.DECISION, policy=policy, start=referral.received_at, by=by)]
    if referral.domestic_abuse_risk:
        started.append(
            deadline_start(
                referral, Kind.DOMESTIC_ABUSE_SCREENING, policy=policy, start=referral.received_at, by=by
            )
        )
    return started


def receipt_clocks_start(
    referral: Referral, clocks: list[tuple[str, str, Mapping[str, Any]]], *, policy: PolicyVersion, by: Actor
) -> list[AuditEvent]:
    """Start a new referral's clocks in the intake transaction in a fixed number of statements,
    whatever their number: one INSERT of the clocks, one UPDATE of ``next_due_at``. ``clocks`` are
    (kind, subject, timescale). A referral created in this transaction has no clock running, so
    nothing is looked up first. Returns their audit rows, unsaved, for the caller to save with its
    own in one INSERT (``mash.audit.record_many``).
    """
    start = referral.received_at
    deadlines = [
        _new_deadline(referral, kind, subject, timescale, policy=policy, start=start)
        for kind, subject, timescale in clocks
    ]
    if not deadlines:
        return []
    Deadline.objects.bulk_create(deadlines)
    nearest = min(deadline.due_at for deadline in deadlines)
    Referral.objects.filter(pk=referral.pk).update(next_due_at=nearest)
    referral.next_due_at = nearest
    return [_start_audit_event(deadline, policy=policy, by=by) for deadline in deadlines]


def clocks_for_allocation(
    referral: Referral, *, policy: PolicyVersion, at: datetime, by: Actor = None
) -> list[Deadline]:
    """Allocated to an assessment team: the visit (004: within 5 working days of allocation) and the
    assessment (Working Together: 45 working days from the referral) are due; to a social work team,
    the first management oversight (004: every 10 working days). Other teams: none."""
    if referral.team_id is None:
        return []
    started = [oversight_clock_start(referral, policy=policy, at=at, by=by)]
    if referral.team.kind == Team.Kind.ASSESSMENT:
        started += [
            deadline_start(referral, Kind.VISIT, policy=policy, start=at, by=by),
            deadline_start(referral, Kind.ASSESSMENT, policy=policy, start=referral.received_at, by=by),
        ]
    return [deadline for deadline in started if deadline is not None]
