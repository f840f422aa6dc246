"""Fixtures for the notifications tests."""

from __future__ import annotations

import pytest

from tests.factories import ChildFactory, ReferralFactory, TeamFactory


@pytest.fixture
def policy(db):
    from triage.actions import policy_preset_load

    return policy_preset_load("durham", by=None)


@pytest.fixture
def decided_referral(policy):
    """A professional's referral about one child, decided to go to an assessment team."""

    def make(**fields):
        team = fields.pop("team", None) or TeamFactory(name="Assessment Team 2", phone="03000 267 111")
        referral = ReferralFactory(decided=True, team=team, **fields)
        ChildFactory(referral=referral, first_name="Alex", last_name="Brown")
        return referral

    return make
