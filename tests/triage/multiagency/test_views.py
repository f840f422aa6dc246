"""The MASH side of information requests, and the strategy discussion and outcome pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.states import Rag, Status
from tests.factories import referral_with_people
from triage.multiagency.models import InformationRequest
from triage.policy import current_policy

pytestmark = pytest.mark.django_db


def test_the_requests_page_ticks_the_policys_defaults_and_sends(world, login):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    client = login(world.users["lead"])
    url = reverse("multiagency:requests", kwargs={"reference": referral.reference})
    form = client.get(url).context["form"]
    assert set(form.initial["agencies"]) == {
        a.pk for a in world.agencies.values()
    }  # police, health, education
    response = client.post(
        url,
        {
            "agencies": [world.agencies["police"].pk, world.agencies["education"].pk],
            "question": "Any incidents at the address?",
            "lawful_basis": "public_task_safeguarding",
        },
    )
    assert response.status_code == 302
    assert set(referral.information_requests.values_list("agency__slug", flat=True)) == {
        "police",
        "education",
    }


def test_the_requests_page_refuses_bad_input_and_screening_officers_cannot_send(world, login):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    url = reverse("multiagency:requests", kwargs={"reference": referral.reference})
    lead = login(world.users["lead"])
    response = lead.post(url, {"agencies": [], "question": "", "lawful_basis": "nonsense"})
    assert response.status_code == 400
    assert "Choose at least one agency" in response.content.decode()
    officer = login(world.users["screening"])
    assert "Send requests" not in officer.get(url).content.decode()
    response = officer.post(
        url, {"agencies": [world.agencies["police"].pk], "question": "Q", "lawful_basis": "consent"}
    )
    assert response.status_code == 403 and "Only a MASH lead" in response.content.decode()
    assert not InformationRequest.objects.filter(referral=referral).exists()


def test_chasing_from_the_requests_page(world, login):
    request = world.requests["health"]
    client = login(world.users["screening"])
    url = reverse(
        "multiagency:request_chase",
        kwargs={"reference": request.referral.reference, "public_id": request.public_id},
    )
    assert client.post(url).status_code == 302
    request.refresh_from_db()
    assert request.chase_count == 1 and request.status == InformationRequest.Status.CHASED
    # An answered request cannot be chased; the page says why and nothing changes.
    answered = world.requests["police"]
    url = reverse(
        "multiagency:request_chase",
        kwargs={"reference": answered.referral.reference, "public_id": answered.public_id},
    )
    client.post(url)
    answered.refresh_from_db()
    assert answered.chase_count == 0


def test_the_strategy_and_outcome_pages_record(world, login):
    referral = referral_with_people(decided=True, policy=current_policy(), rag=Rag.RED)
    client = login(world.users["lead"])
    strategy = reverse("multiagency:strategy", kwargs={"reference": referral.reference})
    response = client.post(strategy, {"step": "decide", "reason": ""})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    response = client.post(strategy, {"step": "decide", "reason": "Disclosure of harm"})
    assert response.status_code == 302, response.content.decode()[:1500]
    held = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        strategy, {"step": "record", "held_at": held, "attendees": "Lena Lead", "s47_enquiry": "yes"}
    )
    assert response.status_code == 400  # no agency for the attendee, no rationale
    assert "Give the agency or team" in response.content.decode()
    response = client.post(
        strategy,
        {
            "step": "record",
            "held_at": held,
            "attendees": "Lena Lead, MASH\nPC Pat, Police",
            "s47_enquiry": "yes",
            "decision_rationale": "Disclosure of harm",
            "immediate_safety_actions": "Stays with grandmother tonight",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    referral.refresh_from_db()
    assert referral.status == Status.STRATEGY_DISCUSSION
    assert referral.strategy_discussion.attendees[1] == {"name": "PC Pat", "agency": "Police"}
    outcome = reverse("multiagency:outcome", kwargs={"reference": referral.reference})
    response = client.post(
        outcome,
        {
            "destination": "strategy_s47",
            "primary_need": "N1",
            "team": world.teams["a"].pk,
            "rationale": "Section 47 enquiry",
            "recommendation": "Joint visit with police today",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.OUTCOME and referral.team == world.teams["a"]
