"""A whole referral's answers, checked with the step forms: the one place the rules run.

``raw`` is what was entered, as form data: one dict per topic plus a list for the children and
one for the adults. The online form collects it page by page; the intake API sends it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .forms import (
    MAX_ADULTS,
    MAX_CHILDREN,
    AdultForm,
    ChildForm,
    ConcernForm,
    ConsentForm,
    IntakeForm,
    PartnerReferrerForm,
    ProfessionalConcernForm,
    ProfessionalForm,
    ProfessionalSupportForm,
    PublicForm,
    RouteForm,
    SupportForm,
    VoicesForm,
)
from .models import Referral

PROFESSIONAL = Referral.ReferrerType.PROFESSIONAL
PUBLIC = Referral.ReferrerType.PUBLIC

# The topics of one referral, in the order the online form asks them.
TOPICS = ("route", "referrer", "concern", "support", "voices", "consent")


def form_class_for(topic: str, referrer_type: str, *, partner: bool = False) -> type[IntakeForm]:
    """The form that checks ``topic`` for this kind of referrer."""
    professional = referrer_type == PROFESSIONAL
    classes = {
        "route": RouteForm,
        "referrer": (PartnerReferrerForm if partner else ProfessionalForm) if professional else PublicForm,
        "concern": ProfessionalConcernForm if professional else ConcernForm,
        "support": ProfessionalSupportForm if professional else SupportForm,
        "voices": VoicesForm,
        "consent": ConsentForm,
    }
    return classes[topic]


@dataclass
class IntakeData:
    """Checked answers as model field values, ready for ``referral_submit``."""

    referral: dict[str, Any]
    children: list[dict[str, Any]]
    adults: list[dict[str, Any]]


@dataclass
class IntakeInvalid(Exception):
    """The answers break a rule. ``errors`` maps a field path (``children[0].first_name``) to messages;
    ``topics`` names the topics (or ``children[0]``) that need attention, in the order asked."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)


def _check(form: IntakeForm, prefix: str, topic: str, problems: IntakeInvalid) -> dict:
    if form.is_valid():
        return form.model_data()
    for name, messages in form.errors.items():
        path = f"{prefix}{name}" if name != "__all__" else prefix.rstrip(".") or "non_field_errors"
        problems.errors[path] = [str(message) for message in messages]
    problems.topics.append(topic)
    return {}


def clean_intake(raw: dict[str, Any], *, partner: bool = False) -> IntakeData:
    """Check every topic, child and adult; return model values or raise ``IntakeInvalid`` with every problem.

    ``partner`` is true for the intake API, whose referrer is the token's agency (always professional).
    """
    problems = IntakeInvalid()
    referrer_type = PROFESSIONAL if partner else RouteForm(raw.get("route") or {}).data.get("referrer_type")
    referral: dict[str, Any] = {}
    for topic in TOPICS:
        if topic == "route" and partner:
            referral["referrer_type"] = PROFESSIONAL
            continue
        if topic != "route" and referrer_type not in (PROFESSIONAL, PUBLIC):
            break  # the later topics depend on the route, which is not answered yet
        form = form_class_for(topic, referrer_type, partner=partner)(raw.get(topic) or {})
        referral.update(_check(form, "", topic, problems))
    children = _check_people(raw.get("children") or [], ChildForm, "children", MAX_CHILDREN, problems)
    adults = _check_people(raw.get("adults") or [], AdultForm, "adults", MAX_ADULTS, problems)
    if not raw.get("children"):
        problems.errors["children"] = ["Add at least one child the referral is about"]
        problems.topics.append("children")
    if problems.errors:
        raise problems
    return IntakeData(referral=referral, children=children, adults=adults)


def _check_people(
    entries: list, form_class: type[IntakeForm], name: str, limit: int, problems: IntakeInvalid
) -> list[dict]:
    if len(entries) > limit:
        problems.errors[name] = [f"You can add up to {limit} {name}"]
        problems.topics.append(name)
        return []
    return [
        _check(form_class(entry), f"{name}[{index}].", f"{name}[{index}]", problems)
        for index, entry in enumerate(entries)
    ]
