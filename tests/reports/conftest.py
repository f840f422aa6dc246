import pytest
import time_machine

from .world import NOW, build_census_world, build_world


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(make_user, frozen):
    return build_world(make_user)


@pytest.fixture
def census_world(make_user):
    return build_census_world(make_user)
