"""The administration of agencies and teams."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Agency, Team

pytestmark = pytest.mark.django_db


def test_an_administrator_configures_agencies_and_teams(world, login):
    client = login(world.users["admin"])
    assert client.get(reverse("admin:agencies_agency_changelist")).status_code == 200
    response = client.post(
        reverse("admin:agencies_agency_add"),
        {
            "name": "Northern Housing",
            "slug": "northern-housing",
            "kind": "housing",
            "referral_source": "4",
            "email": "",
            "phone": "",
            "is_active": "on",
            "members": [],
        },
    )
    assert response.status_code == 302
    assert Agency.objects.filter(slug="northern-housing", kind=Agency.Kind.HOUSING).exists()
    response = client.post(
        reverse("admin:agencies_team_add"),
        {
            "name": "Assessment Team 3",
            "slug": "assessment-3",
            "kind": "assessment",
            "phone": "",
            "email": "",
            "address": "",
            "manager": world.users["manager_a"].pk,
            "members": [world.users["social_worker"].pk],
            "rota_position": "3",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(slug="assessment-3")
    assert team.manager == world.users["manager_a"] and list(team.members.all()) == [
        world.users["social_worker"]
    ]
    assert login(world.users["lead"]).get(reverse("admin:agencies_agency_changelist")).status_code != 200
