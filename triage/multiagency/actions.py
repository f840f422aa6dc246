"""Every write after information gathering: the MASH discussion, the strategy discussion, the
outcome, the allocation to a worker, and professional challenges.

Each action is one transaction: the referral row is locked, the move is checked against the
lifecycle (``referral_transition``), the record and an audit row are written, clocks start or stop,
and letters go through the outbox on commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agencies.models import Agency, Team
from mash import audit
from mash.actor import Actor
from mash.codes import PrimaryNeed
from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.links import absolute_url
from mash.outbox.delivery import handler, outbox_enqueue
from mash.outbox.models import OutboxMessage
from mash.roles import is_mash_lead
from referrals.models import Referral
from referrals.states import Rag, Status
from triage import deadlines
from triage.actions import referral_assign, referral_lock, referral_transition
from triage.decisions import ChildDecisionInput, referral_change_rag
from triage.models import Deadline
from triage.models_decisions import ChildDecision
from triage.multiagency.models import (
    Allocation,
    Challenge,
    DiscussionContribution,
    MashDiscussion,
    Outcome,
    StrategyDiscussion,
)
from triage.multiagency.rota import suggested_team
from triage.permissions import require, require_role, require_state
from triage.policy import policy_for
from triage.signals import outcome_decided

Attendees = Sequence[Mapping[str, str]]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _clean_attendees(attendees: Attendees) -> list[dict[str, str]]:
    rows = [{"name": _text(a.get("name")), "agency": _text(a.get("agency"))} for a in attendees]
    rows = [row for row in rows if row["name"]]
    if not rows:
        raise InvalidInput("Record who attended.")
    missing = [row["name"] for row in rows if not row["agency"]]
    if missing:
        raise InvalidInput(f"Say which agency or team each attendee represented ({', '.join(missing)}).")
    return rows


def _check_held_at(held_at: datetime | None, referral: Referral, now: datetime) -> None:
    if held_at is None or timezone.is_naive(held_at):
        raise InvalidInput("Enter when the discussion took place.")
    if held_at > now:
        raise InvalidInput("The discussion cannot be in the future.")
    if held_at < referral.received_at:
        raise InvalidInput("The discussion cannot be before the referral was received.")


# --- the MASH discussion ------------------------------------------------------------------------


def mash_discussion_record(
    referral: Referral,
    *,
    held_at: datetime,
    attendees: Attendees,
    summary: str,
    level_of_need: int,
    rag_after: str,
    rag_change_reason: str = "",
    contributions: Mapping[int, str] | None = None,
    by: Actor,
    now: datetime | None = None,
) -> MashDiscussion:
    """Record the multi-agency discussion of a Red or Amber referral.

    Requires: a MASH lead; the referral in information gathering; attendees with their agency; a
    summary; a level of need 1-4; the RAG confirmed or changed (a change needs a reason and, per
    child, passes the threshold rules of ``triage.decisions.referral_change_rag``).
    Causes: the discussion with each agency's contribution, the referral in MASH discussion, a RAG
    change written through the threshold decision's action (so every child's version history keeps
    the reason), the MASH discussion clock met, an audit row.
    """
    require_role("mash_discussion", by)
    now = now or timezone.now()
    people = _clean_attendees(attendees)
    if not _text(summary):
        raise InvalidInput("Summarise the discussion.")
    if level_of_need not in (1, 2, 3, 4):
        raise InvalidInput("The level of need must be 1, 2, 3 or 4.")
    if rag_after not in Rag.values:
        raise InvalidInput("Confirm the RAG rating or choose the new one.")
    with transaction.atomic():
        locked = referral_lock(referral)
        _check_held_at(held_at, locked, now)
        require_state("mash_discussion", locked)
        rag_before = locked.rag
        if rag_after != rag_before:
            if not _text(rag_change_reason):
                raise InvalidInput("Give the reason for changing the RAG rating.")
            _change_rag(locked, rag_after, _text(rag_change_reason), level_of_need, by)
        discussion = MashDiscussion.objects.create(
            referral=locked,
            held_at=held_at,
            attendees=people,
            summary=_text(summary),
            level_of_need=level_of_need,
            rag_before=rag_before,
            rag_after=rag_after,
            rag_change_reason=_text(rag_change_reason),
            recorded_by=by,
            recorded_at=now,
        )
        _save_contributions(discussion, contributions or {})
        locked.refresh_from_db()
        referral_transition(
            locked, to=Status.MASH_DISCUSSION, by=by, reason="MASH discussion held", policy=policy_for(locked)
        )
        deadlines.deadline_meet(locked, Deadline.Kind.MASH_DISCUSSION, at=now, by=by)
        audit.record_write(
            "triage.mash_discussion",
            actor=by,
            obj=discussion,
            details={"rag_before": rag_before, "rag_after": rag_after, "level_of_need": level_of_need},
        )
    return discussion


def _save_contributions(discussion: MashDiscussion, contributions: Mapping[int, str]) -> None:
    texts = {int(agency_id): _text(text) for agency_id, text in contributions.items() if _text(text)}
    agencies = Agency.objects.in_bulk(list(texts))
    if set(texts) - set(agencies):
        raise InvalidInput("A contribution names an agency that does not exist.")
    DiscussionContribution.objects.bulk_create(
        DiscussionContribution(discussion=discussion, agency=agencies[pk], contribution=text)
        for pk, text in texts.items()
    )


def _change_rag(referral: Referral, rag: str, reason: str, level_of_need: int, by: Actor) -> None:
    """Every child whose current rating differs takes the discussion's RAG, through the threshold
    decision's own change of rating (so each child's version history keeps the reason)."""
    current = list(ChildDecision.objects.filter(referral=referral, is_current=True).exclude(rag=rag))
    if not current:
        raise Conflict("No child has a threshold decision to change.")
    for old in current:
        referral_change_rag(
            referral,
            decision=ChildDecisionInput(
                child_id=old.child_id,
                rag=rag,
                level_of_need=level_of_need,
                rationale=reason,
                consent_basis=old.consent_basis,
                consent_reason=old.consent_reason,
                primary_need=old.primary_need,
                advice_given=old.advice_given,
            ),
            reason=f"MASH discussion: {reason}",
            by=by,
        )


# --- the strategy discussion --------------------------------------------------------------------


def strategy_discussion_record(
    referral: Referral,
    *,
    held_at: datetime,
    attendees: Attendees,
    s47_enquiry: bool,
    decision_rationale: str,
    immediate_safety_actions: str = "",
    by: Actor,
    now: datetime | None = None,
) -> StrategyDiscussion:
    """Record the strategy discussion decided on (``triage.multiagency.strategy``).

    Requires: the decision to hold it made and the discussion not yet recorded; before the outcome a
    MASH lead (the referral in strategy discussion, Red); once allocated, the receiving team's
    manager; attendees by agency; the S47 decision with its rationale. Causes: the record, the
    strategy discussion clock (started by the decision) met, an audit row. The ICPC clock starts
    from this discussion's date when an S47 enquiry was decided: at allocation, or now when the
    referral is already allocated.
    """
    now = now or timezone.now()
    people = _clean_attendees(attendees)
    if not _text(decision_rationale):
        raise InvalidInput("Record why the discussion did or did not decide on a section 47 enquiry.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require("strategy_discussion", by, locked)
        _check_held_at(held_at, locked, now)
        decided_at = locked.strategy_decision.decided_at.replace(second=0, microsecond=0)
        if held_at < decided_at:
            raise InvalidInput("The discussion cannot be before the decision to hold it.")
        record = StrategyDiscussion.objects.create(
            referral=locked,
            held_at=held_at,
            attendees=people,
            s47_enquiry=bool(s47_enquiry),
            decision_rationale=_text(decision_rationale),
            immediate_safety_actions=_text(immediate_safety_actions),
            recorded_by=by,
            recorded_at=now,
        )
        deadlines.deadline_meet(
            locked, Deadline.Kind.STRATEGY_DISCUSSION, subject=deadlines.STRATEGY_MEETING, at=held_at, by=by
        )
        if locked.status == Status.ALLOCATED and record.s47_enquiry:
            _start_team_clocks(locked, now=now, by=by)
        audit.record_write(
            "triage.strategy_discussion", actor=by, obj=record, details={"s47_enquiry": bool(s47_enquiry)}
        )
    return record


# --- the outcome --------------------------------------------------------------------------------


def _check_outcome(
    destination: str, primary_need: str, team: Team | None, lead_agency: Agency | None
) -> None:
    if destination not in Outcome.Destination.values:
        raise InvalidInput("Choose where the referral goes next.")
    if primary_need and primary_need not in PrimaryNeed.values:
        raise InvalidInput("The primary need code is not one of the CIN census codes.")
    if destination in Outcome.NEED_CODE_DESTINATIONS and not primary_need:
        raise InvalidInput("Choose the primary need code: the referral goes on as a child in need episode.")
    if destination in Outcome.TEAM_DESTINATIONS and (team is None or not team.is_active):
        raise InvalidInput("Choose the team the referral goes to.")
    if destination not in Outcome.TEAM_DESTINATIONS and team is not None:
        raise InvalidInput("Only strategy, assessment and early help outcomes go to a council team.")
    if destination == Outcome.Destination.OTHER_AGENCY_LEAD and lead_agency is None:
        raise InvalidInput("Choose the agency that will be the lead professional.")


def outcome_record(
    referral: Referral,
    *,
    destination: str,
    rationale: str,
    recommendation: str,
    primary_need: str = "",
    team: Team | None = None,
    lead_agency: Agency | None = None,
    by: Actor,
    now: datetime | None = None,
) -> Outcome:
    """Record where the referral goes next.

    Requires: a MASH lead; the referral decided or discussed; a destination; rationale and
    recommendation; the statutory primary need code for S47 and S17 outcomes; a team for team
    destinations; a lead agency for "another agency as lead professional". A Red referral goes to a
    strategy discussion or assessment, never straight to no further action without a discussion.
    With no team named, S17 and S47 work goes to today's duty team where the policy says so
    (``triage.multiagency.rota.suggested_team``).
    Causes: the outcome; the referral in OUTCOME with its team (waiting in the team manager's queue),
    or CLOSED when it goes to no team; the outcome letter queued in this transaction; an
    audit row.
    """
    require_role("record_outcome", by)
    now = now or timezone.now()
    if team is None:
        # Where the policy allocates by the duty rota, new S17 and S47 work the lead names no team
        # for goes to the assessment team on duty today.
        team = suggested_team(policy_for(referral), destination, now)
    _check_outcome(destination, primary_need, team, lead_agency)
    if not _text(rationale) or not _text(recommendation):
        raise InvalidInput("Record the rationale and the recommendation.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("record_outcome", locked)
        outcome = Outcome.objects.create(
            referral=locked,
            destination=destination,
            primary_need=primary_need,
            rationale=_text(rationale),
            recommendation=_text(recommendation),
            team=team,
            lead_agency=lead_agency,
            decided_by=by,
            decided_at=now,
        )
        policy = policy_for(locked)
        if team is not None:
            referral_assign(locked, team=team, by=by, reason=outcome.get_destination_display())
        referral_transition(
            locked, to=Status.OUTCOME, by=by, reason=outcome.get_destination_display(), policy=policy
        )
        if team is None:
            referral_transition(
                locked,
                to=Status.CLOSED,
                by=by,
                reason=f"Outcome: {outcome.get_destination_display()}",
                policy=policy,
            )
        audit.record_write(
            "triage.outcome",
            actor=by,
            obj=outcome,
            reason=_text(rationale),
            details={
                "destination": destination,
                "primary_need": primary_need,
                "team": team.slug if team else "",
            },
        )
        _enqueue_letter(locked, by)
    return outcome


def _enqueue_letter(referral: Referral, by: Actor) -> None:
    outcome_decided.send(sender=outcome_record, referral=referral, by=by, outcome=None, decided_at=None)


# --- allocation ---------------------------------------------------------------------------------


def referral_allocate(
    referral: Referral, *, worker: Any, note: str = "", by: Actor, now: datetime | None = None
) -> Allocation:
    """The receiving team's manager allocates the referral to a worker of the team.

    Requires: the manager of the referral's team; the referral with an outcome (or already
    allocated: a reallocation); a worker who is a member (or the manager) of the team.
    Causes: the allocation, the referral's worker, the referral ALLOCATED; on first allocation the
    clocks continue: visit (policy working days from now) and assessment (working days from the
    referral) for an assessment team, started by the lifecycle, and ICPC (working days from the
    strategy discussion) when S47 was decided; an audit row.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = referral_lock(referral)
        require("allocate", by, locked)
        team = locked.team
        if worker is None or not (team.members.filter(pk=worker.pk).exists() or worker.pk == team.manager_id):
            raise InvalidInput("Choose a worker in the team.")
        allocation = Allocation.objects.create(
            referral=locked, team=team, worker=worker, allocated_by=by, allocated_at=now, note=_text(note)
        )
        first = locked.status == Status.OUTCOME
        referral_assign(locked, allocated_worker=worker, by=by, reason=_text(note))
        if first:
            referral_transition(
                locked,
                to=Status.ALLOCATED,
                by=by,
                reason=f"Allocated to {worker.display_name}",
                policy=policy_for(locked),
            )
            _start_team_clocks(locked, now=now, by=by)
        audit.record_write(
            "triage.allocate",
            actor=by,
            obj=allocation,
            reason=_text(note),
            details={"worker": worker.get_username(), "team": team.slug, "reallocation": not first},
        )
    return allocation


