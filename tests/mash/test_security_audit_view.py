"""The administrators' audit view: who looked at this child, and what did this user look at."""

from __future__ import annotations

import pytest

from mash import audit
from mash.models import AuditEvent
from mash.roles import Role
from tests.support.security import make_referral


@pytest.fixture
def history(make_user):
    from referrals.models import Person

    referral, other = make_referral(), make_referral()
    person = Person.objects.create(first_name="Amy", last_name="Example")
    referral.children.update(person=person)
    alice, bob = (
        make_user(Role.SCREENING_OFFICER, username="alice"),
        make_user(Role.MASH_LEAD, username="bob"),
    )
    audit.record_read("referral.view", actor=alice, obj=referral)
    audit.record_read("referral.view", actor=bob, obj=other)
    audit.record_read("person.view", actor=bob, obj=person)
    return {"referral": referral, "other": other, "person": person, "alice": alice, "bob": bob}


def _rows(response):
    return list(response.context["page"].object_list)


@pytest.mark.django_db
def test_who_looked_at_this_referral(client, login, make_user, history):
    login(make_user(Role.ADMINISTRATOR))
    response = client.get("/audit/", {"reference": history["referral"].reference.lower()})
    assert response.status_code == 200
    assert [(e.actor_label, e.action) for e in _rows(response)] == [("alice", "referral.view")]


@pytest.mark.django_db
def test_who_looked_at_this_child_through_the_person_index(client, login, make_user, history):
    login(make_user(Role.ADMINISTRATOR))
    response = client.get("/audit/", {"person": history["person"].pk})
    assert {(e.actor_label, e.action) for e in _rows(response)} == {
        ("alice", "referral.view"),
        ("bob", "person.view"),
    }


@pytest.mark.django_db
def test_what_this_user_looked_at(client, login, make_user, history):
    login(make_user(Role.ADMINISTRATOR))
    response = client.get("/audit/", {"username": "bob", "reads_only": "on"})
    assert {e.action for e in _rows(response)} == {"referral.view", "person.view"}
    assert b"govuk-table" in response.content


@pytest.mark.django_db
def test_audit_view_is_for_administrators_only(client, login, make_user, history):
    login(make_user(Role.MASH_LEAD))
    assert client.get("/audit/", {"username": "bob"}).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.search").exists()


@pytest.mark.django_db
def test_audit_view_is_paginated_with_constant_queries(
    client, login, make_user, django_assert_max_num_queries
):
    admin = make_user(Role.ADMINISTRATOR)
    worker = make_user(Role.SOCIAL_WORKER, username="walt")
    referral = make_referral()
    for _ in range(120):
        audit.record_read("referral.view", actor=worker, obj=referral)
    login(admin)
    with django_assert_max_num_queries(9):
        first = client.get("/audit/", {"username": "walt"})
    page = first.context["page"]
    assert page.paginator.count == 120 and len(page.object_list) == 50 and page.paginator.num_pages == 3
    assert b"page=2" in first.content and b"username=walt" in first.content
    assert len(client.get("/audit/", {"username": "walt", "page": 3}).context["page"].object_list) == 20
