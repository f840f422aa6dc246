"""The referral lifecycle, declared once, beside the Referral it describes.

Every status change goes through ``triage.actions.referral_transition``, which checks the move
against ``TRANSITIONS``; nothing else assigns ``Referral.status``.
"""

from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    ROUTED_TO_KNOWN_CASE = "routed", "Routed to a known case"
    SCREENING = "screening", "Screening"
    DECIDED = "decided", "Threshold decided"
    INFORMATION_GATHERING = "information_gathering", "Information gathering"
    MASH_DISCUSSION = "mash_discussion", "MASH discussion"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    OUTCOME = "outcome", "Outcome recorded"
    ALLOCATED = "allocated", "Allocated"
    CLOSED = "closed", "Closed"
    RETURNED = "returned", "Returned (not progressed)"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.SCREENING, Status.ROUTED_TO_KNOWN_CASE, Status.RETURNED}),
    Status.SCREENING: frozenset(
        {Status.RECEIVED, Status.DECIDED, Status.ROUTED_TO_KNOWN_CASE, Status.RETURNED, Status.CLOSED}
    ),
    Status.ROUTED_TO_KNOWN_CASE: frozenset({Status.ALLOCATED, Status.CLOSED, Status.SCREENING}),
    Status.DECIDED: frozenset(
        {
            Status.INFORMATION_GATHERING,
            Status.STRATEGY_DISCUSSION,
            Status.OUTCOME,
            Status.CLOSED,
            Status.RETURNED,
            Status.SCREENING,
        }
    ),
    Status.INFORMATION_GATHERING: frozenset({Status.MASH_DISCUSSION, Status.STRATEGY_DISCUSSION}),
    Status.MASH_DISCUSSION: frozenset({Status.OUTCOME, Status.STRATEGY_DISCUSSION}),
    Status.STRATEGY_DISCUSSION: frozenset({Status.OUTCOME}),
    # Early help can step a referral back up to the MASH (back to screening) with a reason.
    Status.OUTCOME: frozenset({Status.ALLOCATED, Status.CLOSED, Status.SCREENING}),
    Status.ALLOCATED: frozenset({Status.CLOSED, Status.SCREENING}),
    Status.CLOSED: frozenset(),
    Status.RETURNED: frozenset(),
}

TERMINAL: frozenset[str] = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# Statuses in which a referral waits in the MASH triage queue.
QUEUE_STATUSES: frozenset[str] = frozenset(
    {Status.RECEIVED, Status.SCREENING, Status.DECIDED, Status.INFORMATION_GATHERING, Status.MASH_DISCUSSION}
)


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
