"""Restricted records: a MASH lead restricts a referral, names and removes people, lifts it; every
list and page shows it only to the people named on it, and break-glass cannot open it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mash.models import AuditEvent, BreakGlassGrant
from mash.roles import Role
from referrals import restricted
from referrals.models import Referral
from security import break_glass
from tests.support.world import build_world

pytestmark = pytest.mark.django_db

REASON = "The child's mother works in the MASH."
BREAK_GLASS_REASON = "Out of hours call from police about this child; need the history now."


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def as_(world, login):
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        if role not in clients:
            clients[role] = login(world.users[role], Client())
        return clients[role]

    return client_for


def manage_url(referral: Referral) -> str:
    return reverse("restricted:manage", kwargs={"reference": referral.reference})


def referral_url(referral: Referral) -> str:
    return reverse("triage:referral", kwargs={"reference": referral.reference})


def restrict(world, key: str = "team_a", *, named: tuple[str, ...] = ()) -> Referral:
    referral = world.referrals[key]
    lead = world.users["lead"]
    restricted.referral_restrict(referral, reason=REASON, by=lead)
    for role in named:
        restricted.restricted_access_grant(referral, user=world.users[role], reason=REASON, by=lead)
    return referral


def test_a_lead_restricts_a_referral_from_its_page_and_then_only_the_named_can_open_it(world, as_):
    referral = world.referrals["team_a"]
    page = as_("lead").get(referral_url(referral))
    assert "Restrict who can open this referral" in page.content.decode()
    assert manage_url(referral) in page.content.decode()

    refused = as_("lead").post(manage_url(referral), {"action": "restrict", "restrict-reason": ""})
    assert refused.status_code == 400
    assert "Enter why only named people should open this referral" in refused.content.decode()
    assert not Referral.objects.filter(restriction__isnull=False).exists()

    short = as_("lead").post(manage_url(referral), {"action": "restrict", "restrict-reason": "family"})
    assert short.status_code == 400 and "at least 10 characters" in short.content.decode()

    done = as_("lead").post(manage_url(referral), {"action": "restrict", "restrict-reason": REASON})
    assert done.status_code == 302
    marked = AuditEvent.objects.get(action="referral.restricted")
    assert (
        marked.reason == REASON and marked.referral_id == referral.pk and marked.actor == world.users["lead"]
    )
    granted = AuditEvent.objects.get(action="referral.restricted_access_granted")
    assert granted.details["username"] == world.users["lead"].username

    # The lead who restricted it still opens it and sees it marked; the team it sits with no longer does.
    page = as_("lead").get(referral_url(referral))
    assert page.status_code == 200 and "Restricted record" in page.content.decode()
    for role in ("screening", "admin", "manager_a", "social_worker"):
        assert as_(role).get(referral_url(referral)).status_code == 404, role
    assert (
        as_("manager_a").get(reverse("multiagency:team_queue")).content.decode().count(referral.reference)
        == 0
    )
    api = as_("screening").get(reverse("triage-api:referral", kwargs={"reference": referral.reference}))
    assert api.status_code == 404


def test_the_queues_and_their_search_leave_out_a_restricted_referral_for_the_unnamed(world, as_):
    referral = world.referrals["gather"]
    link = referral_url(referral)
    for role in ("screening", "lead"):
        assert link in as_(role).get(reverse("triage:queue")).content.decode(), role
    restrict(world, key="gather")
    assert link not in as_("screening").get(reverse("triage:queue")).content.decode()
    assert link not in as_("screening").get(reverse("triage:queue"), {"q": "Quillon"}).content.decode()
    assert link in as_("lead").get(reverse("triage:queue"), {"q": "Quillon"}).content.decode()
    api = as_("screening").get(reverse("triage-api:queue")).content.decode()
    assert referral.reference not in api


def test_naming_and_removing_a_person_each_write_an_audit_row(world, as_):
    referral = restrict(world)
    sol = world.users["screening"]
    assert as_("screening").get(referral_url(referral)).status_code == 404

    empty = as_("lead").post(manage_url(referral), {"action": "name", "name-user": "", "name-reason": ""})
    assert empty.status_code == 400
    body = empty.content.decode()
    assert "Choose who to name on this referral" in body and "Enter why they need to open it" in body

    named = as_("lead").post(
        manage_url(referral), {"action": "name", "name-user": sol.pk, "name-reason": "Screening the referral"}
    )
    assert named.status_code == 302
    assert as_("screening").get(referral_url(referral)).status_code == 200
    row = AuditEvent.objects.filter(action="referral.restricted_access_granted").latest("id")
    assert row.details["username"] == sol.username and row.reason == "Screening the referral"
    page = as_("lead").get(manage_url(referral)).content.decode()
    assert sol.username in page and "Remove" in page

    removed = as_("lead").post(manage_url(referral), {"action": "remove", "user": sol.pk})
    assert removed.status_code == 302
    assert as_("screening").get(referral_url(referral)).status_code == 404
    revoked = AuditEvent.objects.get(action="referral.restricted_access_revoked")
    assert revoked.details["username"] == sol.username and revoked.actor == world.users["lead"]


def test_nobody_removes_themselves_and_naming_does_not_widen_normal_access(world, as_):
    referral = restrict(world, named=("manager_b",))
    lead = world.users["lead"]
    own = as_("lead").post(manage_url(referral), {"action": "remove", "user": lead.pk})
    assert own.status_code == 400 and "You cannot remove yourself" in own.content.decode()
    # The other team's manager is named but the referral is not their team's: still not theirs to open.
    assert as_("manager_b").get(referral_url(referral)).status_code == 404


def test_lifting_the_restriction_opens_it_again_to_normal_access(world, as_):
    referral = restrict(world, named=("screening",))
    refused = as_("lead").post(manage_url(referral), {"action": "lift", "lift-reason": ""})
    assert (
        refused.status_code == 400
        and "Enter why the restriction is no longer needed" in refused.content.decode()
    )
    lifted = as_("lead").post(
        manage_url(referral), {"action": "lift", "lift-reason": "The mother has left the MASH."}
    )
    assert lifted.status_code == 302
    assert as_("manager_a").get(referral_url(referral)).status_code == 200
    event = AuditEvent.objects.get(action="referral.unrestricted")
    assert set(event.details["removed"]) == {world.users["lead"].username, world.users["screening"].username}
    assert not restricted.named_users(referral).exists()


def test_only_a_named_lead_or_administrator_manages_a_restriction(world, as_, make_user, login):
    referral = world.referrals["team_a"]
    for role in ("screening", "manager_a", "social_worker", "police", "performance"):
        assert as_(role).get(manage_url(referral)).status_code == 404, role
        assert (
            as_(role)
            .post(manage_url(referral), {"action": "restrict", "restrict-reason": REASON})
            .status_code
            == 404
        )
    assert not Referral.objects.filter(restriction__isnull=False).exists()
    restrict(world)
    other_lead = make_user(Role.MASH_LEAD, username="leo")
    assert as_("lead").get(manage_url(referral)).status_code == 200
    assert login(other_lead, Client()).get(manage_url(referral)).status_code == 404
    assert as_("admin").get(manage_url(referral)).status_code == 404  # a superuser is not named by being one
    administrator = login(make_user(Role.ADMINISTRATOR, username="ada_admin"), Client())
    other = world.referrals["team_b"]
    assert administrator.get(manage_url(other)).status_code == 200
    done = administrator.post(manage_url(other), {"action": "restrict", "restrict-reason": REASON})
    assert done.status_code == 302 and restricted.restriction_of(Referral.objects.get(pk=other.pk))


def test_break_glass_refuses_a_restricted_referral_plainly_and_audits_the_refusal(world, as_):
    referral = restrict(world, key="team_b")
    child = referral.children.get()
    born = child.date_of_birth
    chosen = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth_day": born.day,
        "date_of_birth_month": born.month,
        "date_of_birth_year": born.year,
        "step": "choose",
        "referral": referral.reference,
        "reason": BREAK_GLASS_REASON,
    }
    page = as_("manager_a").post(reverse("break_glass_request"), chosen)
    body = page.content.decode()
    assert "is a restricted record" in body and "break-glass access cannot open it" in body
    assert not BreakGlassGrant.objects.exists()
    refusal = AuditEvent.objects.get(action="break_glass.refused_restricted")
    assert refusal.actor == world.users["manager_a"] and refusal.referral_id == referral.pk
    assert as_("manager_a").get(referral_url(referral)).status_code == 404


def test_a_live_break_glass_grant_does_not_open_a_referral_restricted_after_it(world, as_):
    referral = world.referrals["team_b"]
    worker = world.users["social_worker"]
    break_glass.break_glass_grant(
        user=worker, reference=referral.reference, reason=BREAK_GLASS_REASON, by=worker
    )
    assert as_("social_worker").get(referral_url(referral)).status_code == 200
    restrict(world, key="team_b")
    assert as_("social_worker").get(referral_url(referral)).status_code == 404


def test_a_partner_sees_requests_about_a_restricted_referral_only_once_named(world, as_):
    restrict(world, key="gather")
    request = world.requests["police"]
    detail = reverse("partners:request_detail", kwargs={"public_id": request.public_id})
    assert as_("police").get(detail).status_code == 404
    listed = as_("police").get(reverse("partners:request_list")).content.decode()
    assert str(request.public_id) not in listed
    restricted.restricted_access_grant(
        world.referrals["gather"],
        user=world.users["police"],
        reason="Police answer the request",
        by=world.users["lead"],
    )
    assert as_("police").get(detail).status_code == 200


def test_the_visibility_filter_costs_the_same_queries_however_many_are_restricted(
    world, django_assert_max_num_queries
):
    from triage import selectors

    # Two queries: the user's roles, then the referrals (restrictions and names are subqueries).
    lead = world.users["lead"]
    restrict(world, key="team_a")
    restrict(world, key="team_b", named=("screening",))
    with django_assert_max_num_queries(2):
        references = set(selectors.referrals_visible_to(lead).values_list("reference", flat=True))
    assert {"MXTEAMA26", "MXTEAMB26"} <= references
    with django_assert_max_num_queries(2):
        seen = set(
            selectors.referrals_visible_to(world.users["screening"]).values_list("reference", flat=True)
        )
    assert "MXTEAMB26" in seen and "MXTEAMA26" not in seen


def test_the_partner_portal_applies_the_same_rule_as_the_referral_selectors(world):
    """The portal's one queryset (list, detail and API) applies open_to through the request's referral:
    a partner sees a restricted referral's request only when named on it."""
    from triage.multiagency.models import InformationRequest
    from triage.multiagency.request_selectors import partner_requests_visible_to

    restrict(world, key="gather")
    restrict(world, key="team_b", named=("police",))
    police = world.users["police"]
    portal = set(partner_requests_visible_to(police).values_list("pk", flat=True))
    rule = InformationRequest.objects.filter(agency__members=police).filter(
        restricted.open_to(police, via="referral")
    )
    assert portal == set(rule.values_list("pk", flat=True)) == {world.requests["police_b"].pk}
