"""The CSE risk matrix under each of the policy's rules (not asked for, expected, required), and the
checks of the settings Durham's rules added to the policy."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mash.exceptions import Conflict, InvalidInput, NotPermitted
from mash.models import AuditEvent
from referrals.states import Rag, Status
from tests.factories import referral_with_people
from triage import decisions as d
from triage.actions import policy_version_create, policy_version_fields
from triage.models import ConsentBasis, CseRiskMatrix
from triage.policy import current_policy

MATRIX = {"risk_level": "medium", "completed_by": "Jane Teacher", "completed_on": date(2026, 11, 27)}


def with_policy(**changes):
    settings = {**policy_version_fields(current_policy()), **changes}
    return policy_version_create(council="durham", settings=settings, by=None, note="For a test")


def amber(referral) -> list[d.ChildDecisionInput]:
    return [
        d.ChildDecisionInput(
            child_id=referral.children.get().pk,
            rag=Rag.AMBER,
            level_of_need=3,
            rationale="Older boyfriend; gifts.",
            consent_basis=ConsentBasis.GIVEN,
        )
    ]


def test_a_required_matrix_holds_the_decision_until_it_is_recorded(db, officer, lead):
    with_policy(cse_risk_matrix="required")
    referral = referral_with_people(cse_concern=True)

    with pytest.raises(InvalidInput, match="CSE risk matrix: .* requires its risk matrix"):
        d.referral_decide(referral, decisions=amber(referral), by=lead)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED

    d.referral_cse_matrix_record(referral, **MATRIX, summary="Gifts; missing twice.", by=officer)
    assert AuditEvent.objects.filter(action="triage.cse_matrix_record").count() == 1
    d.referral_decide(referral, decisions=amber(referral), by=lead)
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED


def test_the_matrix_is_recorded_once_by_mash_staff_with_every_field(db, officer, lead, make_user):
    referral = referral_with_people(cse_concern=True)  # Durham: expected
    with pytest.raises(InvalidInput, match="Summary"):
        d.referral_cse_matrix_record(referral, **MATRIX, summary=" ", by=officer)
    with pytest.raises(InvalidInput, match="Date completed"):
        d.referral_cse_matrix_record(
            referral, **{**MATRIX, "completed_on": date(2099, 1, 1)}, summary="x", by=officer
        )
    assert not CseRiskMatrix.objects.exists()
    with pytest.raises(NotPermitted):
        d.referral_cse_matrix_record(referral, **MATRIX, summary="x", by=make_user())

    d.referral_cse_matrix_record(referral, **MATRIX, summary="Gifts.", by=officer)
    with pytest.raises(Conflict, match="not waiting for a CSE risk matrix"):
        d.referral_cse_matrix_record(referral, **MATRIX, summary="Again.", by=lead)
    assert CseRiskMatrix.objects.count() == 1


def test_no_matrix_is_asked_for_where_the_policy_does_not_ask(db, officer, lead):
    with_policy(cse_risk_matrix="")
    referral = referral_with_people(cse_concern=True)
    assert not d.cse_matrix_missing(current_policy(), referral)
    with pytest.raises(Conflict):
        d.referral_cse_matrix_record(referral, **MATRIX, summary="x", by=officer)
    d.referral_decide(referral, decisions=amber(referral), by=lead)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("letter_clock_starts", "allocation", "letter clock starts: must be one of"),
        ("serious_concerns_decision", {"amount": 4}, "serious concerns decision: unit must be"),
        ("level_of_need_routes", {"5": "mash"}, "levels of need: expected an object keyed by level"),
        ("level_of_need_routes", {"2": "one_point"}, "levels of need.2: must be one of early_help, mash"),
        ("cse_risk_matrix", "always", "CSE risk matrix: must be one of"),
    ],
)
def test_the_new_settings_are_checked_by_field(db, setting, value, message):
    with pytest.raises(ValidationError) as raised:
        with_policy(**{setting: value})
    assert any(message in text for text in raised.value.message_dict[setting])


def test_the_matrix_is_asked_for_under_the_policy_the_referral_was_received_under(db, officer):
    """A policy change does not reach back: a CSE referral received while Durham expected the matrix
    still awaits it after the council stops asking; one received after the change does not."""
    expected = with_policy(cse_risk_matrix="expected")
    before = referral_with_people(cse_concern=True, policy=expected)
    with_policy(cse_risk_matrix="")
    after = referral_with_people(cse_concern=True, policy=current_policy())

    d.referral_cse_matrix_record(before, **MATRIX, summary="Gifts; missing twice.", by=officer)
    assert CseRiskMatrix.objects.filter(referral=before).exists()
    with pytest.raises(Conflict, match="not waiting for a CSE risk matrix"):
        d.referral_cse_matrix_record(after, **MATRIX, summary="Gifts.", by=officer)
