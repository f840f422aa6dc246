"""The decision to hold a strategy discussion, and the invitations it sends.

004: "Once a decision has been made for a strat discussion all involved professionals will be sent
an invite and a strat discussion should take place within 24 hours." The decision starts the clock
for holding it (the policy's ``strategy_discussion_hours``, round the clock); recording the
discussion (``triage.multiagency.actions.strategy_discussion_record``) meets it. A MASH lead decides
before the outcome (the referral moves to STRATEGY_DISCUSSION); once the referral is allocated, the
receiving team's manager may decide (004: the assessment team considers a strategy discussion), and
the referral stays allocated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from agencies.models import Agency
from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidInput
from mash.outbox.delivery import outbox_enqueue
from referrals.models import Referral
from referrals.states import Status
from triage import deadlines
from triage.actions import referral_lock, referral_transition
from triage.models import Deadline
from triage.multiagency.models import InformationRequest, StrategyDiscussionDecision, StrategyInvitation
from triage.permissions import require
from triage.policy import policy_for

Invitee = StrategyInvitation.Invitee


@dataclass(frozen=True)
class _Invitee:
    invitee: str
    name: str
    email: str
    agency: Agency | None = None
    team_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.invitee}:{self.agency.pk if self.agency else self.team_id or 'referrer'}"


def involved_professionals(referral: Referral) -> tuple[list[_Invitee], list[str]]:
    """Who is invited: the referrer when a professional, every agency asked for information on the
    referral, and the team holding it. Returns (those with an e-mail address, the names of those
    without one, who cannot be invited by e-mail)."""
    found: list[_Invitee] = []
    if referral.referrer_type == Referral.ReferrerType.PROFESSIONAL:
        name = referral.referrer_name or referral.referrer_organisation or "The referrer"
        found.append(_Invitee(Invitee.REFERRER, name, referral.referrer_email))
    asked = InformationRequest.objects.filter(referral=referral).values("agency")
    for agency in Agency.objects.filter(pk__in=asked).order_by("name"):
        found.append(_Invitee(Invitee.AGENCY, agency.name, agency.email, agency=agency))
    team = referral.team
    if team is not None:
        email = team.email or (team.manager.email if team.manager_id else "")
        found.append(_Invitee(Invitee.TEAM, team.name, email, team_id=team.pk))
    return [p for p in found if p.email], [p.name for p in found if not p.email]


def _invite(decision: StrategyDiscussionDecision, person: _Invitee, now: datetime) -> StrategyInvitation:
    referral = decision.referral
    key = f"strategy:{decision.pk}:invite:{person.key}"
    due = date_format(timezone.localtime(decision.due_at), "j F Y, H:i")
    # No child's data in the e-mail: the reference, the deadline and who to contact.
    contact = referral.team or None
    reach = f"{contact.name}, {contact.phone or contact.email}" if contact else "the MASH"
    outbox_enqueue(
        "email",
        key=key,
        referral=referral,
        payload={
            "to": person.email,
            "subject": f"Invitation to a strategy discussion: referral {referral.reference}",
            "body": (
                f"A strategy discussion about referral {referral.reference} is to be held by {due}.\n"
                f"You are invited as {Invitee(person.invitee).label.lower()}. "
                f"For the time and how to join, contact {reach}."
            ),
        },
    )
    return StrategyInvitation.objects.create(
        decision=decision,
        invitee=person.invitee,
        name=person.name,
        email=person.email,
        agency=person.agency,
        team_id=person.team_id,
        outbox_key=key,
        invited_at=now,
    )


def strategy_discussion_decide(
    referral: Referral, *, reason: str, by: Actor, now: datetime | None = None
) -> StrategyDiscussionDecision:
    """Decide to hold a strategy discussion.

    Requires: before the outcome a MASH lead and a Red referral decided, gathering or discussed;
    once allocated, the receiving team's manager; no earlier decision on the referral; a reason.
    Causes: the decision; before the outcome the referral in STRATEGY_DISCUSSION (the lifecycle meets
    the RAG clock); the strategy discussion clock started now, due in the policy's hours; an e-mail
    invitation to every involved professional through the outbox, each recorded; an audit row.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason a strategy discussion is to be held.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = referral_lock(referral)
        require("decide_strategy_discussion", by, locked)
        policy = policy_for(locked)
        allocated = locked.status == Status.ALLOCATED
        if allocated:
            clock = deadlines.deadline_start(
                locked,
                Deadline.Kind.STRATEGY_DISCUSSION,
                policy=policy,
                start=now,
                subject=deadlines.STRATEGY_MEETING,
                timescale=deadlines.strategy_meeting_timescale(policy),
                by=by,
            )
        else:
            referral_transition(
                locked,
                to=Status.STRATEGY_DISCUSSION,
                by=by,
                reason=f"Strategy discussion: {reason}",
                policy=policy,
            )
            clock = Deadline.objects.get(
                referral=locked,
                kind=Deadline.Kind.STRATEGY_DISCUSSION,
                subject=deadlines.STRATEGY_MEETING,
                met_at__isnull=True,
            )
        decision = StrategyDiscussionDecision.objects.create(
            referral=locked,
            stage=StrategyDiscussionDecision.Stage.TEAM
            if allocated
            else StrategyDiscussionDecision.Stage.MASH,
            reason=reason,
            decided_by=by,
            # The clock's own start (the lifecycle's moment of the move, before the outcome).
            decided_at=clock.started_at,
            due_at=clock.due_at,
        )
        invited, without_email = involved_professionals(locked)
        invitations = [_invite(decision, person, clock.started_at) for person in invited]
        audit.record_write(
            "triage.strategy_discussion_decide",
            actor=by,
            obj=decision,
            reason=reason,
            details={
                "due_at": clock.due_at.isoformat(),
                "invited": [f"{i.invitee}:{i.name}" for i in invitations],
                "no_email_address": without_email,
            },
        )
    return decision
