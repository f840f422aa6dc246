"""Break-glass: a stated reason grants time-limited access to one referral; grants are reviewed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from mash.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from mash.models import AuditEvent, BreakGlassGrant
from mash.outbox.delivery import deliver_once
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from security import break_glass
from tests.factories import TeamFactory, policy_changed
from tests.support.security import make_referral

REASON = "Out of hours call from police about this child; need the history now."


def answers(referral=None, **changed) -> dict:
    """The request page's answers about Amy Example (every make_referral's child), choosing
    ``referral`` among the referrals found when given."""
    data = {
        "first_name": "amy",
        "last_name": "EXAMPLE",
        "date_of_birth_day": "1",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2016",
        "reason": REASON,
    }
    if referral is not None:
        data |= {"step": "choose", "referral": referral.reference}
    return data | changed


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """django-ratelimit counts in the cache, which outlives each test's database transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_grant_gives_access_until_it_expires(make_user):
    policy_changed(break_glass_hours=4)
    user = make_user(Role.EMERGENCY_DUTY)
    referral, other = make_referral(), make_referral()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        grant = break_glass.break_glass_grant(
            user=user, reference=referral.reference.lower(), reason=REASON, by=user
        )
        assert grant.expires_at - grant.granted_at == timedelta(hours=4)
        from referrals.models import Referral

        visible = Referral.objects.filter(pk__in=break_glass.break_glass_referral_ids(user))
        assert list(visible) == [referral] and other not in visible
        traveller.shift(timedelta(hours=4, seconds=1))
        assert not Referral.objects.filter(pk__in=break_glass.break_glass_referral_ids(user)).exists()
    event = AuditEvent.objects.get(action="break_glass.granted")
    assert event.referral_id == referral.pk and event.reason == REASON and event.actor == user


@pytest.mark.django_db
def test_grant_needs_a_role_a_reason_and_a_real_reference(make_user):
    referral = make_referral()
    partner = make_user(Role.AGENCY_PARTNER)
    worker = make_user(Role.SOCIAL_WORKER)
    with pytest.raises(NotPermitted):
        break_glass.break_glass_grant(user=partner, reference=referral.reference, reason=REASON, by=partner)
    with pytest.raises(InvalidInput):
        break_glass.break_glass_grant(user=worker, reference=referral.reference, reason="because", by=worker)
    with pytest.raises(NotFound):
        break_glass.break_glass_grant(user=worker, reference="NOPE-1", reason=REASON, by=worker)
    assert (
        not BreakGlassGrant.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="break").exists()
    )


@pytest.mark.django_db
def test_request_page_and_review_by_an_administrator(client, login, make_user):
    referral = make_referral()
    worker = make_user(Role.SOCIAL_WORKER)
    login(worker)
    page = client.get("/break-glass/")
    assert page.status_code == 200 and b"Emergency access" in page.content
    bad = client.post("/break-glass/", answers(first_name="Nobody"))
    assert bad.status_code == 200
    assert b"No referral about a child with that name and date of birth needs emergency" in bad.content
    found = client.post("/break-glass/", answers())
    assert found.status_code == 200 and referral.reference.encode() in found.content
    assert not BreakGlassGrant.objects.exists()  # the search only offers the choice
    ok = client.post("/break-glass/", answers(referral))
    assert ok.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert client.get("/break-glass/review/").status_code == 404  # workers cannot review

    admin = make_user(Role.ADMINISTRATOR)
    login(admin)
    listing = client.get("/break-glass/review/")
    assert listing.status_code == 200 and referral.reference.encode() in listing.content
    missing = client.post(f"/break-glass/review/{grant.pk}/", {"outcome": ""})
    assert missing.status_code == 400
    done = client.post(
        f"/break-glass/review/{grant.pk}/", {"outcome": "justified", "note": "EDT call logged"}
    )
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == admin and grant.review_outcome == "justified"
    assert referral.reference.encode() not in client.get("/break-glass/review/").content


