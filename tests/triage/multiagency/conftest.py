"""Fixtures for the tests of the MASH stage: the partners' requests, the discussion, the outcome."""

import pytest

from tests.support.world import build_world


@pytest.fixture
def world(make_user):
    return build_world(make_user)