def _start_team_clocks(referral: Referral, *, now: datetime, by: Actor) -> None:
    # Entering ALLOCATED already started the visit and assessment clocks for an assessment team
    # (triage.deadlines.clocks_for_allocation); what only this module knows is the strategy discussion.
    policy = policy_for(referral)
    strategy = StrategyDiscussion.objects.filter(referral=referral, s47_enquiry=True).first()
    if strategy is not None:
        deadlines.deadline_start(referral, Deadline.Kind.ICPC, start=strategy.held_at, policy=policy, by=by)


# --- professional challenge ---------------------------------------------------------------------

CHALLENGE_SUBMITTED = "challenge_submitted"


def challenge_submit(*, reference: str, email: str, name: str, reasons: str) -> None:
    """The public challenge page's action: keep the challenge to be matched by the worker.

    Requires: a name, an e-mail address and reasons. Causes: one outbox row holding what was sent,
    written the same way whatever the reference and e-mail are, and its delivery queued on commit.
    Matching the referral is :func:`challenge_raise`, run by the worker, so the page does the same
    work (and takes the same time) whether or not they match. The row commits here, so a broker
    that is down loses nothing: the sweeper publishes it again.
    """
    sent = {"reference": reference, "email": email, "name": name, "reasons": reasons}
    sent = {field: _text(value) for field, value in sent.items()}
    if not sent["name"] or not sent["reasons"] or not sent["email"]:
        raise InvalidInput("Enter your name, your e-mail address and why you disagree.")
    outbox_enqueue(
        CHALLENGE_SUBMITTED,
        key=f"challenge:submitted:{uuid4().hex}",
        payload={**sent, "submitted_at": timezone.now().isoformat()},
    )


