"""Valid answers for a referral, page by page (the online form's data) and as an intake API body."""

from __future__ import annotations

import copy
from datetime import timedelta

from django.utils import timezone

from referrals.api.examples import EXAMPLE_REFERRAL

VALID_NHS = "943 476 5919"


def professional_answers() -> dict:
    return {
        "referrer_name": "Jane Teacher",
        "referrer_role": "Designated safeguarding lead",
        "referrer_organisation": "Hilltop Primary School",
        "referrer_organisation_type": "2A",
        "referrer_email": "jane.teacher@school.example",
        "referrer_phone": "01632 960 001",
    }


def public_answers(anonymous: bool = False) -> dict:
    return {
        "referrer_anonymous": "yes" if anonymous else "no",
        "referrer_relationship": "acquaintance",
        "referrer_name": "" if anonymous else "Pat Neighbour",
        "referrer_email": "" if anonymous else "pat@home.example",
        "referrer_phone": "",
    }


def child_answers(**overrides) -> dict:
    born = timezone.localdate() - timedelta(days=8 * 365)
    data = {
        "unborn": "no",
        "first_name": "Amy",
        "last_name": "Smith",
        "date_of_birth_day": str(born.day),
        "date_of_birth_month": str(born.month),
        "date_of_birth_year": str(born.year),
        "sex": "F",
        "ethnicity": "WBRI",
        "nhs_number": VALID_NHS,
        "address": "1 High Street, Durham",
        "postcode": "dh1 1aa",
        "phone": "07700 900 982",
        "school": "Hilltop Primary School",
    }
    data.update(overrides)
    return data


def adult_answers(**overrides) -> dict:
    data = {
        "first_name": "Jo",
        "last_name": "Smith",
        "relationship": "Mother",
        "lives_with_children": "yes",
        "has_parental_responsibility": "yes",
        "sex": "F",
        "ethnicity": "WBRI",
    }
    data.update(overrides)
    return data


def concern_answers() -> dict:
    return {
        "concerns": "Amy has come to school with bruises twice this week.",
        "risks": "Physical harm at home.",
        "why_now": "A second bruise today and Amy said she is scared to go home.",
    }


def support_answers() -> dict:
    return {
        "actions_taken": "Spoke to mother.",
        "early_help": "not_offered",
        "support_needed": "Parenting support.",
    }


def voices_answers() -> dict:
    return {
        "childs_voice": "Amy says she wants the shouting to stop.",
        "parents_voice": "Mother says Amy fell over.",
        "gillick_considered": "not_known",
        "parents_aware": "yes",
        "safe_to_contact_parents": "yes",
    }


def consent_answers() -> dict:
    today = timezone.localdate()
    return {
        "consent": "given",
        "consent_given_by": "Jo Smith, mother",
        "consent_given_on_day": str(today.day),
        "consent_given_on_month": str(today.month),
        "consent_given_on_year": str(today.year),
    }


def api_body(**overrides) -> dict:
    """The documented example request, with a date of birth that stays valid as time passes."""
    body = copy.deepcopy(EXAMPLE_REFERRAL)
    born = timezone.localdate() - timedelta(days=6 * 365)
    body["children"][0].update(date_of_birth=born.isoformat(), nhs_number=VALID_NHS)
    body.update(parents_aware=True, safe_to_contact_parents=False)  # JSON booleans are accepted too
    body.update(overrides)
    return body
