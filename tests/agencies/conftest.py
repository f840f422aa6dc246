import pytest

from tests.support.world import build_world


@pytest.fixture
def world(make_user):
    return build_world(make_user)
