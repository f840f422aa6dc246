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


CALLBACK_TOKEN = "a-callback-token-of-at-least-ten-characters"


@pytest.fixture
def notify(settings):
    """GOV.UK Notify as the channel, speaking to the local server that plays Notify on loopback."""
    from tests.support import notify_server

    with notify_server.NotifyServer() as server:
        settings.MESSAGE_CHANNEL = "notify"
        settings.NOTIFY_API_KEY = notify_server.API_KEY
        settings.NOTIFY_BASE_URL = server.url
        settings.NOTIFY_EMAIL_TEMPLATE_ID = notify_server.EMAIL_TEMPLATE_ID
        settings.NOTIFY_LETTER_EMAIL_TEMPLATE_ID = notify_server.LETTER_EMAIL_TEMPLATE_ID
        settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
        yield server
