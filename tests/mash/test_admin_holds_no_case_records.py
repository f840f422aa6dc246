"""The Django admin is for running the service, not for reading children's records.

Administrators (superusers) run accounts, teams, agencies, keys, devices and the policy there. The
admin lists no model holding a child's or adult's personal data, and the operational records it
does show about a referral (break-glass grants, alerts, letters, outbox messages) name it by its
reference only: no page of the admin shows a name, a date of birth, an address or an e-mail address
from a referral.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.admin import ModelAdmin
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from mash.outbox.models import OutboxMessage
from mash.roles import Role
from notifications.models import Alert, Letter, LetterOutcome
from security import break_glass
from security.admin_site import AuditedAdminSite
from tests.factories import AdultFactory, ChildFactory, ReferralFactory
from triage.models import Deadline

# A model holds a person's data when it is the referral or the person index, or points at one of
# them (the admin site's own test is not reused: this list is the test's, so it checks the site).
PEOPLE = {"referrals.Referral", "referrals.ReferralChild", "referrals.ReferralAdult", "referrals.Person"}
NOT_PERSONAL = {"referrals.ReferenceCounter"}
# Shown because operations need them; each is checked below to show no personal data.
OPERATIONAL = {
    "mash.BreakGlassGrant",
    "notifications.Alert",
    "notifications.Letter",
    "notifications.OutboxMessage",
}

REFERRER_EMAIL = "priya.shah@hillside.example.sch.uk"
SMTP_ERROR = f"SMTPRecipientsRefused: {{'{REFERRER_EMAIL}': (550, b'5.1.1 User unknown')}}"


def holds_personal_data(model) -> bool:
    label = model._meta.label
    if label in PEOPLE:
        return True
    if model._meta.app_label == "referrals" and label not in NOT_PERSONAL:
        return True
    return any(
        field.is_relation and field.related_model is not None and field.related_model._meta.label in PEOPLE
        for field in model._meta.get_fields()
        if field.concrete
    )


@pytest.fixture
def administrator(make_user, login):
    user = make_user(Role.ADMINISTRATOR, username="root_ada", is_staff=True, is_superuser=True)
    login(user)
    return user


@pytest.fixture
def referral_with_work(make_user):
    """A referral about a child and an adult, with one of each operational record about it."""
    referral = ReferralFactory(referrer_name="Priya Shah", referrer_email=REFERRER_EMAIL)
    ChildFactory(referral=referral, first_name="Quillon", last_name="Marchbank", address="7 Lantern Row")
    AdultFactory(referral=referral, first_name="Ysolde", last_name="Marchbank")
    now = timezone.now()
    deadline = Deadline.objects.create(
        referral=referral,
        kind=Deadline.Kind.DECISION,
        started_at=now,
        due_at=now + dt.timedelta(days=1),
        warn_at=now + dt.timedelta(hours=20),
    )
    Alert.objects.create(deadline=deadline, referral=referral, level="warning", raised_at=now, due_at=now)
    Letter.objects.create(
        referral=referral,
        outcome=LetterOutcome.values[0],
        recipient=REFERRER_EMAIL,
        decided_at=now,
        due_at=now,
        status=Letter.Status.FAILED,
        last_error=SMTP_ERROR,
    )
    OutboxMessage.objects.create(
        key=f"letter:{referral.pk}:1",
        kind="outcome_letter",
        payload={"to": REFERRER_EMAIL, "child": "Quillon Marchbank"},
        referral=referral,
        status=OutboxMessage.Status.FAILED,
        last_error=SMTP_ERROR,
    )
    worker = make_user(Role.SOCIAL_WORKER)
    break_glass.break_glass_grant(
        user=worker, reference=referral.reference, reason="Out of hours call from A&E.", by=worker
    )
    return referral


def personal_data(referral) -> set[str]:
    people = [*referral.children.all(), *referral.adults.all()]
    values = {referral.referrer_name, referral.referrer_email, referral.concerns}
    for person in people:
        values |= {person.first_name, person.last_name, person.address, f"{person.date_of_birth:%Y-%m-%d}"}
    return {value for value in values if value}


def listed_models(response) -> list:
    return [entry["model"] for app in response.context["app_list"] for entry in app["models"]]


@pytest.mark.django_db
def test_the_admin_index_lists_no_model_holding_personal_data(client, administrator):
    response = client.get("/admin/")
    assert response.status_code == 200
    listed = listed_models(response)
    assert {"mash.User", "agencies.Agency", "agencies.Team", "triage.PolicyVersion"} <= {
        model._meta.label for model in listed
    }
    personal = sorted(
        m._meta.label for m in listed if holds_personal_data(m) and m._meta.label not in OPERATIONAL
    )
    assert not personal, f"The admin offers models holding personal data: {personal}"


@pytest.mark.django_db
def test_no_admin_page_shows_a_childs_or_adults_personal_data(client, administrator, referral_with_work):
    secrets = personal_data(referral_with_work)
    model_labels = {m._meta.label for m in listed_models(client.get("/admin/"))}
    seen: list[str] = []
    for label in sorted(model_labels & OPERATIONAL):
        model = apps.get_model(label)
        pages = [f"/admin/{model._meta.app_label}/{model._meta.model_name}/"]
        pages += [f"{pages[0]}{pk}/change/" for pk in model.objects.values_list("pk", flat=True)]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            seen += [f"{secret!r} on {url}" for secret in secrets if re.search(re.escape(secret), body)]
    assert not seen, "The admin shows personal data:\n" + "\n".join(seen)


@pytest.mark.django_db
def test_a_letters_delivery_error_is_shown_without_the_address(client, administrator, referral_with_work):
    letter = Letter.objects.get(referral=referral_with_work)
    body = client.get(f"/admin/notifications/letter/{letter.pk}/change/").content.decode()
    assert "SMTPRecipientsRefused" in body and "[address]" in body


def test_the_admin_site_refuses_a_model_holding_personal_data():
    site = AuditedAdminSite(name="scratch")
    for label in (
        "referrals.Referral",
        "referrals.ReferralChild",
        "referrals.Consultation",
        "triage.Outcome",
    ):
        with pytest.raises(ImproperlyConfigured, match="personal data"):
            site.register(apps.get_model(label), ModelAdmin)
    site.register(apps.get_model("agencies.Agency"), ModelAdmin)
    assert site.is_registered(apps.get_model("agencies.Agency"))
