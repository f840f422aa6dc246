"""The child sexual exploitation risk matrix a council expects with a CSE concern (Durham 001:
"Professionals are expected to have completed the risk matrix for children and young people where
there is concern about child sexual exploitation").

How a concern is known to be CSE: the referrer answers the intake's question
(``Referral.cse_concern``). The policy's ``cse_risk_matrix`` says what follows: nothing (""), the
referral shows the matrix as missing until MASH staff record it ("expected"), or, besides that,
the threshold decision is refused until it is recorded ("required").
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import InvalidInput
from referrals.models import Referral

from ..actions import referral_lock
from ..models import CseRiskMatrixRule, PolicyVersion
from ..models_decisions import CseRiskMatrix
from ..permissions import require_role, require_state
from ._common import _text

MATRIX_REQUIRED = (
    "CSE risk matrix: this referral is about child sexual exploitation and {council}'s policy requires "
    "its risk matrix before the threshold decision. Record the risk matrix first."
)


def cse_matrix_expected(policy: PolicyVersion, referral: Referral) -> bool:
    """Whether the policy expects a CSE risk matrix with this referral."""
    return bool(referral.cse_concern) and policy.cse_risk_matrix != CseRiskMatrixRule.NOT_ASKED


def cse_matrix_recorded(referral: Referral) -> bool:
    return CseRiskMatrix.objects.filter(referral=referral).exists()


def cse_matrix_missing(policy: PolicyVersion, referral: Referral) -> bool:
    """Expected with this referral and not yet recorded: the referral page says so."""
    return cse_matrix_expected(policy, referral) and not cse_matrix_recorded(referral)


def check_cse_matrix_for_decision(policy: PolicyVersion, referral: Referral) -> None:
    """Refuse the threshold decision (InvalidInput naming the matrix) when the policy requires the
    matrix and it is missing. "expected" does not hold the decision: it is shown, not enforced."""
    if policy.cse_risk_matrix == CseRiskMatrixRule.REQUIRED and cse_matrix_missing(policy, referral):
        raise InvalidInput(MATRIX_REQUIRED.format(council=policy.council_name))


def referral_cse_matrix_record(
    referral: Referral,
    *,
    risk_level: str,
    completed_by: str,
    completed_on: date | None,
    summary: str,
    by: Actor,
) -> CseRiskMatrix:
    """A screening officer or MASH lead records the CSE risk matrix that came with (or was completed
    for) a referral about child sexual exploitation.

    Requires MASH staff; an open referral whose concern is CSE, under a policy that asks for the
    matrix, with none recorded yet (Conflict, from ``triage.permissions``);
    a risk level, who completed it, a completion date not in the future, and a summary (InvalidInput
    naming the field; nothing written). Causes: the CseRiskMatrix row and an audit row.
    """
    require_role("record_cse_matrix", by, referral)
    if risk_level not in CseRiskMatrix.RiskLevel.values:
        raise InvalidInput("Risk level: choose the level the matrix gives: low, medium or high.")
    if not _text(completed_by):
        raise InvalidInput("Completed by: say who completed the risk matrix.")
    if completed_on is None or completed_on > timezone.localdate():
        raise InvalidInput("Date completed: give the date the matrix was completed, today or earlier.")
    if not _text(summary):
        raise InvalidInput("Summary: say what the risk matrix found.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("record_cse_matrix", locked)
        matrix = CseRiskMatrix.objects.create(
            referral=locked,
            risk_level=risk_level,
            completed_by=_text(completed_by),
            completed_on=completed_on,
            summary=_text(summary),
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        audit.record_write(
            "triage.cse_matrix_record",
            actor=by,
            obj=matrix,
            referral_id=locked.pk,
            details={"risk_level": risk_level},
        )
    return matrix
