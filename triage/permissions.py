"""Which action each status, RAG and role allows: declared once, beside the lifecycle (referrals.states).

For every action on a referral the table says the statuses it is taken from, the RAGs it is for
(when it depends on one), who may take it (a role from ``mash.roles``, or a named check of the user
against the referral) and any further condition on the referral. ``allowed_actions`` (what the
referral page and the API offer) and ``require`` (what the action itself enforces, with the domain
error it raises) both read it, so the page and the action cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from agencies.models import Team
from mash.exceptions import Conflict, DomainError, InvalidTransition, NotPermitted
from mash.roles import is_edt, is_mash_lead, is_mash_staff
from referrals.models import Referral
from referrals.states import QUEUE_STATUSES, TERMINAL, TRANSITIONS, Rag, Status

from .models_decisions import CseRiskMatrix
from .policy import policy_for
from .redecision import stepped_up_at

# --- who: checks of the user (against the referral, where the role alone does not say) -----------


def mash_staff(user: Any, referral: Referral) -> bool:
    return is_mash_staff(user)


def mash_lead(user: Any, referral: Referral) -> bool:
    return is_mash_lead(user)


def emergency_duty(user: Any, referral: Referral) -> bool:
    return is_edt(user)


def claimant_or_lead(user: Any, referral: Referral) -> bool:
    return is_mash_staff(user) and (referral.claimed_by_id == user.pk or is_mash_lead(user))


def is_team_member(user: Any, team_id: int | None) -> bool:
    if not team_id or not getattr(user, "is_authenticated", False):
        return False
    return Team.objects.filter(Q(members=user) | Q(manager=user), pk=team_id).exists()


def in_early_help(referral: Referral) -> bool:
    return referral.team_id is not None and referral.team.kind == Team.Kind.EARLY_HELP


def early_help_holder_or_lead(user: Any, referral: Referral) -> bool:
    """A member or manager of the early help hub holding the referral, or a MASH lead."""
    return is_mash_lead(user) or is_team_member(user, referral.team_id)


def team_manager(user: Any, referral: Referral) -> bool:
    """The manager of the team the referral went to."""
    return referral.team_id is not None and referral.team.manager_id == getattr(user, "pk", None)


def allocated_worker_or_manager(user: Any, referral: Referral) -> bool:
    """The allocated worker, or the manager of the referral's team (the allocation's own check)."""
    pk = getattr(user, "pk", None)
    if pk is None or not getattr(user, "is_authenticated", False) or referral.allocated_worker_id is None:
        return False
    return pk == referral.allocated_worker_id or team_manager(user, referral)


def mash_lead_or_allocated_team_manager(user: Any, referral: Referral) -> bool:
    """Before the outcome a MASH lead; once allocated, the receiving team's manager (004: the
    assessment team reviews the referral and considers a strategy discussion)."""
    if referral.status == Status.ALLOCATED:
        return team_manager(user, referral)
    return is_mash_lead(user)


# --- further conditions on the referral, each with the error that refuses it -------------------


@dataclass(frozen=True)
class Condition:
    holds: Callable[[Referral], bool]
    error: type[DomainError]
    message: str  # formatted with the referral's reference and status


def _unclaimed(referral: Referral) -> bool:
    return referral.claimed_by_id is None


def _claimed(referral: Referral) -> bool:
    return referral.claimed_by_id is not None


def _has_a_decision(referral: Referral) -> bool:
    return referral.child_decisions.filter(is_current=True).exists()


def _discussed_if_red_or_amber(referral: Referral) -> bool:
    # Red and Amber go through a MASH or strategy discussion before their outcome.
    return not (referral.rag in (Rag.RED, Rag.AMBER) and referral.status == Status.DECIDED)


def _red_in_the_mash(referral: Referral) -> bool:
    # In the MASH a strategy discussion is Red's route; once allocated, the team may hold one on
    # whatever it learns during the assessment.
    return referral.status == Status.ALLOCATED or referral.rag == Rag.RED


def _no_strategy_decision(referral: Referral) -> bool:
    return not hasattr(referral, "strategy_decision")


def _strategy_decided_not_held(referral: Referral) -> bool:
    return hasattr(referral, "strategy_decision") and not hasattr(referral, "strategy_discussion")


def _edt_flag_waiting(referral: Referral) -> bool:
    return hasattr(referral, "edt_flag") and referral.edt_flag.acknowledged_at is None


def _cse_matrix_awaited(referral: Referral) -> bool:
    # A CSE concern, under a policy that asks for the matrix, with none recorded yet.
    return (
        bool(referral.cse_concern)
        and bool(policy_for(referral).cse_risk_matrix)
        and not CseRiskMatrix.objects.filter(referral=referral).exists()
    )


CSE_MATRIX_AWAITED = Condition(
    _cse_matrix_awaited,
    Conflict,
    "Referral {reference} is not waiting for a CSE risk matrix: its concern is not child sexual "
    "exploitation, the policy does not ask for one, or it is already recorded.",
)


def _not_awaiting_redecision(referral: Referral) -> bool:
    return stepped_up_at(referral) is None


UNCLAIMED = Condition(_unclaimed, Conflict, "Referral {reference} is already claimed.")
CLAIMED = Condition(_claimed, Conflict, "Referral {reference} is not claimed.")
HAS_A_DECISION = Condition(
    _has_a_decision, Conflict, "Referral {reference} has no decision yet: make the threshold decision first."
)
NOT_AWAITING_REDECISION = Condition(
    _not_awaiting_redecision,
    Conflict,
    "Referral {reference} was stepped back up to the MASH: make a new threshold decision instead.",
)
IN_EARLY_HELP = Condition(
    in_early_help, InvalidTransition, "Referral {reference} is not with an early help hub."
)
DISCUSSED_IF_RED_OR_AMBER = Condition(
    _discussed_if_red_or_amber,
    Conflict,
    "Red and Amber referrals are discussed before an outcome is recorded.",
)
RED_IN_THE_MASH = Condition(
    _red_in_the_mash, Conflict, "A strategy discussion is recorded for Red referrals."
)
NO_STRATEGY_DECISION = Condition(
    _no_strategy_decision,
    Conflict,
    "A strategy discussion has already been decided on for referral {reference}.",
)
STRATEGY_DECIDED_NOT_HELD = Condition(
    _strategy_decided_not_held,
    Conflict,
    "Referral {reference} has no strategy discussion waiting to be recorded: decide to hold one first "
    "(or it has already been recorded).",
)


def _high_risk(referral: Referral) -> bool:
    return referral.domestic_abuse_risk == "high"


def _not_referred_to_marac(referral: Referral) -> bool:
    return not hasattr(referral, "marac")


HIGH_RISK = Condition(
    _high_risk, Conflict, "Referral {reference} is not a high-risk domestic abuse notification."
)
NOT_REFERRED_TO_MARAC = Condition(
    _not_referred_to_marac, Conflict, "Referral {reference} has already been referred to MARAC."
)
EDT_FLAG_WAITING = Condition(
    _edt_flag_waiting, Conflict, "Referral {reference} has no EDT flag waiting to be acknowledged."
)


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What allows one action. ``not_now`` (raised as ``error``) refuses a status, ``wrong_rag`` a
    RAG; ``refused`` (NotPermitted) a user. ``offered``: shown among a referral page's actions."""

    statuses: frozenset[str]
    who: Callable[[Any, Referral], bool]
    refused: str
    not_now: str = "Referral {reference} is {status}."
    error: type[DomainError] = InvalidTransition
    rags: frozenset[str] | None = None
    wrong_rag: str = ""
    when: tuple[Condition, ...] = ()
    offered: bool = True


