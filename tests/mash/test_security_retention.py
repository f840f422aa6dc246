"""Retention: referrals not progressed for lack of consent lose their personal data after the
policy's retention period; the purge is recorded as counts, and runs once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from mash.models import AuditEvent, RetentionPurge
from tests.support.security import make_referral, record_status
from triage.tasks import purge_no_consent_referrals


@pytest.fixture
def policy(db):
    call_command("load_policy_preset", "durham", verbosity=0)
    from triage.models import PolicyVersion

    return PolicyVersion.current()


@pytest.mark.django_db
def test_returned_referral_is_purged_only_after_the_retention_period(policy):
    days = policy.no_consent_retention_days
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        returned = make_referral(status="returned")
        record_status(returned, "returned", "Not progressed for lack of consent: mother refused")
        kept = make_referral(status="screening")  # still in progress: never purged
        record_status(kept, "screening")

        traveller.shift(timedelta(days=days) - timedelta(minutes=1))
        assert purge_no_consent_referrals() == {"referrals": 0, "children": 0, "adults": 0}
        returned.refresh_from_db()
        assert returned.concerns

        traveller.shift(timedelta(minutes=2))
        assert purge_no_consent_referrals() == {"referrals": 1, "children": 1, "adults": 1}

    returned.refresh_from_db()
    child = returned.children.get()
    assert (returned.concerns, returned.childs_voice, returned.referrer_name, returned.referrer_email) == (
        "",
    ) * 4
    assert (child.first_name, child.last_name, child.nhs_number, child.postcode) == ("",) * 4
    assert child.date_of_birth is None and child.sex == "F"  # codes kept for statutory counts
    assert returned.adults.count() == 0 and returned.reference.startswith("SEC-")
    kept.refresh_from_db()
    assert kept.concerns and kept.children.get().first_name == "Amy"

    purge = RetentionPurge.objects.get(referral=returned)
    assert purge.counts["children"] == 1 and purge.counts["adults"] == 1
    event = AuditEvent.objects.get(action="retention.purged")
    assert event.referral_id == returned.pk and event.actor_label == "system"
    assert "Amy" not in str(event.details) and "Bruising" not in str(event.details)
    assert AuditEvent.objects.filter(action="retention.run").get().details["referrals"] == 1


@pytest.mark.django_db
def test_purge_is_idempotent_and_only_closed_for_lack_of_consent_counts(policy):
    long_ago = timezone.now() - timedelta(days=policy.no_consent_retention_days + 1)
    no_consent = make_referral(status="closed")
    record_status(no_consent, "closed", "Not progressed for lack of consent", at=long_ago)
    advice = make_referral(status="closed")
    record_status(advice, "closed", "Advice given; no further action", at=long_ago)

    assert purge_no_consent_referrals()["referrals"] == 1
    assert purge_no_consent_referrals()["referrals"] == 0
    assert RetentionPurge.objects.get().referral == no_consent
    advice.refresh_from_db()
    assert advice.concerns and advice.children.get().nhs_number == "9434765919"
    assert AuditEvent.objects.filter(action="retention.purged").count() == 1


def test_the_purge_runs_every_night_from_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["purge-no-consent-referrals"]
    assert entry["task"] == purge_no_consent_referrals.name
