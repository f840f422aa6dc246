"""The known-child check pages, the chronology, merging and unmerging: who may, what they see."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mash.models import AuditEvent
from mash.roles import Role
from referrals import restricted
from referrals.models import MatchDecision, PersonMerge, Referral
from referrals.person_index.actions import person_index_add_from_referral
from referrals.states import Status
from tests.factories.person_index import (
    add_child,
    add_involvement,
    make_person,
    make_referral,
    make_team,
)
from tests.support import answers, journey

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


def answer(child, person, **fields):
    """The answer form's fields as the page names them: one form per (person named, candidate)."""
    return {f"child-{child.pk}-{person.pk}-{name}": value for name, value in fields.items()}


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
    officer = make_user(Role.SCREENING_OFFICER)
    client = login(officer)
    # The restriction check's content type is looked up once per process and cached: look it up
    # now, so the count does not depend on which tests ran before.
    restricted.named_referral_ids(officer)
    # Fixed overhead (session, user, decisions, audit, the candidate's prefetches, the referrals
    # already recorded about the candidates: children, adults; the referrals not yet in the index
    # about someone like them: children, adults) plus one blocking query per person named in the
    # referral (11 here): never one per candidate or per index record.
    with django_assert_max_num_queries(18 + 11):
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
    response = client.post(decide_url(referral, child, person), answer(child, person, decision="confirm"))
    assert response.status_code == 302
    child.refresh_from_db()
    referral.refresh_from_db()
    assert child.person == person and referral.status == Status.ROUTED_TO_KNOWN_CASE
    page = client.get(check_url(referral)).content.decode()
    assert "Linked" in page


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(case, make_user, login):
    referral, child, person = case
    client = login(make_user(Role.SCREENING_OFFICER))
    response = client.post(decide_url(referral, child, person), answer(child, person, decision="reject"))
    assert response.status_code == 400
    html = response.content.decode()
    message = f"Enter why record {person.pk} is a different person from Ollie Brown"
    # Once in the page's one error summary (linked to the box to fill) and once beside the box.
    assert html.count(message) == 2
    assert f'href="#id_child-{child.pk}-{person.pk}-reason"' in html
    assert not MatchDecision.objects.exists()
    response = client.post(
        decide_url(referral, child, person), answer(child, person, decision="reject", reason="Other mother")
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


def test_no_answer_chosen_names_the_record_and_the_child(case, make_user, login):
    referral, child, person = case
    client = login(make_user(Role.SCREENING_OFFICER))
    response = client.post(decide_url(referral, child, person), answer(child, person, reason=""))
    assert response.status_code == 400
    assert f"Choose whether record {person.pk} is Ollie Brown" in response.content.decode()
    assert "This field is required" not in response.content.decode()
    assert not MatchDecision.objects.exists()


LONDON = ZoneInfo("Europe/London")


def refer_online(child: dict) -> Referral:
    """A referral sent through the public form, as a school sends one."""
    client = Client()
    journey.fill_in(client, children=[child], adults=[])
    journey.submit(client)
    return Referral.objects.order_by("-pk").first()


def test_a_child_referred_twice_shows_the_first_referral_on_the_second_check(make_user, login):
    """A child already in the index (from the case system, no case open): the first referral's check
    links them; a second referral minutes later shows the first, although no case is recorded."""
    child = answers.child_answers(nhs_number="")
    born = date(
        int(child["date_of_birth_year"]), int(child["date_of_birth_month"]), int(child["date_of_birth_day"])
    )
    person = make_person(first_name="Amy", last_name="Smith", date_of_birth=born, postcode="DH1 1AA")
    with time_machine.travel(datetime(2026, 11, 23, 9, 5, tzinfo=LONDON), tick=False) as clock:
        officer = login(make_user(Role.SCREENING_OFFICER))
        first = refer_online(child)
        first_child = first.children.get()
        confirmed = officer.post(
            decide_url(first, first_child, person), answer(first_child, person, decision="confirm")
        )
        assert confirmed.status_code == 302
        clock.shift(timedelta(minutes=7))
        second = refer_online(child)
        page = officer.get(check_url(second)).content.decode()
    assert f"record {person.pk}" in page
    assert "Referrals already recorded" in page
    assert f">{first.reference}</a>" in page and "23 November 2026 at 9:05am" in page
    first.refresh_from_db()
    assert first.get_status_display() in page
    assert "No other referral is recorded" not in page
    # The earlier referral's own audit trail says it was shown, by whom, and on which check.
    shown = AuditEvent.objects.get(action="person_index.known_child_check.referral_shown")
    assert shown.referral_id == first.pk and second.reference in shown.reason
    check = AuditEvent.objects.filter(action="person_index.known_child_check", referral_id=second.pk).get()
    assert check.details == {"referrals_shown": [first.pk]}


def test_a_child_new_to_the_index_is_found_with_their_decided_referral(make_user, login):
    """A child unknown to the case system is added to the index when their first referral is decided;
    the next referral about them offers that record, with the first referral on it."""
    first = make_referral()
    add_child(first, first_name="Maisie", last_name="Jones")
    lead = make_user(Role.MASH_LEAD)
    (person,) = person_index_add_from_referral(first, by=lead)
    second = make_referral()
    add_child(second, first_name="Maisie", last_name="Jones")
    page = login(make_user(Role.SCREENING_OFFICER)).get(check_url(second)).content.decode()
    assert f"record {person.pk}" in page and f">{first.reference}</a>" in page
    assert "No case is recorded in the case system." in page


def test_a_linked_child_shows_their_other_referrals(case, make_user, login):
    referral, child, person = case
    earlier = make_referral()
    add_child(earlier, person=person)
    child.person = person
    child.save()
    page = login(make_user(Role.SCREENING_OFFICER)).get(check_url(referral)).content.decode()
    assert "Linked" in page and f">{earlier.reference}</a>" in page