def _match_submitted_challenge(message: OutboxMessage) -> None:
    submitted = message.payload
    challenge_raise(
        reference=submitted["reference"],
        email=submitted["email"],
        name=submitted["name"],
        reasons=submitted["reasons"],
        now=parse_datetime(submitted["submitted_at"]),
    )
    # What was sent is kept on the challenge when it matched; one that matched nothing is not kept.
    OutboxMessage.objects.filter(pk=message.pk).update(payload={})


@handler(CHALLENGE_SUBMITTED, on_sent=_match_submitted_challenge)
def _nothing_to_hand_over(message: OutboxMessage) -> None:
    """A submitted challenge goes to no other system: matching it is a write, which the outbox
    makes in ``on_sent`` (:func:`_match_submitted_challenge`), in the transaction that marks the
    row done, so the challenge is raised exactly once however often the task runs."""


def challenge_raise(
    *, reference: str, email: str, name: str, reasons: str, now: datetime | None = None
) -> Challenge | None:
    """A professional referrer disagrees with the outcome (run by the worker for each challenge
    the public page kept, :func:`challenge_submit`).

    Requires: the reference and the referrer's e-mail as the referral records them, an outcome, and
    the name and reasons. Causes: a challenge in the receiving team manager's queue (the MASH's when
    the outcome went to no team) and an audit row. Returns None when nothing matches; the page has
    answered long before, the same either way, so it cannot be used to discover references.
    """
    name, reasons, email = _text(name), _text(reasons), _text(email)
    if not name or not reasons or not email:
        raise InvalidInput("Enter your name, your e-mail address and why you disagree.")
    now = now or timezone.now()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .filter(
                reference__iexact=_text(reference),
                referrer_email__iexact=email,
                referrer_type=Referral.ReferrerType.PROFESSIONAL,
            )
            .exclude(referrer_email="")
            .first()
        )
        if referral is None or not Outcome.objects.filter(referral=referral).exists():
            return None
        challenge = Challenge.objects.create(
            referral=referral,
            team=referral.team,
            raised_by_name=name,
            raised_by_email=email,
            reasons=reasons,
            raised_at=now,
        )
        audit.record_write("triage.challenge_raise", actor=audit.PUBLIC, obj=challenge, reason=reasons)
        _tell_about_challenge(challenge)
    return challenge


