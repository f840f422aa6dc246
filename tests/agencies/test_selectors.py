"""Which agencies an information request goes to by default."""

from __future__ import annotations

import pytest

from agencies.selectors import default_agencies_for
from referrals.states import Rag
from triage.policy import current_policy

pytestmark = pytest.mark.django_db


def test_defaults_come_from_the_policy_for_the_rag(world):
    policy = current_policy()
    kinds = set(policy.default_agencies["red"])
    assert {a.kind for a in default_agencies_for(Rag.RED, policy)} == kinds & {
        "police",
        "health",
        "education",
    }
    assert not default_agencies_for(Rag.GREEN, policy).exists()
