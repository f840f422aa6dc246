"""Threshold decisions per child: every decision path, every consent rule per RAG, multi-child
referrals, RAG changes, step-up, returns for lack of consent, out-of-hours routing, domestic abuse."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Team
from mash.codes import DomesticAbuseRisk
from mash.exceptions import Conflict, InvalidInput, InvalidTransition, NotPermitted
from mash.models import AuditEvent
from mash.outbox.models import OutboxMessage
from mash.roles import Role
from notifications.models import Letter
from referrals.models import Referral
from referrals.states import Rag, Status
from tests.factories import ChildFactory, TeamFactory, referral_with_people
from triage import decisions as d
from triage.models import ChildDecision, ConsentBasis, Deadline, EdtFlag, StatusChange
from triage.policy import current_policy, due_at
from triage.signals import outcome_decided

G, R, RISK, NONE = (
    ConsentBasis.GIVEN,
    ConsentBasis.WITHOUT_CONSENT_REASON,
    ConsentBasis.RISK,
    ConsentBasis.NOT_NEEDED,
)


@pytest.fixture
def early_help(db, make_user):
    worker = make_user(Role.TEAM_MANAGER, username="eh_manager")
    return TeamFactory(name="Early Help Hub North", kind=Team.Kind.EARLY_HELP, members=[worker])


# A level of need that agrees with each RAG under the default (Durham) policy's routing by level:
# level 2 goes to early help (Green), levels 3 and 4 to the MASH (Red or Amber).
LEVEL_FOR_RAG = {Rag.GREEN: 2, Rag.BLUE: 1}


def decision(
    child, rag=Rag.AMBER, *, basis=G, reason="", level=None, advice="", need="N1"
) -> d.ChildDecisionInput:
    return d.ChildDecisionInput(
        child_id=child.pk,
        rag=rag,
        level_of_need=level or LEVEL_FOR_RAG.get(rag, 3),
        rationale="Bruising explained two ways; sibling at home.",
        consent_basis=basis,
        consent_reason=reason,
        primary_need=need,
        advice_given=advice,
    )


def decide_all(referral, lead, rag=Rag.AMBER, **kw):
    return d.referral_decide(
        referral, decisions=[decision(c, rag, **kw) for c in referral.children.all()], by=lead
    )


# --- consent rules per RAG (the Durham preset: red not_required_if_risk, amber consent_or_reason,
#     green consent_required, blue none) --------------------------------------------------------

CONSENT_CASES = [
    # rag, basis, reason, referral consent, allowed
    (Rag.GREEN, G, "", Referral.Consent.GIVEN, True),
    (Rag.GREEN, R, "Parents were not asked", Referral.Consent.NOT_SOUGHT, False),
    (Rag.GREEN, RISK, "Would alert the abuser", Referral.Consent.NOT_SOUGHT, False),
    (Rag.GREEN, NONE, "", Referral.Consent.REFUSED, False),
    (Rag.AMBER, G, "", Referral.Consent.GIVEN, True),
    (Rag.AMBER, R, "Mother cannot be reached; school concern persists", Referral.Consent.NOT_SOUGHT, True),
    (Rag.AMBER, R, "", Referral.Consent.NOT_SOUGHT, False),
    (Rag.AMBER, NONE, "", Referral.Consent.NOT_SOUGHT, False),
    (Rag.RED, G, "", Referral.Consent.GIVEN, True),
    (
        Rag.RED,
        RISK,
        "Stepfather is the alleged abuser: asking would put the child at risk",
        Referral.Consent.NOT_SOUGHT,
        True,
    ),
    (Rag.RED, RISK, "", Referral.Consent.NOT_SOUGHT, False),
    (Rag.RED, NONE, "", Referral.Consent.REFUSED, False),
    (Rag.BLUE, NONE, "", Referral.Consent.REFUSED, True),
    (Rag.BLUE, G, "", Referral.Consent.GIVEN, True),
]


@pytest.mark.parametrize(("rag", "basis", "reason", "consent", "allowed"), CONSENT_CASES)
def test_consent_rules_per_rag(rag, basis, reason, consent, allowed, lead, early_help):
    referral = referral_with_people(consent=consent)
    child = referral.children.get()
    advice = "Signposted to the school nurse drop-in" if rag == Rag.BLUE else ""
    attempt = decision(child, rag, basis=basis, reason=reason, advice=advice)
    if allowed:
        d.referral_decide(referral, decisions=[attempt], by=lead)
        assert ChildDecision.objects.get(child=child).rag == rag
    else:
        with pytest.raises(InvalidInput) as error:
            d.referral_decide(referral, decisions=[attempt], by=lead)
        assert Rag(rag).label in error.value.message
        assert not ChildDecision.objects.exists()
        referral.refresh_from_db()
        assert (referral.status, referral.rag) == (Status.RECEIVED, "")


def test_consent_said_given_against_the_referral_needs_a_note(lead):
    referral = referral_with_people(consent=Referral.Consent.NOT_SOUGHT)
    child = referral.children.get()
    with pytest.raises(InvalidInput, match="who gave consent"):
        d.referral_decide(referral, decisions=[decision(child, Rag.AMBER, basis=G)], by=lead)
    d.referral_decide(
        referral, decisions=[decision(child, Rag.AMBER, basis=G, reason="Mother by phone 10:20")], by=lead
    )
    assert ChildDecision.objects.get().consent_reason == "Mother by phone 10:20"


def test_a_policy_without_a_rule_for_the_rag_demands_consent(lead):
    policy = current_policy()
    policy.consent_rules = {k: v for k, v in policy.consent_rules.items() if k != "amber"}
    referral = referral_with_people(consent=Referral.Consent.NOT_SOUGHT)
    attempt = decision(referral.children.get(), Rag.AMBER, basis=R, reason="No contact number")
    with pytest.raises(InvalidInput, match="Amber needs consent"):
        d.check_consent(policy, referral, attempt)


# --- the decision paths ---------------------------------------------------------------------


def test_red_decision_records_everything_and_starts_the_red_clock(lead):
    referral = referral_with_people()
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        d.referral_decide(referral, decisions=[decision(referral.children.get(), Rag.RED, level=4)], by=lead)
    referral.refresh_from_db()
    assert (referral.status, referral.rag, referral.level_of_need) == (Status.DECIDED, Rag.RED, 4)
    row = ChildDecision.objects.get()
    assert (row.primary_need, row.decided_by, row.policy_version, row.is_current, row.version) == (
        "N1",
        lead,
        current_policy(),
        True,
        1,
    )
    clock = Deadline.objects.get(
        referral=referral, kind=Deadline.Kind.STRATEGY_DISCUSSION, met_at__isnull=True
    )
    assert clock.due_at == referral.received_at + timedelta(hours=4)  # Durham: Red 4 clock hours
    assert referral.next_due_at == clock.due_at
    assert AuditEvent.objects.filter(action="triage.decide", referral_id=referral.pk, actor=lead).count() == 1
    moves = list(StatusChange.objects.filter(referral=referral).values_list("to_status", flat=True))
    assert moves == [Status.SCREENING, Status.DECIDED]


def test_amber_stays_with_the_mash(lead):
    referral = referral_with_people()
    decide_all(referral, lead, Rag.AMBER)
    referral.refresh_from_db()
    assert (referral.status, referral.rag, referral.team) == (Status.DECIDED, Rag.AMBER, None)


def test_green_goes_to_the_early_help_queue(lead, early_help):
    referral = referral_with_people()
    decide_all(referral, lead, Rag.GREEN, level=2)
    referral.refresh_from_db()
    assert (referral.status, referral.rag, referral.team) == (Status.DECIDED, Rag.GREEN, early_help)
    assert Deadline.objects.filter(
        referral=referral, kind=Deadline.Kind.EARLY_HELP, met_at__isnull=True
    ).exists()


def test_blue_closes_with_the_advice_recorded(lead):
    referral = referral_with_people(consent=Referral.Consent.REFUSED)
    child = referral.children.get()
    with pytest.raises(InvalidInput, match="advice or signposting"):
        d.referral_decide(referral, decisions=[decision(child, Rag.BLUE, basis=NONE, level=1)], by=lead)
    d.referral_decide(
        referral,
        decisions=[
            decision(child, Rag.BLUE, basis=NONE, level=1, advice="Parenting course at the family hub")
        ],
        by=lead,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.CLOSED, Rag.BLUE)
    assert ChildDecision.objects.get().advice_given == "Parenting course at the family hub"
    # Every clock stops but the outcome letter's: the referrer is still owed it.
    open_clocks = Deadline.objects.filter(referral=referral, met_at__isnull=True)
    assert [c.kind for c in open_clocks] == [Deadline.Kind.LETTER]
    assert [(x.outcome, x.status) for x in referral.letters.all()] == [("advice_signposting", "queued")]


def test_green_and_blue_tell_a_professional_referrer_now_and_a_member_of_the_public_never(lead, early_help):
    professional = referral_with_people(referrer_type=Referral.ReferrerType.PROFESSIONAL)
    decide_all(professional, lead, Rag.GREEN, level=2)
    assert [x.outcome for x in professional.letters.all()] == ["early_help"]
    public = referral_with_people(referrer_type=Referral.ReferrerType.PUBLIC, referrer_email="n@example.com")
    decide_all(public, lead, Rag.GREEN, level=2)
    assert not public.letters.exists()


def test_a_blue_decision_is_not_committed_when_its_letter_cannot_be_queued(lead):
    """The letter is queued by a receiver of triage's outcome_decided signal, inside the decision's
    transaction: when that fails, the decision is rolled back rather than committed without a letter."""

    def broken_letters(sender, **kwargs):
        raise RuntimeError("the letter could not be queued")

    referral = referral_with_people()
    outcome_decided.connect(broken_letters, dispatch_uid="test.broken_letters")
    try:
        with pytest.raises(RuntimeError):
            decide_all(
                referral, lead, rag=Rag.BLUE, basis=NONE, level=1, advice="Signposted to the family hub"
            )
    finally:
        outcome_decided.disconnect(dispatch_uid="test.broken_letters")
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED and not ChildDecision.objects.exists()
    assert not Letter.objects.exists()


def test_amber_waits_for_the_mash_outcome_before_any_letter(lead):
    referral = referral_with_people(referrer_type=Referral.ReferrerType.PROFESSIONAL)
    decide_all(referral, lead, Rag.AMBER)
    assert not referral.letters.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rag": "purple"}, "Choose a RAG rating"),
        ({"level_of_need": 5}, "level of need"),
        ({"level_of_need": 0}, "level of need"),
        ({"rationale": "   "}, "rationale"),
        ({"primary_need": "N99"}, "primary need"),
        ({"consent_basis": "maybe"}, "consent"),
    ],
)
def test_bad_decisions_say_what_is_wrong_and_write_nothing(change, message, lead):
    referral = referral_with_people()
    fields = {**decision(referral.children.get()).__dict__, **change}
    with pytest.raises(InvalidInput, match=message):
        d.referral_decide(referral, decisions=[d.ChildDecisionInput(**fields)], by=lead)
    assert not ChildDecision.objects.exists()


def test_only_a_lead_decides(officer):
    referral = referral_with_people()
    with pytest.raises(NotPermitted):
        decide_all(referral, officer)


def test_a_decided_referral_is_not_decided_again(lead):
    referral = referral_with_people()
    decide_all(referral, lead)
    with pytest.raises(InvalidTransition, match="change a child's RAG"):
        decide_all(referral, lead)


# --- several children -----------------------------------------------------------------------


def test_a_decision_per_child_and_the_referral_takes_the_highest(lead):
    referral = referral_with_people(children=3)
    a, b, c = referral.children.all()
    d.referral_decide(referral, decisions=[decision(a, Rag.GREEN, level=2)], by=lead)
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.SCREENING, "")  # still a child to decide
    d.referral_decide(
        referral,
        decisions=[
            decision(b, Rag.RED, basis=RISK, reason="Asking would alert the abuser", level=4),
            decision(c, Rag.BLUE, basis=NONE, level=1, advice="Signposted to Young Carers"),
        ],
        by=lead,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.rag, referral.level_of_need) == (Status.DECIDED, Rag.RED, 4)
    assert dict(ChildDecision.objects.values_list("child_id", "rag")) == {
        a.pk: "green",
        b.pk: "red",
        c.pk: "blue",
    }


def test_one_bad_child_decision_writes_none(lead):
    referral = referral_with_people(children=2)
    a, b = referral.children.all()
    with pytest.raises(InvalidInput):
        d.referral_decide(
            referral, decisions=[decision(a, Rag.AMBER), decision(b, Rag.BLUE, basis=NONE)], by=lead
        )
    assert not ChildDecision.objects.exists()


def test_decisions_must_name_this_referrals_children_once(lead):
    referral, other = referral_with_people(children=2), referral_with_people()
    a, _ = referral.children.all()
    with pytest.raises(InvalidInput, match="different child"):
        d.referral_decide(referral, decisions=[decision(a), decision(a)], by=lead)
    with pytest.raises(InvalidInput, match="different child"):
        d.referral_decide(referral, decisions=[decision(other.children.get())], by=lead)
    d.referral_decide(referral, decisions=[decision(a)], by=lead)
    with pytest.raises(Conflict, match="already has a decision"):
        d.referral_decide(referral, decisions=[decision(a)], by=lead)


# --- RAG changes ----------------------------------------------------------------------------


def test_a_rag_change_keeps_each_version_and_marks_the_referral(lead):
    referral = referral_with_people(children=2)
    a, b = referral.children.all()
    decide_all(referral, lead, Rag.AMBER)
    new = d.referral_change_rag(
        referral,
        decision=decision(a, Rag.RED, basis=RISK, reason="Disclosure to teacher", level=4),
        reason="Police share a new allegation",
        by=lead,
    )
    referral.refresh_from_db()
    assert (referral.rag, referral.rag_changed, referral.level_of_need) == (Rag.RED, True, 4)
    old = ChildDecision.objects.get(child=a, version=1)
    assert (old.is_current, old.superseded_by, new.version, new.change_reason) == (
        False,
        new,
        2,
        "Police share a new allegation",
    )
    assert ChildDecision.objects.get(child=b).is_current
    audit_row = AuditEvent.objects.get(action="triage.change_rag")
    assert audit_row.details["from"] == "amber" and audit_row.details["to"] == "red"


def test_a_step_up_never_extends_a_deadline_and_brings_red_forward(lead):
    start = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, in hours
    with time_machine.travel(start, tick=False):
        referral = referral_with_people(received_at=start)
        decide_all(referral, lead, Rag.AMBER)
    referral.refresh_from_db()
    amber_due = referral.next_due_at
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        d.referral_change_rag(
            referral,
            decision=decision(referral.children.get(), Rag.RED, basis=RISK, reason="Risk", level=4),
            reason="New disclosure",
            by=lead,
        )
    referral.refresh_from_db()
    assert referral.next_due_at == start + timedelta(hours=4) < amber_due
    clock = Deadline.objects.get(
        referral=referral, met_at__isnull=True, kind=Deadline.Kind.STRATEGY_DISCUSSION
    )
    assert clock.due_at == start + timedelta(hours=4)


def test_a_rag_change_needs_a_reason_and_an_existing_decision(lead):
    referral = referral_with_people()
    child = referral.children.get()
    with pytest.raises(Conflict, match="no decision yet"):
        d.referral_change_rag(referral, decision=decision(child), reason="x", by=lead)
    decide_all(referral, lead)
    with pytest.raises(InvalidInput, match="reason"):
        d.referral_change_rag(referral, decision=decision(child, Rag.RED), reason=" ", by=lead)
    assert ChildDecision.objects.count() == 1


def test_a_rag_change_obeys_the_consent_rules(lead):
    referral = referral_with_people(consent=Referral.Consent.NOT_SOUGHT)
    child = referral.children.get()
    d.referral_decide(referral, decisions=[decision(child, Rag.AMBER, basis=R, reason="No number")], by=lead)
    with pytest.raises(InvalidInput, match="Green needs consent"):
        d.referral_change_rag(
            referral, decision=decision(child, Rag.GREEN, basis=R, reason="x"), reason="Lower", by=lead
        )
    assert ChildDecision.objects.get().is_current


# --- early help and step up; returns --------------------------------------------------------


def test_early_help_steps_a_referral_back_up_with_a_reason(lead, early_help, make_user):
    worker = early_help.members.get()
    referral = referral_with_people()
    decide_all(referral, lead, Rag.GREEN, level=2)
    with pytest.raises(InvalidInput, match="reason"):
        d.referral_step_up(referral, reason="", by=worker)
    outsider = make_user(Role.TEAM_MANAGER, username="other_manager")
    with pytest.raises(NotPermitted):
        d.referral_step_up(referral, reason="Escalating", by=outsider)
    d.referral_step_up(referral, reason="Child disclosed harm at a home visit", by=worker)
    referral.refresh_from_db()
    assert (referral.status, referral.team, referral.claimed_by) == (Status.SCREENING, None, None)
    change = StatusChange.objects.filter(referral=referral).last()
    assert "Child disclosed harm at a home visit" in change.reason
    assert Deadline.objects.filter(
        referral=referral, kind=Deadline.Kind.DECISION, met_at__isnull=True
    ).exists()
    # Back with the MASH: the threshold is decided again, not changed child by child.
    with pytest.raises(Conflict, match="new threshold decision"):
        d.referral_change_rag(
            referral,
            decision=decision(referral.children.get(), Rag.RED, basis=RISK, reason="r"),
            reason="Step up",
            by=lead,
        )
    d.referral_decide(
        referral, decisions=[decision(referral.children.get(), Rag.RED, basis=RISK, reason="r")], by=lead
    )
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.DECIDED, Rag.RED)


def test_only_early_help_referrals_can_be_stepped_up(lead):
    referral = referral_with_people()
    decide_all(referral, lead, Rag.AMBER)
    with pytest.raises(InvalidTransition, match="early help"):
        d.referral_step_up(referral, reason="x", by=lead)


def test_return_for_lack_of_consent_keeps_the_reason(officer):
    referral = referral_with_people(consent=Referral.Consent.REFUSED)
    with pytest.raises(InvalidInput):
        d.referral_return_for_consent(referral, reason="", by=officer)
    d.referral_return_for_consent(referral, reason="Mother refused consent for early help", by=officer)
    referral.refresh_from_db()
    assert referral.status == Status.RETURNED
    assert (
        "Mother refused consent for early help" in StatusChange.objects.get(to_status=Status.RETURNED).reason
    )
    with pytest.raises(InvalidTransition):
        d.referral_return_for_consent(referral, reason="again", by=officer)


# --- out of hours ---------------------------------------------------------------------------

SATURDAY_NIGHT = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def edt_team(db, make_user):
    return TeamFactory(
        name="Emergency Duty Team",
        kind=Team.Kind.EMERGENCY_DUTY,
        email="edt@council.example.gov.uk",
        members=[make_user(Role.EMERGENCY_DUTY, username="eddie")],
    )


def test_significant_harm_out_of_hours_is_flagged_to_the_edt_at_once(
    edt_team, django_capture_on_commit_callbacks
):
    referral = referral_with_people(
        received_at=SATURDAY_NIGHT, out_of_hours=True, domestic_abuse_risk=DomesticAbuseRisk.HIGH
    )
    with django_capture_on_commit_callbacks():
        flag = d.referral_route_out_of_hours(referral)
    assert flag is not None and "high-risk" in flag.reason
    message = OutboxMessage.objects.get(referral=referral)
    assert (message.kind, message.payload["to"]) == ("email", "edt@council.example.gov.uk")
    assert referral.reference in message.payload["subject"]
    assert "Jones" not in message.payload["body"]  # no child's details in an e-mail
    # Idempotent: a second arrival hook neither flags nor e-mails again.
    assert d.referral_route_out_of_hours(referral) == flag
    assert (EdtFlag.objects.count(), OutboxMessage.objects.count()) == (1, 1)


def test_an_edt_team_without_a_mailbox_alerts_each_member(make_user):
    TeamFactory(
        kind=Team.Kind.EMERGENCY_DUTY,
        members=[make_user(Role.EMERGENCY_DUTY, username="eve", email="eve@council.example.gov.uk")],
    )
    referral = referral_with_people(
        received_at=SATURDAY_NIGHT, out_of_hours=True, domestic_abuse_risk=DomesticAbuseRisk.HIGH
    )
    d.referral_route_out_of_hours(referral)
    assert list(OutboxMessage.objects.values_list("payload__to", flat=True)) == ["eve@council.example.gov.uk"]


@pytest.mark.parametrize(
    ("received_at", "risk"),
    [
        (SATURDAY_NIGHT, DomesticAbuseRisk.STANDARD),
        (SATURDAY_NIGHT, ""),
        (WEDNESDAY_MORNING, DomesticAbuseRisk.HIGH),
    ],
)
def test_the_rest_wait_for_the_working_day(received_at, risk, edt_team):
    referral = referral_with_people(received_at=received_at, domestic_abuse_risk=risk)
    assert d.referral_route_out_of_hours(referral) is None
    assert not EdtFlag.objects.exists() and not OutboxMessage.objects.exists()


def test_a_routine_out_of_hours_referral_starts_its_clock_on_the_next_working_day(edt_team):
    from triage.deadlines import referral_clocks_start

    referral = referral_with_people(received_at=SATURDAY_NIGHT, out_of_hours=True)
    policy = current_policy()
    assert d.referral_route_out_of_hours(referral) is None
    (clock,) = referral_clocks_start(referral, policy=policy)
    # The weekend does not count: the clock runs as if the referral arrived at Monday's opening.
    monday_opening = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)
    assert clock.due_at == due_at(policy, policy.decision_deadline, monday_opening)
    assert clock.due_at > monday_opening


def test_the_edt_acknowledges_a_flag(edt_team, lead):
    eddie = edt_team.members.get()
    referral = referral_with_people(
        received_at=SATURDAY_NIGHT, out_of_hours=True, domestic_abuse_risk=DomesticAbuseRisk.HIGH
    )
    d.referral_route_out_of_hours(referral)
    with pytest.raises(NotPermitted):
        d.referral_edt_acknowledge(referral, by=lead)
    flag = d.referral_edt_acknowledge(referral, by=eddie)
    assert flag.acknowledged_by == eddie and flag.acknowledged_at is not None


# --- domestic abuse batch decisions ---------------------------------------------------------


def test_batch_decision_for_standard_risk_notifications(lead):
    standard = [
        referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.STANDARD, children=2) for _ in range(3)
    ]
    count = d.da_batch_decide(
        standard,
        rag=Rag.BLUE,
        level_of_need=1,
        rationale="Police notification; no further concerns",
        advice_given="Letter to parents with local support services",
        by=lead,
    )
    assert count == 3
    assert ChildDecision.objects.filter(rag=Rag.BLUE).count() == 6
    assert set(Referral.objects.values_list("status", flat=True)) == {Status.CLOSED}


def test_batch_decision_is_all_or_nothing(lead):
    ok = referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.STANDARD)
    medium = referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.MEDIUM)
    with pytest.raises(InvalidInput, match=f"{medium.reference} is not a standard-risk"):
        d.da_batch_decide(
            [ok, medium], rag=Rag.BLUE, level_of_need=1, rationale="r", advice_given="a", by=lead
        )
    no_consent = referral_with_people(
        domestic_abuse_risk=DomesticAbuseRisk.STANDARD, consent=Referral.Consent.NOT_SOUGHT
    )
    with pytest.raises(InvalidInput, match=f"{no_consent.reference}: Green needs consent"):
        d.da_batch_decide([ok, no_consent], rag=Rag.GREEN, level_of_need=2, rationale="r", by=lead)
    with pytest.raises(InvalidInput, match="Green or Blue"):
        d.da_batch_decide([ok], rag=Rag.RED, level_of_need=4, rationale="r", by=lead)
    assert not ChildDecision.objects.exists()
    assert Referral.objects.filter(status=Status.RECEIVED).count() == 3


# --- the decision pages' forms: GOV.UK rendering, nothing pre-chosen, messages that name the field --


def _page(client, name, referral, data=None):
    url = reverse(f"triage:{name}", args=[referral.reference])
    response = client.post(url, data) if data is not None else client.get(url)
    return response, response.content.decode()


def _checked(html: str, name: str) -> list[str]:
    """The values of the ``name`` inputs that start ticked or chosen."""
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', html) + re.findall(
        rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', html
    )


def test_the_batch_decision_starts_with_nothing_chosen_and_names_each_missing_answer(login, lead):
    referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.STANDARD)
    client = login(lead)
    url = reverse("triage:domestic_abuse")
    html = client.get(url).content.decode()
    assert 'type="radio"' in html and 'name="level_of_need"' in html  # radios now, not a select
    assert _checked(html, "level_of_need") == [] and _checked(html, "rag") == []
    assert "---------" not in html and "govuk-radios__input" in html and "govuk-checkboxes__input" in html
    response = client.post(url, {})
    html = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Choose at least one notification to decide",
        "Choose RAG rating",
        "Choose level of need",
        "Enter rationale",
    ):
        assert html.count(message) == 2, message  # once in the one summary, once by the question
    assert html.count("govuk-error-summary__title") == 1
    assert "This field is required" not in html
    assert not ChildDecision.objects.exists()


def test_the_change_rating_page_names_the_child_and_chooses_no_new_rating(login, lead):
    referral = referral_with_people(children=0)
    amy = ChildFactory(referral=referral, first_name="Amy", last_name="Smith")
    d.referral_decide(referral, decisions=[decision(amy)], by=lead)
    client = login(lead)
    response, html = _page(client, "change_rag", referral)
    assert "Amber, level of need 3" in html  # the current rating, on the page
    assert _checked(html, "rag") == [] and _checked(html, "level_of_need") == []
    assert _checked(html, "child") == [str(amy.pk)]  # the only child: nothing to choose
    response, html = _page(client, "change_rag", referral, {"child": amy.pk})
    assert response.status_code == 200
    for message in ("Choose RAG rating for Amy Smith", "Enter reason for the change for Amy Smith"):
        assert message in html, message
    assert "This field is required" not in html
    assert ChildDecision.objects.count() == 1


def test_the_reassign_step_up_and_return_pages_name_what_is_missing(login, lead, early_help):
    referral = referral_with_people()
    client = login(lead)
    response, html = _page(client, "reassign", referral)
    assert (
        '<option value="" selected>Choose a member of the MASH</option>' in html and "---------" not in html
    )
    _, html = _page(client, "reassign", referral, {"to": "", "reason": ""})
    assert "Choose who to reassign the referral to" in html and "Enter reason for reassigning" in html
    _, html = _page(client, "return", referral, {"reason": "  "})
    assert "Enter why the referral cannot progress without consent" in html
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    green = referral_with_people()
    d.referral_decide(green, decisions=[decision(green.children.get(), Rag.GREEN)], by=lead)
    _, html = _page(client, "step_up", green, {"reason": ""})
    assert "Enter why the referral needs the MASH again" in html
    assert html.count("govuk-error-summary__title") == 1


def test_a_bad_grade_in_the_address_shows_every_grade(login, lead):
    notification = referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.HIGH)
    response = login(lead).get(reverse("triage:domestic_abuse"), {"grade": "\x00"})
    assert response.status_code == 200
    assert [r.reference for r in response.context["page"].object_list] == [notification.reference]
