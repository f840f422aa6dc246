"""The known-child check pages, the chronology, merging and unmerging: who may, what they see."""

import pytest
from django.urls import reverse

from mash.models import AuditEvent
from mash.roles import Role
from referrals.models import MatchDecision, PersonMerge
from tests.referrals.person_index_factories import (
    add_child,
    add_involvement,
    make_person,
    make_referral,
    make_team,
)
from triage.states import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    person = make_person(local_id="CS-1")
    add_involvement(person, make_team())
    referral = make_referral()
    child = add_child(referral, first_name="Ollie")
    return referral, child, person


def check_url(referral):
    return reverse("person_index:known_child_check", args=[referral.reference])


def decide_url(referral, child, person):
    return reverse("person_index:match_decide", args=[referral.reference, "child", child.pk, person.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SCREENING_OFFICER, 200),
        (Role.MASH_LEAD, 200),
        (Role.AGENCY_PARTNER, 403),
        (Role.SOCIAL_WORKER, 403),
    ],
)
def test_check_page_permissions(case, make_user, login, role, status):
    referral, _, _ = case
    response = login(make_user(role)).get(check_url(referral))
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(case, client):
    response = client.get(check_url(case[0]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_check_page_shows_candidates_with_score_and_reasons(
    case, make_user, login, django_assert_max_num_queries
):
    referral, _, person = case
    for n in range(10):
        add_child(referral, first_name=f"Child{n}", date_of_birth=None, postcode="")
    client = login(make_user(Role.SCREENING_OFFICER))
    # Fixed overhead (session, user, decisions, audit, the candidate's prefetches) plus one blocking
    # query per person named in the referral (11 here): never one per candidate or per index record.
    with django_assert_max_num_queries(14 + 11):
        response = client.get(check_url(referral))
    html = response.content.decode()
    assert f"record {person.pk}" in html and "Score" in html
    assert "Ollie / Oliver: nickname or short form" in html and "Date of birth" in html
    assert "Open</strong> Children&#x27;s social care with Assessment Team 1 (Sam Worker)" in html
    assert AuditEvent.objects.filter(
        action="person_index.known_child_check", referral_id=referral.pk
    ).exists()


def test_unknown_referral_is_404(make_user, login):
    response = login(make_user(Role.SCREENING_OFFICER)).get(
        reverse("person_index:known_child_check", args=["NOPE"])
    )
    assert response.status_code == 404


def test_confirming_links_and_routes(case, make_user, login):
    referral, child, person = case
    client = login(make_user(Role.SCREENING_OFFICER))
    response = client.post(decide_url(referral, child, person), {"decision": "confirm", "reason": ""})
    assert response.status_code == 302
    child.refresh_from_db()
    referral.refresh_from_db()
    assert child.person == person and referral.status == Status.ROUTED_TO_KNOWN_CASE
    page = client.get(check_url(referral)).content.decode()
    assert "Linked" in page


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(case, make_user, login):
    referral, child, person = case
    client = login(make_user(Role.SCREENING_OFFICER))
    response = client.post(decide_url(referral, child, person), {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Enter why this is a different person" in response.content.decode()
    assert not MatchDecision.objects.exists()
    response = client.post(
        decide_url(referral, child, person), {"decision": "reject", "reason": "Other mother"}
    )
    assert response.status_code == 302
    assert f"record {person.pk}" not in client.get(check_url(referral)).content.decode()


def test_chronology_page(case, make_user, login):
    referral, child, person = case
    child.person = person
    child.save()
    response = login(make_user(Role.MASH_LEAD)).get(
        reverse("person_index:person_chronology", args=[person.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Referral {referral.reference} received" in html and "case opened with" in html


def test_merge_and_unmerge_pages(case, make_user, login):
    _, _, person = case
    other = make_person(first_name="Olly", local_id="CS-2")
    officer_client = login(make_user(Role.SCREENING_OFFICER))
    assert officer_client.get(reverse("person_index:person_merge", args=[person.pk])).status_code == 403

    client = login(make_user(Role.MASH_LEAD))
    url = reverse("person_index:person_merge", args=[person.pk])
    response = client.post(url, {"other": "NO-SUCH", "reason": "same"})
    assert response.status_code == 400 and "no index record" in response.content.decode()
    response = client.post(url, {"other": "CS-2", "reason": "Same GP record"})
    assert response.status_code == 302
    merge = PersonMerge.objects.get(survivor=person, merged=other)

    undo = reverse("person_index:person_unmerge", args=[merge.pk])
    assert client.post(undo, {"reason": ""}).status_code == 400
    assert client.post(undo, {"reason": "Twins"}).status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None


def test_chronology_query_count_does_not_grow_with_history(
    case, make_user, login, django_assert_max_num_queries
):
    _, _, person = case
    team = make_team("Early Help Hub", kind="early_help")
    for _ in range(6):
        add_child(make_referral(), person=person)
        add_involvement(person, team)
    client = login(make_user(Role.MASH_LEAD))
    url = reverse("person_index:person_chronology", args=[person.pk])
    with django_assert_max_num_queries(13):  # fixed: nothing is queried per row
        response = client.get(url)
    assert response.content.decode().count("received, as child") == 6