@pytest.mark.django_db
def test_administrator_cannot_review_their_own_grant(make_user):
    both = make_user(Role.ADMINISTRATOR, Role.SOCIAL_WORKER)
    grant = break_glass.break_glass_grant(
        user=both, reference=make_referral().reference, reason=REASON, by=both
    )
    with pytest.raises(NotPermitted):
        break_glass.break_glass_review(grant, outcome="justified", note="", by=both)


@pytest.mark.django_db
def test_review_list_query_count_does_not_grow_with_grants(
    client, login, make_user, django_assert_max_num_queries
):
    admin = make_user(Role.ADMINISTRATOR)
    login(admin)
    for _ in range(5):
        worker = make_user(Role.SOCIAL_WORKER)
        break_glass.break_glass_grant(
            user=worker, reference=make_referral().reference, reason=REASON, by=worker
        )
    with django_assert_max_num_queries(6):
        response = client.get("/break-glass/review/")
    assert response.status_code == 200 and response.content.count(b"Review<span") == 5


@pytest.mark.django_db
def test_the_granted_referral_opens_on_the_staff_page_until_the_grant_expires(login, make_user):
    from django.urls import reverse

    worker = make_user(Role.SOCIAL_WORKER)
    referral = make_referral()
    page = reverse("triage:referral", args=[referral.reference])
    client = login(worker)
    assert client.get(page).status_code == 404  # not their team's referral
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        break_glass.break_glass_grant(user=worker, reference=referral.reference, reason=REASON, by=worker)
        assert client.get(page).status_code == 200
        traveller.shift(timedelta(hours=24))
        # The session has timed out too by now, so ask the selector every page uses.
        from triage.selectors import access_referral

        with pytest.raises(NotFound):
            access_referral(worker, referral.reference)


@pytest.mark.django_db
def test_a_user_holds_at_most_the_cap_of_live_grants(make_user):
    policy = policy_changed(break_glass_max_live_grants=2)
    worker = make_user(Role.SOCIAL_WORKER)
    first, second, third = make_referral(), make_referral(), make_referral()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for referral in (first, second):
            break_glass.break_glass_grant(user=worker, reference=referral.reference, reason=REASON, by=worker)
        with pytest.raises(Conflict, match="emergency access to 2 referrals"):
            break_glass.break_glass_grant(user=worker, reference=third.reference, reason=REASON, by=worker)
        assert BreakGlassGrant.objects.filter(referral=third).count() == 0
        refusal = AuditEvent.objects.get(action="break_glass.refused_limit")
        assert refusal.actor == worker and refusal.referral_id == third.pk
        # Another user is not held back by this one's grants, and an expired grant frees a place.
        other = make_user(Role.SOCIAL_WORKER)
        break_glass.break_glass_grant(user=other, reference=third.reference, reason=REASON, by=other)
        traveller.shift(timedelta(hours=policy.break_glass_hours, seconds=1))
        break_glass.break_glass_grant(user=worker, reference=third.reference, reason=REASON, by=worker)


@pytest.mark.django_db
def test_the_request_page_says_plainly_when_the_cap_is_reached(login, make_user):
    policy_changed(break_glass_max_live_grants=1)
    worker = make_user(Role.SOCIAL_WORKER)
    client = login(worker)
    client.post("/break-glass/", answers(make_referral()))
    refused = client.post("/break-glass/", answers(make_referral()))
    assert refused.status_code == 200 and b"the most anyone can hold at once" in refused.content
    assert BreakGlassGrant.objects.count() == 1


