"""Every validation message of the online form, shown in the error summary, and nothing kept."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone

from referrals.validation import nhs_check_digit_ok, normalise_phone, validate_uk_phone
from tests.support import answers
from tests.support.journey import REFER, step


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def _date(prefix: str, day) -> dict:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


TODAY = timezone.localdate()
CHILD = answers.child_answers()
PRO = answers.professional_answers()

CASES = [
    # (route, page, data, field, message)
    (
        "professional",
        "who/",
        {},
        "referrer_type",
        "Select whether you are a professional or a member of the public",
    ),
    ("professional", "who/", {"referrer_type": "alien"}, "referrer_type", "from the list"),
    ("professional", "about-you/", {}, "referrer_name", "Enter your full name"),
    ("professional", "about-you/", {}, "referrer_role", "Enter your job title or role"),
    ("professional", "about-you/", {}, "referrer_organisation", "Enter the name of your organisation"),
    ("professional", "about-you/", {}, "referrer_organisation_type", "Select where you work"),
    ("professional", "about-you/", {}, "referrer_email", "Enter your work email address"),
    ("professional", "about-you/", {}, "referrer_phone", "Enter your work telephone number"),
    (
        "professional",
        "about-you/",
        {**PRO, "referrer_email": "jane@"},
        "referrer_email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    (
        "professional",
        "about-you/",
        {**PRO, "referrer_phone": "999"},
        "referrer_phone",
        "Enter a UK telephone number",
    ),
    (
        "professional",
        "about-you/",
        {**PRO, "referrer_name": "x" * 151},
        "referrer_name",
        "Your full name must be 150 characters or fewer",
    ),
    (
        "professional",
        "about-you/",
        {**PRO, "referrer_organisation_type": "99"},
        "referrer_organisation_type",
        "Select where you work from the list",
    ),
    ("public", "about-you/", {}, "referrer_anonymous", "Select yes if you want to stay anonymous"),
    ("public", "about-you/", {}, "referrer_relationship", "Select how you know the child"),
    (
        "public",
        "about-you/",
        {"referrer_anonymous": "no", "referrer_relationship": "family"},
        "referrer_name",
        "Enter your full name, or choose to stay anonymous",
    ),
    (
        "public",
        "about-you/",
        {"referrer_email": "nope"},
        "referrer_email",
        "Enter an email address in the correct format",
    ),
    ("professional", "children/add/", {}, "unborn", "Select yes if child 1 is not born yet"),
    ("professional", "children/add/", {}, "sex", "Select the sex of child 1, or not known"),
    ("professional", "children/add/", {}, "ethnicity", "Select the ethnicity of child 1"),
    ("professional", "children/add/", {**CHILD, "ethnicity": "MARS"}, "ethnicity", "from the list"),
    (
        "professional",
        "children/add/",
        {**CHILD, "first_name": ""},
        "first_name",
        "Enter the first name of child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "date_of_birth_month": "", "date_of_birth_year": ""},
        "date_of_birth",
        "Date of birth of child 1 must include a month and year",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "date_of_birth_day": "31", "date_of_birth_month": "2"},
        "date_of_birth",
        "Date of birth of child 1 must be a real date",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "date_of_birth_year": "19"},
        "date_of_birth",
        "Date of birth of child 1 must be a real date",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, **_date("date_of_birth", TODAY + timedelta(days=3))},
        "date_of_birth",
        "Date of birth of child 1 must be in the past",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, **_date("date_of_birth", TODAY - timedelta(days=19 * 365))},
        "date_of_birth",
        "A child must be under 18: check the date of birth of child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "unborn": "yes"},
        "expected_date_of_birth",
        "Enter the expected date of birth of child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "unborn": "yes", **_date("expected_date_of_birth", TODAY - timedelta(days=2))},
        "expected_date_of_birth",
        "Expected date of birth of child 1 must be today or in the future",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "unborn": "yes", **_date("expected_date_of_birth", TODAY + timedelta(days=400))},
        "expected_date_of_birth",
        "Expected date of birth of child 1 must be within the next 10 months",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "nhs_number": "943 476 5918"},
        "nhs_number",
        "Enter a valid NHS number for child 1: the last digit does not match the others",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "nhs_number": "94347659"},
        "nhs_number",
        "Enter an NHS number with 10 digits for child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "postcode": "12345"},
        "postcode",
        "Enter a real postcode for child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "phone": "0800"},
        "phone",
        "Enter a UK telephone number for child 1",
    ),
    (
        "professional",
        "children/add/",
        {**CHILD, "address": "x" * 501},
        "address",
        "Home address of child 1 must be 500 characters or fewer",
    ),
    ("professional", "children/", {}, "add_another", "Select yes if you need to add another child"),
    ("professional", "adults/", {}, "add_another", "Select yes if you need to add an adult"),
    ("professional", "adults/add/", {}, "first_name", "Enter the first name of adult 1"),
    ("professional", "adults/add/", {}, "relationship", "Enter how adult 1 is related to the children"),
    (
        "professional",
        "adults/add/",
        {},
        "lives_with_children",
        "Select yes if adult 1 lives with the children",
    ),
    (
        "professional",
        "adults/add/",
        {},
        "has_parental_responsibility",
        "Select whether adult 1 has parental responsibility",
    ),
    (
        "professional",
        "adults/add/",
        {**answers.adult_answers(), **_date("date_of_birth", TODAY + timedelta(days=1))},
        "date_of_birth",
        "Date of birth of adult 1 must be in the past",
    ),
    ("professional", "concern/", {}, "concerns", "Enter what you are worried about"),
    ("professional", "concern/", {}, "risks", "Enter what you think the risks to the child are"),
    ("professional", "concern/", {}, "why_now", "Enter what has made you contact us now"),
    (
        "professional",
        "concern/",
        {**answers.concern_answers(), "concerns": "x" * 5001},
        "concerns",
        "What are you worried about? must be 5,000 characters or fewer",
    ),
    (
        "professional",
        "concern/",
        {**answers.concern_answers(), "domestic_abuse_risk": "severe"},
        "domestic_abuse_risk",
        "Select the domestic abuse risk grade: standard, medium or high",
    ),
    (
        "professional",
        "what-has-been-tried/",
        {},
        "early_help",
        "Select whether an early help assessment has been offered",
    ),
    (
        "professional",
        "views/",
        {},
        "gillick_considered",
        "Select whether the child's own view has been considered",
    ),
    ("professional", "views/", {}, "parents_aware", "Select whether the parents or carers know"),
    (
        "professional",
        "views/",
        {},
        "safe_to_contact_parents",
        "Select whether it is safe to contact the parents or carers",
    ),
    ("professional", "consent/", {}, "consent", "Select whether consent was given, refused or not asked for"),
    ("professional", "consent/", {"consent": "given"}, "consent_given_by", "Enter who gave consent"),
    (
        "professional",
        "consent/",
        {"consent": "given"},
        "consent_given_on",
        "Enter the date consent was given",
    ),
    (
        "professional",
        "consent/",
        {"consent": "given", **_date("consent_given_on", TODAY + timedelta(days=1))},
        "consent_given_on",
        "Date consent was given must be today or in the past",
    ),
    ("professional", "consent/", {"consent": "refused"}, "consent_notes", "Enter why consent was refused"),
    (
        "professional",
        "consent/",
        {"consent": "not_sought"},
        "consent_notes",
        "Enter why consent was not asked for",
    ),
]


@pytest.mark.parametrize(("route", "page", "data", "field", "message"), CASES)
def test_validation_message(client, db, route, page, data, field, message):
    step(client, "", {})
    step(client, "who/", {"referrer_type": route})
    if page.startswith("children/") and page != "children/add/":
        step(client, "children/add/", CHILD)
    response = client.post(f"{REFER}{page}", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in text for text in errors.get(field, [])), errors
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count('class="govuk-error-summary"') == 1
    # The summary links to the first control of the question (a radio, a date's day box, a box).
    targets = re.findall(r'<li><a href="#(id_[^"]+)">([^<]*)</a></li>', html)
    target = next(target for target, text in targets if message in unescape(text))
    assert target in (f"id_{field}", f"id_{field}_1", f"id_{field}_day"), target
    assert f'id="{target}"' in html  # and the control is on the page
    assert f'id="id_{field}_1_error"' in html  # the message is shown at the question too


def test_invalid_page_keeps_nothing(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "professional"})
    client.post(f"{REFER}children/add/", {**CHILD, "nhs_number": "1"})
    assert client.get(f"{REFER}children/")["Location"] == f"{REFER}children/add/"


@pytest.mark.parametrize(
    ("number", "ok"),
    [("9434765919", True), ("9434765918", False), ("4010232137", True), ("1234567881", True)],
)
def test_nhs_check_digit(number, ok):
    assert nhs_check_digit_ok(number) is ok


@pytest.mark.parametrize("number", ["01632 960 001", "07700 900 982", "+44 808 157 0192", "020 7946 0000"])
def test_uk_phone_numbers_accepted(number):
    validate_uk_phone(number)
    assert normalise_phone(number).startswith("0")


def test_messages_name_the_second_child_and_the_field(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "professional"})
    step(client, "children/add/", CHILD)
    response = client.post(f"{REFER}children/add/", {**CHILD, "first_name": "", "postcode": "12345"})
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Enter the first name of child 2"]
    assert errors["postcode"] == ["Enter a real postcode for child 2, like AA1 1AA"]
    html = response.content.decode()
    assert html.count('class="govuk-error-summary"') == 1
    assert "Child 2" in html  # the page says which child it is about


def test_an_empty_ethnicity_is_refused_not_taken_as_white_british(client, db):
    step(client, "", {})
    step(client, "who/", {"referrer_type": "professional"})
    response = client.post(f"{REFER}children/add/", {**CHILD, "ethnicity": ""})
    assert response.context["form"].errors["ethnicity"] == ["Select the ethnicity of child 1"]