OPEN: frozenset[str] = frozenset(TRANSITIONS) - TERMINAL
OPEN_FOR_SCREENING = frozenset({Status.RECEIVED, Status.SCREENING})
# Statuses after a threshold decision in which early help holds a Green referral.
EARLY_HELP_STATUSES = frozenset({Status.DECIDED, Status.OUTCOME, Status.ALLOCATED})
_ONLY_LEAD_RECORDS = "Only a MASH lead can record this."
_STRATEGY_HOLDERS = "Only a MASH lead, or once allocated the manager of the referral's team, can do this."

ACTIONS: dict[str, Rule] = {
    # Claims: the claim itself is decided by a conditional UPDATE (triage.decisions.referral_claim).
    "claim": Rule(QUEUE_STATUSES, mash_staff, "Only MASH staff can claim referrals.", when=(UNCLAIMED,)),
    "release": Rule(
        QUEUE_STATUSES, claimant_or_lead, "Only the claimant or a MASH lead can release it.", when=(CLAIMED,)
    ),
    "reassign": Rule(QUEUE_STATUSES, mash_lead, "Only a MASH lead can reassign referrals."),
    # The threshold decision and what follows it.
    "decide": Rule(
        OPEN_FOR_SCREENING,
        mash_lead,
        "Only a MASH lead can make a threshold decision.",
        not_now="Referral {reference} is {status}: change a child's RAG instead.",
    ),
    # After a step-up the threshold is decided again (``decide``), not changed child by child.
    "change_rag": Rule(
        OPEN,
        mash_lead,
        "Only a MASH lead can change a RAG rating.",
        when=(HAS_A_DECISION, NOT_AWAITING_REDECISION),
    ),
    "return": Rule(
        frozenset({Status.RECEIVED, Status.SCREENING, Status.DECIDED}),
        mash_staff,
        "Only MASH staff can return a referral.",
    ),
    "step_up": Rule(
        EARLY_HELP_STATUSES,
        early_help_holder_or_lead,
        "Only the early help hub holding the referral, or a MASH lead, can step it up.",
        not_now="Referral {reference} is not with an early help hub.",
        when=(IN_EARLY_HELP,),
    ),
    "acknowledge_edt": Rule(
        OPEN,
        emergency_duty,
        "Only the emergency duty team can acknowledge an EDT flag.",
        when=(EDT_FLAG_WAITING,),
    ),
    # The CSE risk matrix a council may expect with a CSE concern (triage.decisions.cse).
    "record_cse_matrix": Rule(
        OPEN,
        mash_staff,
        "Only MASH staff can record a CSE risk matrix.",
        error=Conflict,
        when=(CSE_MATRIX_AWAITED,),
    ),
    "known_child_check": Rule(
        OPEN_FOR_SCREENING, mash_staff, "Only MASH staff can check whether the children are known."
    ),
    # Domestic abuse triage (triage.domestic_abuse): the meeting's minute about a notification is
    # recorded from the meeting's page, the MARAC referral from the referral's page.
    "minute_triage_meeting": Rule(
        OPEN, mash_staff, "Only MASH staff can record a triage meeting's minutes.", offered=False
    ),
    "refer_to_marac": Rule(
        OPEN,
        mash_staff,
        "Only MASH staff can record a referral to MARAC.",
        when=(HIGH_RISK, NOT_REFERRED_TO_MARAC),
    ),
    # The MASH stage (triage.multiagency).
    "request_information": Rule(
        frozenset(
            {Status.DECIDED, Status.INFORMATION_GATHERING, Status.MASH_DISCUSSION, Status.STRATEGY_DISCUSSION}
        ),
        mash_lead,
        "Only a MASH lead can request information from agencies.",
        not_now="Information cannot be requested while the referral is {status}.",
        error=Conflict,
        rags=frozenset({Rag.RED, Rag.AMBER}),
        wrong_rag="Information is requested from agencies for Red and Amber referrals only.",
    ),
    "mash_discussion": Rule(
        frozenset({Status.INFORMATION_GATHERING}),
        mash_lead,
        _ONLY_LEAD_RECORDS,
        not_now="A MASH discussion follows information gathering; the referral is {status}.",
        error=Conflict,
    ),
    # The decision to hold a strategy discussion starts its clock and sends the invitations; the
    # discussion itself is recorded later, which meets the clock (triage.multiagency.strategy).
    "decide_strategy_discussion": Rule(
        frozenset({Status.DECIDED, Status.INFORMATION_GATHERING, Status.MASH_DISCUSSION, Status.ALLOCATED}),
        mash_lead_or_allocated_team_manager,
        _STRATEGY_HOLDERS,
        not_now="A strategy discussion cannot be decided on while the referral is {status}.",
        error=Conflict,
        when=(RED_IN_THE_MASH, NO_STRATEGY_DECISION),
    ),
    "strategy_discussion": Rule(
        frozenset({Status.STRATEGY_DISCUSSION, Status.ALLOCATED}),
        mash_lead_or_allocated_team_manager,
        _STRATEGY_HOLDERS,
        not_now="A strategy discussion cannot be recorded while the referral is {status}.",
        error=Conflict,
        when=(RED_IN_THE_MASH, STRATEGY_DECIDED_NOT_HELD),
    ),
    "record_outcome": Rule(
        frozenset({Status.DECIDED, Status.MASH_DISCUSSION, Status.STRATEGY_DISCUSSION}),
        mash_lead,
        _ONLY_LEAD_RECORDS,
        not_now="An outcome cannot be recorded while the referral is {status}.",
        error=Conflict,
        when=(DISCUSSED_IF_RED_OR_AMBER,),
    ),
    "allocate": Rule(
        frozenset({Status.OUTCOME, Status.ALLOCATED}),
        team_manager,
        "Only the manager of the referral's team can allocate it.",
        not_now="The referral cannot be allocated while it is {status}.",
        error=Conflict,
    ),
    # The statutory items after allocation (triage.casework), reached from the team's pages.
    "record_statutory": Rule(
        frozenset({Status.ALLOCATED}),
        allocated_worker_or_manager,
        "Only the allocated social worker or the team's manager can record this.",
        not_now="Statutory items are recorded on an allocated referral; this one is {status}.",
        error=Conflict,
        offered=False,
    ),
    # The child's census identifiers and characteristics (UPN, disabilities, birth): still correctable
    # once the episodes are closed, since the census reports the year's closed episodes too.
    "record_child_details": Rule(
        frozenset({Status.ALLOCATED, Status.CLOSED}),
        allocated_worker_or_manager,
        "Only the allocated social worker or the team's manager can record this.",
        not_now="A child's census details are recorded after allocation; this referral is {status}.",
        error=Conflict,
        offered=False,
    ),
    # Management oversight of an allocated case (triage.casework.oversight), on the casework page.
    "record_oversight": Rule(
        frozenset({Status.ALLOCATED}),
        team_manager,
        "Only the manager of the referral's team can record management oversight.",
        not_now="Management oversight is recorded on an allocated referral; this one is {status}.",
        error=Conflict,
        offered=False,
    ),
}


