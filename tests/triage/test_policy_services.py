"""The shapes of the settings for services with their own hours, triage meetings and the duty rota:
a bad value is refused with a message naming the field, and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import load_preset
from triage.actions import policy_version_create, policy_version_fields
from triage.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "service_hours",
            {"line": {"name": "Line", "hours": {"mon": ["16:00", "10:00"]}}},
            "service hours.line.hours",
        ),
        ("service_hours", {"line": {"name": "", "hours": {}}}, "service hours.line: give the service a name"),
        (
            "domestic_abuse_meetings",
            {"days": ["tue"], "at": "25:00", "agencies": ["police"], "agenda_grades": []},
            "domestic abuse meetings.at",
        ),
        (
            "domestic_abuse_meetings",
            {"days": ["someday"], "at": "10:00", "agencies": ["police"], "agenda_grades": []},
            "domestic abuse meetings.days",
        ),
        ("duty_rota_allocation", "always", "duty rota allocation: must be one of 'off', 'suggest'"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_field(field, value, message):
    derby = load_preset("derby")
    settings = policy_version_fields(derby) | {field: value}
    with pytest.raises(ValidationError) as refused:
        policy_version_create(council="derby", settings=settings, by="tests", note="bad")
    assert any(message in text for text in refused.value.message_dict[field])
    assert PolicyVersion.objects.get(is_current=True) == derby
