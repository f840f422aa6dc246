import pytest
import time_machine

from .world import NOW, build_world


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(make_user, frozen):
    return build_world(make_user)