@pytest.mark.django_db
def test_requests_are_rate_limited_per_user(login, make_user):
    policy_changed(break_glass_requests_per_hour=2, break_glass_max_live_grants=10)
    worker = make_user(Role.SOCIAL_WORKER)
    client = login(worker)
    assert client.post("/break-glass/", {"first_name": "", "reason": ""}).status_code == 200  # not counted
    for _ in range(2):
        assert client.post("/break-glass/", answers(make_referral())).status_code == 302
    limited = client.post("/break-glass/", answers(make_referral()))
    assert limited.status_code == 429 and b"too many times" in limited.content
    assert BreakGlassGrant.objects.count() == 2
    assert AuditEvent.objects.get(action="break_glass.refused_rate").actor == worker
    # The limit is the user's, not the office's shared address.
    colleague = login(make_user(Role.SOCIAL_WORKER), Client())
    assert colleague.post("/break-glass/", answers(make_referral())).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/break-glass/", "/break-glass/review/"])
def test_break_glass_pages_refuse_undeclared_methods(client, login, make_user, path):
    client = login(make_user(Role.ADMINISTRATOR, Role.SOCIAL_WORKER))
    assert client.put(path).status_code == 405


@pytest.mark.django_db
def test_a_grant_alerts_the_mash_leads_and_the_users_team_manager_at_once(make_user, settings):
    settings.SERVICE_BASE_URL = "https://mash.example.gov.uk"
    worker = make_user(Role.SOCIAL_WORKER, first_name="Sam", last_name="Worker")
    manager = make_user(Role.TEAM_MANAGER)
    TeamFactory(manager=manager, members=[worker])
    TeamFactory(manager=make_user(Role.TEAM_MANAGER), members=[make_user(Role.SOCIAL_WORKER)])  # not theirs
    leads = [make_user(Role.MASH_LEAD), make_user(Role.MASH_LEAD)]
    make_user(Role.MASH_LEAD, email="")  # no address to write to
    make_user(Role.MASH_LEAD, is_active=False)
    referral = make_referral()
    grant = break_glass.break_glass_grant(user=worker, reference=referral.reference, reason=REASON, by=worker)

    emails = OutboxMessage.objects.filter(kind="email", referral=referral)
    assert sorted(email.payload["to"] for email in emails) == sorted(u.email for u in [manager, *leads])
    for email in emails:
        subject, body = email.payload["subject"], email.payload["body"]
        assert subject == f"Emergency access used: referral {referral.reference}"
        assert "Sam Worker" in body and REASON in body
        assert f"https://mash.example.gov.uk/break-glass/review/{grant.pk}/" in body
        assert (
            "Amy" not in subject + body and "Example" not in subject + body
        )  # the child stays in the system
    deliver_once(emails[0].pk)  # the real handler, as the worker runs it
    assert mail.outbox[-1].subject == f"Emergency access used: referral {referral.reference}"


@pytest.mark.django_db
def test_a_lead_breaking_the_glass_alerts_the_other_leads_not_themself(make_user):
    lead, other = make_user(Role.MASH_LEAD), make_user(Role.MASH_LEAD)
    break_glass.break_glass_grant(user=lead, reference=make_referral().reference, reason=REASON, by=lead)
    assert [email.payload["to"] for email in OutboxMessage.objects.all()] == [other.email]


@pytest.mark.django_db
def test_no_alert_is_queued_for_a_refused_request(make_user):
    policy_changed(break_glass_max_live_grants=0)
    worker = make_user(Role.SOCIAL_WORKER)
    make_user(Role.MASH_LEAD)
    with pytest.raises(Conflict):
        break_glass.break_glass_grant(
            user=worker, reference=make_referral().reference, reason=REASON, by=worker
        )
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_typed_reference_no_longer_opens_a_referral(login, make_user):
    """The attack: asking for each sequential reference in turn, with one reason for all."""
    client = login(make_user(Role.SOCIAL_WORKER))
    for referral in [make_referral(), make_referral()]:
        page = client.post("/break-glass/", {"reference": referral.reference, "reason": REASON})
        assert page.status_code == 200 and b"Enter the child&#x27;s first name" in page.content
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
def test_only_a_referral_the_search_found_can_be_chosen(login, make_user):
    amy = make_referral()
    other = make_referral()
    other.children.update(first_name="Zara", last_name="Other")
    client = login(make_user(Role.SOCIAL_WORKER))
    tampered = client.post("/break-glass/", answers(other))  # Amy's name, someone else's referral
    assert b"Choose the referral you need from the ones found" in tampered.content
    unchosen = client.post("/break-glass/", answers(step="choose"))
    assert b"Choose the referral you need" in unchosen.content
    assert not BreakGlassGrant.objects.exists()
    assert client.post("/break-glass/", answers(amy)).status_code == 302
    assert BreakGlassGrant.objects.get().referral == amy


