"""The known-child check shows the other referrals about someone like each person that are not in the
index yet: a child referred by a school at 9:00 is on the GP's referral check at 9:20, although the
first referral is undecided and so the child has no index record."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mash.models import AuditEvent
from mash.roles import Role
from referrals import restricted
from tests.factories import AdultFactory, ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AMY = {"first_name": "Amy", "last_name": "Smith", "date_of_birth": date(2016, 5, 1), "postcode": "DH1 1AA"}


def check_url(referral):
    return reverse("person_index:known_child_check", args=[referral.reference])


def referral_about(at: datetime, **child):
    referral = ReferralFactory(received_at=at)
    ChildFactory(referral=referral, **{**AMY, **child})
    return referral


@pytest.fixture
def morning():
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=LONDON), tick=False):
        yield datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


def pending_lookups(queries) -> list[str]:
    """The page's look-ups of people not yet in the index (whatever else the page reads)."""
    return [
        q["sql"]
        for q in queries
        if '"person_id" IS NULL' in q["sql"]
        and ("referrals_referralchild" in q["sql"] or "referrals_referraladult" in q["sql"])
    ]


def test_an_undecided_referral_about_the_same_child_shows_on_the_next_check(morning, make_user, login):
    school = referral_about(morning)
    gp = referral_about(morning + timedelta(minutes=20))
    page = login(make_user(Role.SCREENING_OFFICER)).get(check_url(gp)).content.decode()
    assert "Other referrals about a child like Amy Smith, not yet decided" in page
    assert f'href="/triage/{school.reference}/">{school.reference}</a>' in page
    assert "23 November 2026 at 9am" in page and "Received" in page
    assert "Date of birth: 01/05/2016 / 01/05/2016: same" in page


def test_what_the_user_may_not_open_or_another_child_is_not_shown(morning, make_user, login):
    lead = make_user(Role.MASH_LEAD)
    hidden = referral_about(morning)
    restricted.referral_restrict(hidden, reason="The child's mother works in the MASH.", by=lead)
    other_birthday = referral_about(morning, date_of_birth=date(2014, 2, 9))
    open_one = referral_about(morning)
    gp = referral_about(morning + timedelta(minutes=20))
    page = login(make_user(Role.SCREENING_OFFICER)).get(check_url(gp)).content.decode()
    assert open_one.reference in page  # the page does show pending referrals: the others are left out
    assert hidden.reference not in page
    assert other_birthday.reference not in page
    # The lead who restricted it is named on it, so their check shows it.
    assert hidden.reference in login(lead).get(check_url(gp)).content.decode()


def test_adults_are_matched_with_adults_only(morning, make_user, login):
    earlier = ReferralFactory(received_at=morning)
    AdultFactory(referral=earlier, first_name="Kerry", last_name="Smith", date_of_birth=date(1990, 1, 1))
    ChildFactory(referral=earlier, first_name="Kerry", last_name="Smith", date_of_birth=date(1990, 1, 1))
    now = ReferralFactory(received_at=morning + timedelta(minutes=20))
    AdultFactory(referral=now, first_name="Kerry", last_name="Smith", date_of_birth=date(1990, 1, 1))
    page = login(make_user(Role.SCREENING_OFFICER)).get(check_url(now)).content.decode()
    assert "Other referrals about an adult like Kerry Smith, not yet decided" in page
    assert "a child like" not in page and earlier.reference in page


def test_each_referral_shown_is_audited_as_read(morning, make_user, login):
    school = referral_about(morning)
    gp = referral_about(morning + timedelta(minutes=20))
    officer = make_user(Role.SCREENING_OFFICER)
    login(officer).get(check_url(gp))
    check = AuditEvent.objects.get(action="person_index.known_child_check", referral_id=gp.pk)
    assert check.details == {"referrals_shown": [school.pk]}
    shown = AuditEvent.objects.get(action="person_index.known_child_check.referral_shown")
    assert shown.referral_id == school.pk and shown.actor_id == officer.pk and gp.reference in shown.reason


def test_the_look_up_is_two_queries_however_many_people(morning, make_user, login):
    client = login(make_user(Role.SCREENING_OFFICER))

    def look_ups(people: int) -> tuple[list[str], str]:
        now = ReferralFactory(received_at=morning + timedelta(minutes=20))
        for n in range(people):
            born = date(2016, 5, 1) + timedelta(days=40 * n)
            ChildFactory(referral=now, first_name=f"Amy{n}", last_name="Smith", date_of_birth=born)
            AdultFactory(referral=now, first_name=f"Kerry{n}", last_name="Smith", relationship="mother")
            earlier = ReferralFactory(received_at=morning)
            ChildFactory(referral=earlier, first_name=f"Amy{n}", last_name="Smith", date_of_birth=born)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(check_url(now)).content.decode()
        return pending_lookups(queries.captured_queries), page

    one, _ = look_ups(1)
    many, page = look_ups(8)
    assert len(one) == len(many) == 2
    assert page.count("Other referrals about a child like") == 8


def test_the_page_query_count_stays_fixed(morning, make_user, login, django_assert_max_num_queries):
    """The check's budget in test_person_index_views, which includes the two look-ups here."""
    now = ReferralFactory(received_at=morning + timedelta(minutes=20))
    for n in range(10):
        ChildFactory(referral=now, first_name=f"Child{n}", last_name="Smith", date_of_birth=None, postcode="")
        ChildFactory(referral=ReferralFactory(received_at=morning), first_name=f"Child{n}", last_name="Smith")
    officer = make_user(Role.SCREENING_OFFICER)
    client = login(officer)
    restricted.named_referral_ids(officer)  # its content type is cached once per process
    with django_assert_max_num_queries(18 + 10):
        client.get(check_url(now))
