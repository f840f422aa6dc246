"""The online referral form: both routes end to end, the check page, resubmission, staff recording."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from mash.models import AuditEvent
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from referrals.models import Consultation, Referral
from tests.support import answers
from tests.support.journey import REFER, fill_in, step, submit

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the rate limit counts per client address across tests otherwise
    yield
    cache.clear()


def test_the_front_door_sends_a_referrer_to_the_one_start_page(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("referrals:start")
    start = client.get(response["Location"]).content.decode()
    assert "Report a concern about a child" in start and "Start now" in start


def test_start_page_in_working_hours_has_no_out_of_hours_notice(client, db):
    with time_machine.travel(datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)):  # a Wednesday morning
        page = client.get(REFER).content.decode()
    assert "call 999" in page
    assert "closed now" not in page


def test_start_page_out_of_hours_says_who_to_call(client, db):
    from triage.policy import current_policy

    policy = current_policy()
    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=LONDON)):  # a Sunday night
        page = client.get(REFER).content.decode()
    assert "closed now" in page
    assert "emergency duty team" in page
    if policy.edt_phone:
        assert policy.edt_phone in page


def test_start_page_on_a_bank_holiday_is_out_of_hours(client, db):
    with time_machine.travel(datetime(2026, 12, 25, 11, 0, tzinfo=LONDON)):  # Christmas Day, a Friday
        assert "closed now" in client.get(REFER).content.decode()


def test_professional_journey_end_to_end(client, db):
    fill_in(
        client, children=[answers.child_answers(), answers.child_answers(first_name="Ben", nhs_number="")]
    )
    check = client.get(f"{REFER}check/").content.decode()
    for text in (
        "Jane Teacher",
        "Amy Smith",
        "Ben Smith",
        "Jo Smith",
        "A school, college or nursery",
        "Yes, consent was given",
        "Change",
    ):
        assert text in check
    response, _key = submit(client)
    assert response["Location"] == f"{REFER}confirmation/"
    referral = Referral.objects.get()
    confirmation = client.get(f"{REFER}confirmation/").content.decode()
    assert referral.reference in confirmation
    assert "We will email you the outcome" in confirmation
    assert re.fullmatch(r"MASH-20[0-9]{2}-[0-9]{6}", referral.reference)
    assert referral.status == "received"
    assert referral.channel == "online"
    assert referral.source == "2A"
    assert referral.referrer_phone == "01632960001"
    assert [c.first_name for c in referral.children.all()] == ["Amy", "Ben"]
    assert referral.children.first().postcode == "DH1 1AA"
    assert referral.adults.get().has_parental_responsibility is True
    assert referral.consent == "given" and referral.consent_given_by == "Jo Smith, mother"
    assert AuditEvent.objects.filter(
        action="referral.submit", referral_id=referral.pk, actor_label="public"
    ).exists()
    ack = OutboxMessage.objects.get(referral=referral, kind="email")
    assert ack.payload["to"] == "jane.teacher@school.example"
    assert "Amy" not in ack.payload["body"]  # e-mail is not secure: no child's name
    # The answers are gone from the session once sent.
    assert client.get(f"{REFER}check/")["Location"] == REFER


def test_public_anonymous_journey_keeps_no_contact_details(client, db):
    fill_in(client, route="public", referrer=answers.public_answers(anonymous=True), adults=[])
    submit(client)
    referral = Referral.objects.get()
    assert referral.referrer_type == "public"
    assert referral.referrer_anonymous is True
    assert referral.source == "9"
    assert (referral.referrer_name, referral.referrer_email, referral.referrer_phone) == ("", "", "")
    assert not OutboxMessage.objects.exists()
    assert (
        "We do not tell members of the public the outcome"
        in client.get(f"{REFER}confirmation/").content.decode()
    )


def test_public_named_referrer_gets_an_acknowledgement_without_the_outcome(client, db):
    fill_in(client, route="public")
    submit(client)
    referral = Referral.objects.get()
    assert referral.source == "1B"
    body = OutboxMessage.objects.get(referral=referral).payload["body"]
    assert "do not tell members of the public the outcome" in body


def test_double_click_and_resubmission_make_one_referral(client, db):
    fill_in(client)
    first, key = submit(client)
    second = client.post(f"{REFER}check/", {"idempotency_key": key})
    assert first["Location"] == second["Location"] == f"{REFER}confirmation/"
    assert Referral.objects.count() == 1


def test_check_page_redirects_to_what_is_missing(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "professional"})
    assert client.get(f"{REFER}check/")["Location"] == f"{REFER}about-you/?change=1"
    assert not Referral.objects.exists()


def test_pages_need_a_started_form(client, db):
    assert client.get(f"{REFER}concern/")["Location"] == REFER
    assert client.get(f"{REFER}children/")["Location"] == REFER


def test_change_link_returns_to_check(client, db):
    fill_in(client)
    response = client.post(f"{REFER}concern/?change=1", {**answers.concern_answers(), "why_now": "Changed"})
    assert response["Location"] == f"{REFER}check/"
    assert "Changed" in client.get(f"{REFER}check/").content.decode()


def test_changing_a_child_returns_straight_to_check(client, db):
    fill_in(client)
    check = client.get(f"{REFER}check/").content.decode()
    assert 'href="/refer/children/0/?change=1#id_first_name"' in check
    response = client.post(f"{REFER}children/0/?change=1", answers.child_answers(first_name="Amelia"))
    assert response["Location"] == f"{REFER}check/"
    assert "Amelia Smith" in client.get(f"{REFER}check/").content.decode()


def test_adding_an_adult_from_check_returns_to_check(client, db):
    fill_in(client, adults=[])
    check = client.get(f"{REFER}check/").content.decode()
    assert "None added" in check
    step(client, "adults/?change=1", {"add_another": "yes"}, expect="adults/add/?change=1")
    step(client, "adults/add/?change=1", answers.adult_answers(), expect="check/")
    assert "Jo Smith" in client.get(f"{REFER}check/").content.decode()


def _section(html: str, title: str) -> str:
    """The summary list under one heading of the check page."""
    start = html.index(f'<h2 class="govuk-heading-m">{title}</h2>')
    return html[start : html.index("</dl>", start)]


def test_check_page_says_not_given_once_per_section_and_hides_what_does_not_apply(client, db):
    fill_in(client, children=[answers.child_answers(nhs_number="", school="")])
    html = client.get(f"{REFER}check/").content.decode()
    child = _section(html, "Child 1: Amy Smith")
    assert child.count("Not given") == 1
    for question in (
        "NHS number (if known)",
        "School, nursery or other setting",
        "Other names they are known by",
    ):
        assert question in child  # named once, under "Not given"
    assert "Expected date of birth" not in child  # Amy is born
    assert "1 High Street, Durham" in child
    consent = _section(html, "Consent")
    assert "Why was consent refused" not in consent  # consent was given
    assert "Jo Smith, mother" in consent
    concern = _section(html, "Your concern")
    assert concern.count("Not given") == 1 and "at risk of significant harm now?" in concern  # not answered


def test_check_page_for_an_anonymous_member_of_the_public(client, db):
    fill_in(client, route="public", referrer=answers.public_answers(anonymous=True))
    html = client.get(f"{REFER}check/").content.decode()
    about = _section(html, "About you")
    assert "Your full name" not in about and "Not given" not in about
    tried = _section(html, "What has been tried")
    assert "What have you done so far?" in tried
    assert "early help" not in tried.lower()


def test_public_wording_differs_from_a_professionals(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "public"})
    public = client.get(f"{REFER}what-has-been-tried/").content.decode()
    assert "What have you done so far?" in public
    assert "or your organisation" not in public and "early help" not in public
    step(client, "who/", {"referrer_type": "professional"})
    professional = client.get(f"{REFER}what-has-been-tried/").content.decode()
    assert "What have you or your organisation done so far?" in professional
    assert "Has an early help assessment been offered?" in professional


def test_check_page_change_links_keep_proper_nouns_for_screen_readers(client, db):
    fill_in(client)
    html = client.get(f"{REFER}check/").content.decode()
    assert '<span class="govuk-visually-hidden"> NHS number (if known) for Amy Smith</span>' in html
    assert "(Gillick competence)?</span>" in html


def test_person_pages_ask_as_gov_uk_does_and_choose_nothing_for_the_child(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "professional"})
    step(client, "about-you/", answers.professional_answers())
    child = client.get(f"{REFER}children/add/").content.decode()
    assert "---------" not in child
    assert not re.search(r'value="[^"]+"[^>]*(selected|checked)', child)  # nothing chosen for them
    assert re.search(r'<option value=""[^>]*>Choose ethnicity</option>', child)
    assert 'class="govuk-radios__input"' in child and 'name="date_of_birth_day"' in child
    assert "Not known or unborn" in child
    step(client, "children/add/", answers.child_answers())
    step(client, "children/", {"add_another": "no"})
    adult = client.get(f"{REFER}adults/add/").content.decode()
    assert "unborn" not in adult.lower()
    assert 'value="U"' in adult and "Not known" in adult


def test_changing_route_asks_about_the_referrer_again(client, db):
    fill_in(client)
    response = client.post(f"{REFER}who/?change=1", {"referrer_type": "public"})
    assert response["Location"] == f"{REFER}about-you/?change=1"
    assert client.get(f"{REFER}check/")["Location"] == f"{REFER}about-you/?change=1"


def test_remove_a_child(client, db):
    fill_in(client, children=[answers.child_answers(), answers.child_answers(first_name="Ben")])
    client.post(f"{REFER}children/1/remove/")
    submit(client)
    assert [c.first_name for c in Referral.objects.get().children.all()] == ["Amy"]


def test_unborn_child(client, db):
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.localdate() + timedelta(days=60)
    unborn = {
        "unborn": "yes",
        "first_name": "",
        "last_name": "",
        "sex": "U",
        "ethnicity": "NOBT",
        "expected_date_of_birth_day": str(due.day),
        "expected_date_of_birth_month": str(due.month),
        "expected_date_of_birth_year": str(due.year),
    }
    fill_in(client, children=[unborn])
    assert "Unborn child" in client.get(f"{REFER}check/").content.decode()
    submit(client)
    child = Referral.objects.get().children.get()
    assert child.expected_date_of_birth == due and child.date_of_birth is None


def test_urls_carry_no_personal_data_or_reference(client, db):
    fill_in(client)
    response, _ = submit(client)
    reference = Referral.objects.get().reference
    assert reference not in response["Location"]
    assert "Amy" not in response["Location"]


def test_rate_limit_counts_referrals_sent_not_pages(client, db, settings):
    """A school sharing one address sends three two-child referrals (about fifteen posts each)
    under a limit of 3 a minute; the fourth is refused at sending, and nothing is lost."""
    settings.REFERRAL_RATE_LIMIT = "3/m"
    two_children = [answers.child_answers(), answers.child_answers(first_name="Ben", nhs_number="")]
    with time_machine.travel(datetime(2026, 11, 25, 11, 0, 5, tzinfo=LONDON), tick=False):
        for _ in range(3):
            fill_in(client, children=two_children)
            response, _key = submit(client)
            assert response["Location"] == f"{REFER}confirmation/"
        assert Referral.objects.count() == 3
        fill_in(client, children=two_children)  # every page of a fourth referral still works
        page = client.get(f"{REFER}check/")
        refused = client.post(f"{REFER}check/", {"idempotency_key": page.context["wizard"].key})
        assert refused.status_code == 429
        assert "Your referral has not been sent yet" in refused.content.decode()
        assert Referral.objects.count() == 3
        kept = client.get(f"{REFER}check/")  # the answers are still there to send
        assert kept.status_code == 200 and "Ben Smith" in kept.content.decode()
    with time_machine.travel(datetime(2026, 11, 25, 11, 1, 5, tzinfo=LONDON), tick=False):
        response, _key = submit(client)  # a minute later the same answers go through
    assert response["Location"] == f"{REFER}confirmation/"
    assert Referral.objects.count() == 4
    assert sorted(Referral.objects.last().children.values_list("first_name", flat=True)) == ["Amy", "Ben"]


def test_rate_limit_never_counts_staff_recording_referrals(client, db, settings, make_user, login):
    settings.REFERRAL_RATE_LIMIT = "1/m"
    login(make_user(Role.SCREENING_OFFICER))
    with time_machine.travel(datetime(2026, 11, 25, 11, 0, 5, tzinfo=LONDON), tick=False):
        for _ in range(2):
            client.post(f"{REFER}record/", {"channel": "phone"})
            fill_in(client, start=False)
            assert submit(client)[0]["Location"] == f"{REFER}confirmation/"
    assert Referral.objects.count() == 2


def test_staff_record_a_phone_referral(client, db, make_user, login):
    officer = make_user(Role.SCREENING_OFFICER)
    login(officer)
    response = client.post(f"{REFER}record/", {"channel": "phone"})
    assert response["Location"] == f"{REFER}who/"
    fill_in(client, start=False)
    assert "Recording a referral received by phone" in client.get(f"{REFER}who/").content.decode()
    submit(client)
    referral = Referral.objects.get()
    assert referral.channel == "phone"
    assert referral.recorded_by == officer
    assert AuditEvent.objects.get(action="referral.submit").actor == officer


def test_staff_record_page_needs_a_mash_role(client, db, make_user, login):
    assert client.get(f"{REFER}record/").status_code == 302  # to sign in
    login(make_user(Role.SOCIAL_WORKER))
    assert client.get(f"{REFER}record/").status_code == 403
    assert client.get(f"{REFER}consultation/").status_code == 403


def test_staff_recorded_referral_needs_the_recorder_to_still_be_staff(client, db, make_user, login):
    lead = make_user(Role.MASH_LEAD)
    login(lead)
    client.post(f"{REFER}record/", {"channel": "email"})
    fill_in(client, start=False)
    lead.groups.clear()  # the role is taken away before the referral is sent
    page = client.get(f"{REFER}check/")
    response = client.post(f"{REFER}check/", {"idempotency_key": page.context["wizard"].key})
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_consultation_is_counted_separately(client, db, make_user, login):
    officer = make_user(Role.SCREENING_OFFICER)
    login(officer)
    response = client.post(
        f"{REFER}consultation/",
        {
            "caller_name": "Sam",
            "caller_organisation": "Hilltop Primary",
            "source": "2A",
            "summary": "Asked whether a bruise needs a referral.",
            "advice_given": "Talk to the DSL; early help.",
        },
    )
    assert response.status_code == 200
    assert "Consultation recorded" in response.content.decode()
    assert "Consultations recorded this month: 1" in response.content.decode()
    consultation = Consultation.objects.get()
    assert consultation.recorded_by == officer
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="consultation.record").exists()


def test_consultation_validation(client, db, make_user, login):
    login(make_user(Role.SCREENING_OFFICER))
    response = client.post(f"{REFER}consultation/", {"source": "ZZ"})
    errors = response.context["form"].errors
    assert errors["summary"] == ["Enter what the caller asked about"]
    assert errors["advice_given"] == ["Enter the advice you gave"]
    assert "from the list" in errors["source"][0]
    assert not Consultation.objects.exists()


def test_pages_have_back_links_that_work_without_javascript(client, db):
    fill_in(client)
    assert 'href="/refer/views/" class="govuk-back-link"' in client.get(f"{REFER}consent/").content.decode()
    assert 'href="/refer/consent/" class="govuk-back-link"' in client.get(f"{REFER}check/").content.decode()
    assert (
        'href="/refer/check/" class="govuk-back-link"'
        in client.get(f"{REFER}concern/?change=1").content.decode()
    )
    assert 'href="/refer/children/" class="govuk-back-link"' in client.get(f"{REFER}adults/").content.decode()


def test_confirmation_out_of_hours_says_when_it_will_be_read(client, db):
    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=LONDON)):  # a Sunday night
        fill_in(client)
        submit(client)
        page = client.get(f"{REFER}confirmation/").content.decode()
    assert "We are closed now" in page
    assert Referral.objects.get().out_of_hours is True


def _refer_sunday_night(client, *, significant_harm: str) -> Referral:
    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=LONDON)):  # a Sunday night
        fill_in(client, concern={"significant_harm": significant_harm})
        submit(client)
    return Referral.objects.get()


def test_significant_harm_out_of_hours_reaches_the_emergency_duty_team_at_once(client, db):
    from agencies.models import Team

    Team.objects.create(name="EDT", slug="edt", kind=Team.Kind.EMERGENCY_DUTY, email="edt@example.gov.uk")
    referral = _refer_sunday_night(client, significant_harm="yes")
    assert referral.significant_harm is True
    assert referral.edt_flag is not None
    alert = OutboxMessage.objects.get(key__startswith=f"edt_alert:{referral.pk}:")
    assert alert.payload["to"] == "edt@example.gov.uk"


def test_out_of_hours_referral_without_significant_harm_waits_for_the_working_day(client, db):
    referral = _refer_sunday_night(client, significant_harm="no")
    assert referral.significant_harm is False
    assert not OutboxMessage.objects.filter(key__startswith="edt_alert:").exists()
