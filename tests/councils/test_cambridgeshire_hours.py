"""Cambridgeshire's published hours (seed 004): the Customer Service Centre's own hours beside the
MASH's, shown where the public and professionals find how to contact the council, on a frozen clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import load_preset

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def cambridgeshire(db):
    return load_preset("cambridgeshire")


def start_page(client, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        return client.get("/refer/").content.decode()


def test_cambridgeshire_customer_service_centre_works_9am_to_5pm_monday_to_friday(cambridgeshire, client):
    """004: "Customer Service Centre (CSC) work 9am- 5pm Monday- Friday", beside "MASH/Assessment
    work 8.45am- 5.20pm or 4.20pm on a Friday": the start page says whether the CSC is open now or
    when it opens, from its own hours, not the MASH's."""
    early = start_page(client, at(2026, 11, 23, 8, 50))  # Monday: the MASH is open, the CSC not yet
    open_ = start_page(client, at(2026, 11, 23, 16, 59))
    evening = start_page(client, at(2026, 11, 23, 17, 10))  # the MASH is open until 5.20pm
    weekend = start_page(client, at(2026, 11, 28, 12, 0))  # Saturday
    assert "Customer Service Centre" in open_ and "9am to 5pm, Monday to Friday" in open_
    assert "Closed now: opens at 9am today" in early
    assert "The Multi-Agency Safeguarding Hub is closed now" not in early
    assert "Open now, until 5pm" in open_
    assert "Closed now: opens at 9am tomorrow" in evening
    assert "Closed now: opens at 9am on Monday 30 November" in weekend


def test_cambridgeshire_customer_service_centre_is_closed_on_bank_holidays(cambridgeshire, client):
    """004: the Emergency Duty Team covers "outside of the above hours incl bank holidays": on a bank
    holiday the CSC is closed and opens on the next working day."""
    christmas = start_page(client, at(2026, 12, 25, 10, 0))  # Friday; Monday 28th is Boxing Day's substitute
    assert "Closed now: opens at 9am on Tuesday 29 December" in christmas
