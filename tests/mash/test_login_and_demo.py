import pytest
from django.core.management import call_command
from django.test import override_settings

from mash.management.commands.seed_demo import DEMO_PASSWORD, USERS
from mash.models import User
from triage.models import PolicyVersion


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_data_gives_one_user_per_role_and_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")
    demo_usernames = {row[0] for row in USERS}
    assert (
        set(User.objects.filter(username__in=demo_usernames).values_list("username", flat=True))
        == demo_usernames
    )
    assert PolicyVersion.objects.filter(is_current=True).count() == 1
    for username, *_ in USERS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_data_refuses_to_run_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo")


@pytest.mark.django_db
def test_staff_sign_in_page_signs_a_user_in(client, make_user):
    make_user(username="lee")
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"Sign in" in page.content
    response = client.post(
        "/accounts/login/", {"username": "lee", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "lee"


@pytest.mark.django_db
def test_wrong_password_shows_the_error_summary(client, make_user):
    make_user(username="lee")
    response = client.post("/accounts/login/", {"username": "lee", "password": "wrong"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content


@pytest.mark.django_db
def test_start_page_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Report a concern about a child" in response.content


@pytest.mark.django_db
def test_navigation_shows_each_role_only_its_own_pages(make_user):
    from mash.navigation import items_for
    from mash.roles import Role

    admin = make_user(Role.ADMINISTRATOR, is_superuser=True)
    police = make_user(Role.AGENCY_PARTNER)
    admin_pages = {item["label"] for item in items_for(admin)}
    assert "Audit log" in admin_pages and "Information requests" not in admin_pages
    assert {item["label"] for item in items_for(police)} == {"Information requests"}


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_data_puts_referrals_in_the_queue_through_the_real_intake():
    from mash.management.commands.seed_demo import DEMO_REFERRALS
    from referrals.models import Referral
    from triage.states import Status

    call_command("seed_demo")
    call_command("seed_demo")
    referrals = Referral.objects.filter(idempotency_key__startswith="demo:")
    assert referrals.count() == len(DEMO_REFERRALS)
    assert all(r.status == Status.RECEIVED and r.next_due_at is not None for r in referrals)
    assert referrals.get(idempotency_key="demo:smith").children.count() == 2
