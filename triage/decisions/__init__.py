"""Triage writes: claiming, the threshold decision per child, RAG changes, step-up, returns,
the emergency duty team flag and the domestic abuse batch decision.

Each action is one transaction: lock the referral row, check, write, history and audit rows;
side effects (e-mails) go through the outbox and leave after commit. Status moves go through
``triage.actions.referral_transition`` (the lifecycle's one entry point).
"""

from .claims import referral_claim, referral_reassign, referral_release
from .cse import (
    check_cse_matrix_for_decision,
    cse_matrix_expected,
    cse_matrix_missing,
    referral_cse_matrix_record,
)
from .out_of_hours import (
    edt_flag_on_receipt,
    indicates_significant_harm,
    received_out_of_hours,
    referral_edt_acknowledge,
    referral_route_out_of_hours,
)
from .threshold import (
    BATCH_RAGS,
    CONSENT_MESSAGES,
    ChildDecisionInput,
    check_consent,
    check_decision,
    da_batch_decide,
    referral_change_rag,
    referral_decide,
    referral_return_for_consent,
    referral_step_up,
)

__all__ = [
    "BATCH_RAGS",
    "CONSENT_MESSAGES",
    "ChildDecisionInput",
    "check_consent",
    "check_cse_matrix_for_decision",
    "cse_matrix_expected",
    "cse_matrix_missing",
    "check_decision",
    "da_batch_decide",
    "indicates_significant_harm",
    "received_out_of_hours",
    "referral_change_rag",
    "referral_claim",
    "referral_cse_matrix_record",
    "referral_decide",
    "referral_edt_acknowledge",
    "referral_reassign",
    "referral_release",
    "referral_return_for_consent",
    "referral_route_out_of_hours",
    "edt_flag_on_receipt",
    "referral_step_up",
]