def _tell_about_challenge(challenge: Challenge) -> None:
    """E-mail the receiving team's manager (or the MASH team) that a challenge waits; no child data."""
    team = challenge.team
    if team is not None:
        to = team.manager.email if team.manager_id and team.manager.email else team.email
    else:
        mash = Team.objects.filter(kind=Team.Kind.MASH, is_active=True).first()
        to = mash.email if mash else ""
    if not to:
        return
    link = absolute_url("multiagency:challenge_respond", public_id=challenge.public_id)
    outbox_enqueue(
        "email",
        key=f"challenge:{challenge.pk}:raised",
        referral=challenge.referral,
        payload={
            "to": to,
            "subject": "A professional has challenged a MASH outcome",
            "body": f"A challenge to the outcome of {challenge.referral.reference} is waiting: {link}",
        },
    )


def challenge_respond(
    challenge: Challenge, *, response: str, by: Actor, now: datetime | None = None
) -> Challenge:
    """The team manager (or, for a challenge with no team, a MASH lead) answers a challenge.
    Requires an open challenge and a response. Causes: the challenge responded, an audit row."""
    if not _text(response):
        raise InvalidInput("Write your response to the challenge.")
    now = now or timezone.now()
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",)).select_related("team").get(pk=challenge.pk)
        )
        allowed = (
            is_mash_lead(by)
            if challenge.team is None
            else challenge.team.manager_id == getattr(by, "pk", None)
        )
        if not allowed:
            raise NotPermitted("Only the receiving team's manager can respond to this challenge.")
        if challenge.status != Challenge.Status.OPEN:
            raise Conflict("This challenge has already been responded to.")
        challenge.status, challenge.response = Challenge.Status.RESPONDED, _text(response)
        challenge.responded_by, challenge.responded_at = by, now
        challenge.save(update_fields=["status", "response", "responded_by", "responded_at"])
        audit.record_write("triage.challenge_respond", actor=by, obj=challenge, reason=challenge.response)
    return challenge