def _say(message: str, referral: Referral) -> str:
    return message.format(reference=referral.reference, status=referral.get_status_display().lower())


def _refusal(rule: Rule, referral: Referral) -> DomainError | None:
    """The first rule the referral's state breaks, as its domain error (None when it allows it)."""
    if rule.rags is not None and referral.rag not in rule.rags:
        return rule.error(_say(rule.wrong_rag, referral))
    if referral.status not in rule.statuses:
        return rule.error(_say(rule.not_now, referral))
    for condition in rule.when:
        if not condition.holds(referral):
            return condition.error(_say(condition.message, referral))
    return None


def require_role(action: str, user: Any, referral: Referral | None = None) -> None:
    """NotPermitted unless ``user`` may take ``action`` on ``referral`` (whatever its state).
    ``referral`` may be left out for an action whose rule is the user's role alone."""
    rule = ACTIONS[action]
    if not rule.who(user, referral):
        raise NotPermitted(rule.refused)


def require_state(action: str, referral: Referral) -> None:
    """The rule's own error unless the referral's status, RAG and conditions allow ``action``."""
    error = _refusal(ACTIONS[action], referral)
    if error is not None:
        raise error


def require(action: str, user: Any, referral: Referral) -> None:
    """Refuse ``action`` unless ``ACTIONS`` allows it: NotPermitted for the user, else the rule's
    error (InvalidTransition or Conflict) for the referral's state. Call it on the locked row."""
    require_role(action, user, referral)
    require_state(action, referral)


def allows(action: str, user: Any, referral: Referral) -> bool:
    rule = ACTIONS[action]
    # The state first: it is read from the row, while a user check may query team membership.
    return _refusal(rule, referral) is None and rule.who(user, referral)


def rag_allows(action: str, referral: Referral) -> bool:
    """Whether the referral's RAG is one ``action`` is for (True when the action is for any RAG)."""
    rags = ACTIONS[action].rags
    return rags is None or referral.rag in rags
