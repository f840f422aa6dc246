import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.models import User
from mash.roles import Role
from triage.models import PolicyVersion
from web.management.commands.seed_demo import DEMO_PASSWORD, USERS


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


def _sign_in(client, user, **extra) -> str:
    """Password then a code from the user's authenticator app; returns where the service sends them."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    password = client.post(
        "/accounts/login/", {"username": user.username, "password": "correct-horse-battery-staple", **extra}
    )
    assert password.status_code == 302 and password["Location"].startswith("/accounts/two-factor/")
    verified = client.post(password["Location"], {"token": totp(device.bin_key)})
    assert verified.status_code == 302
    return verified["Location"]


@pytest.mark.django_db
def test_staff_sign_in_page_signs_a_user_in(client, make_user):
    user = make_user(Role.SCREENING_OFFICER, username="lee")
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"Sign in" in page.content
    assert _sign_in(client, user) == "/triage/"
    assert client.get("/triage/").context["user"].username == "lee"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "lands_on"),
    [
        ((Role.SCREENING_OFFICER,), "/triage/"),
        ((Role.MASH_LEAD,), "/triage/"),
        ((Role.AGENCY_PARTNER,), "/partners/"),
        ((Role.TEAM_MANAGER,), "/mash/team-queue/"),
        ((Role.SOCIAL_WORKER,), "/triage/"),
        ((Role.EMERGENCY_DUTY,), "/triage/edt/"),
        ((Role.PERFORMANCE_OFFICER,), "/reports/"),
        ((Role.ADMINISTRATOR,), "/admin/"),
    ],
)
def test_each_role_lands_on_its_own_work_after_the_second_factor(client, make_user, roles, lands_on):
    user = make_user(*roles, is_staff=Role.ADMINISTRATOR in roles)
    assert _sign_in(client, user) == lands_on
    assert client.get(lands_on).status_code == 200  # and may use it
    assert client.get("/")["Location"] == lands_on  # the front door leads there too


@pytest.mark.django_db
def test_a_safe_next_still_wins_over_the_landing_page(client, make_user):
    user = make_user(Role.MASH_LEAD)
    assert _sign_in(client, user, next="/triage/edt/") == "/triage/edt/"


@pytest.mark.django_db
def test_an_unsafe_next_falls_back_to_the_landing_page(client, make_user):
    user = make_user(Role.AGENCY_PARTNER)
    assert _sign_in(client, user, next="https://evil.example/") == "/partners/"


@pytest.mark.django_db
def test_staff_menu_is_not_shown_before_the_second_factor(client, make_user):
    user = make_user(Role.SCREENING_OFFICER)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.post("/accounts/login/", {"username": user.username, "password": "correct-horse-battery-staple"})
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert page.context["staff_navigation"] == []
    assert "Triage queue" not in page.content.decode()
    assert client.get("/")["Location"] == "/accounts/two-factor/"  # not yet to their work


@pytest.mark.django_db
def test_wrong_password_shows_the_error_summary(client, make_user):
    make_user(username="lee")
    response = client.post("/accounts/login/", {"username": "lee", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="govuk-error-summary"') == 1
    assert "---------" not in html and "This field is required" not in html


@pytest.mark.django_db
def test_empty_sign_in_names_each_field_and_marks_both_boxes(client):
    response = client.post("/accounts/login/", {})
    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert "This field is required" not in html
    # The password box is red too (the template pack colours only text inputs by itself).
    password = re.search(r'<input type="password"[^>]*>', html).group(0)
    assert "govuk-input--error" in password


@pytest.mark.django_db
def test_password_change_speaks_plainly(client, make_user, login):
    login(make_user(Role.SOCIAL_WORKER))
    html = client.post("/accounts/password/", {}).content.decode()
    assert "Enter your current password" in html and "Enter a new password" in html
    assert "Enter old password" not in html


@pytest.mark.django_db
def test_the_public_start_page_is_the_form_s_own(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/refer/"
    start = client.get("/refer/")
    assert start.status_code == 200 and b"Report a concern about a child" in start.content


@pytest.mark.django_db
def test_navigation_shows_each_role_only_its_own_pages(client, make_user, login):
    admin = make_user(Role.ADMINISTRATOR, is_superuser=True)
    police = make_user(Role.AGENCY_PARTNER)
    login(admin)
    admin_pages = {item["label"] for item in client.get("/audit/").context["staff_navigation"]}
    assert "Audit log" in admin_pages and "Information requests" not in admin_pages
    login(police)
    assert {item["label"] for item in client.get("/partners/").context["staff_navigation"]} == {
        "Information requests"
    }


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_data_puts_referrals_in_the_queue_through_the_real_intake():
    from referrals.models import Referral
    from referrals.states import Status
    from web.management.commands.seed_demo import DEMO_REFERRALS

    call_command("seed_demo")
    call_command("seed_demo")
    referrals = Referral.objects.filter(idempotency_key__startswith="demo:")
    assert referrals.count() == len(DEMO_REFERRALS)
    assert all(r.status == Status.RECEIVED and r.next_due_at is not None for r in referrals)
    assert referrals.get(idempotency_key="demo:smith").children.count() == 2