@pytest.mark.django_db
def test_the_search_shows_only_what_the_user_typed(login, make_user):
    referral = make_referral()
    client = login(make_user(Role.SOCIAL_WORKER))
    found = client.post("/break-glass/", answers()).content.decode()
    assert referral.reference in found and "about Amy Example" in found
    for detail in ("9434765919", "High Street", "DH1 1AA", "Bruising", "Beth", "Rita"):
        assert detail not in found
    # The whole name and the date must match: a part of either finds nothing.
    for partial in [answers(first_name="Am"), answers(last_name="Ex"), answers(date_of_birth_day="2")]:
        assert referral.reference not in client.post("/break-glass/", partial).content.decode()
    searches = AuditEvent.objects.filter(action="break_glass.searched").order_by("pk")
    assert searches[0].details == {"references": [referral.reference]}
    assert searches[0].kind == AuditEvent.Kind.SEARCH and "Amy" not in str(searches[0].details)


@pytest.mark.django_db
def test_an_empty_request_names_each_missing_answer(login, make_user):
    page = login(make_user(Role.SOCIAL_WORKER)).post("/break-glass/", {})
    body = page.content.decode()
    assert page.status_code == 200 and "Get access" in body
    for message in ("first name", "last name", "date of birth"):
        assert f"Enter the child&#x27;s {message}" in body
    assert "Enter why you need this record" in body


@pytest.mark.django_db
def test_choosing_a_restricted_referral_is_refused_plainly(login, make_user):
    from referrals import restricted

    referral = make_referral()
    restricted.referral_restrict(
        referral, reason="A member of staff's own family", by=make_user(Role.MASH_LEAD)
    )
    page = login(make_user(Role.SOCIAL_WORKER)).post("/break-glass/", answers(referral))
    assert "is a restricted record" in page.content.decode()
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
def test_the_search_leaves_out_referrals_the_user_can_already_open(login, make_user):
    worker = make_user(Role.SOCIAL_WORKER)
    theirs, needed = make_referral(), make_referral()
    theirs.allocated_worker = worker
    theirs.save(update_fields=["allocated_worker"])
    found = login(worker).post("/break-glass/", answers()).content.decode()
    assert needed.reference in found
    assert theirs.reference not in found
    mash_lead = login(make_user(Role.MASH_LEAD), Client()).post("/break-glass/", answers()).content.decode()
    assert needed.reference not in mash_lead and theirs.reference not in mash_lead


@pytest.mark.django_db
def test_the_limits_are_the_councils_versioned_policy(make_user):
    """A new policy version changes the limits for the next grant; the old version keeps its own."""
    worker = make_user(Role.SOCIAL_WORKER)
    before = policy_changed(break_glass_hours=2)
    first = break_glass.break_glass_grant(
        user=worker, reference=make_referral().reference, reason=REASON, by=worker
    )
    policy_changed(break_glass_hours=6)
    second = break_glass.break_glass_grant(
        user=worker, reference=make_referral().reference, reason=REASON, by=worker
    )
    assert first.expires_at - first.granted_at == timedelta(hours=2)
    assert second.expires_at - second.granted_at == timedelta(hours=6)
    before.refresh_from_db()
    assert before.break_glass_hours == 2 and not before.is_current


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["break_glass_hours", "break_glass_requests_per_hour"])
def test_a_policy_that_would_make_break_glass_unusable_is_refused(field):
    with pytest.raises(ValidationError, match="must be a whole number of 1 or more"):
        policy_changed(**{field: 0})
