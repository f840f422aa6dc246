"""Submissions at the same moment, on PostgreSQL (SQLite serialises writers, so it proves nothing):
references stay unique and gap-free, and a double click makes one referral."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mash import audit
from referrals.actions import referral_submit
from referrals.intake import clean_intake
from referrals.models import Referral
from tests.support import answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _data():
    return clean_intake(
        {
            "route": {"referrer_type": "professional"},
            "referrer": answers.professional_answers(),
            "concern": answers.concern_answers(),
            "support": answers.support_answers(),
            "voices": answers.voices_answers(),
            "consent": answers.consent_answers(),
            "children": [answers.child_answers()],
            "adults": [answers.adult_answers()],
        }
    )


def _race(keys: list[str]) -> list[str]:
    data = _data()
    barrier = threading.Barrier(len(keys))
    references: list[str] = []
    errors: list[BaseException] = []

    def submit(key: str) -> None:
        try:
            barrier.wait()
            references.append(
                referral_submit(data, by=audit.PUBLIC, channel="online", idempotency_key=key).reference
            )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return references


def test_simultaneous_submissions_get_distinct_consecutive_references():
    references = _race([f"web:key-{n}" for n in range(6)])
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert numbers == list(range(numbers[0], numbers[0] + 6))
    assert Referral.objects.count() == 6


def test_double_click_at_the_same_moment_makes_one_referral():
    references = _race(["web:same"] * 4)
    assert len(set(references)) == 1
    assert Referral.objects.count() == 1
