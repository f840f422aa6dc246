"""Threshold decisions and the council policies they are made under."""

from __future__ import annotations

import factory
from django.utils import timezone

from referrals.states import Rag
from triage.models import ChildDecision, ConsentBasis


class ChildDecisionFactory(factory.django.DjangoModelFactory):
    """A child's current threshold decision, taking the referral's RAG and level of need."""

    class Meta:
        model = ChildDecision

    child = factory.SubFactory("tests.factories.referrals.ChildFactory")
    referral = factory.LazyAttribute(lambda d: d.child.referral)
    rag = factory.LazyAttribute(lambda d: d.referral.rag or Rag.AMBER)
    level_of_need = factory.LazyAttribute(lambda d: d.referral.level_of_need or 3)
    rationale = "Threshold met"
    consent_basis = ConsentBasis.GIVEN
    decided_by = factory.SubFactory("tests.factories.users.UserFactory")
    decided_at = factory.LazyFunction(timezone.now)


def policy_changed(**changes):
    """A new current version of the policy in force with ``changes``, as an administrator makes one."""
    from triage.actions import policy_version_create, policy_version_fields
    from triage.policy import current_policy

    policy = current_policy()
    fields = {**policy_version_fields(policy), **changes}
    return policy_version_create(
        council=policy.council, settings=fields, by="tests", note=f"changed {changes}"
    )


def load_preset(council: str):
    """The council's policy as published in its preset, loaded as the current version."""
    from triage.actions import policy_preset_load

    return policy_preset_load(council, by="tests", note=f"{council} for a test")
