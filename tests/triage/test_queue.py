"""The triage queue page, the other queues and the referral page: order, marks, filters, paging,
htmx, visibility, audit, and a constant number of queries as rows grow."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Team
from mash.codes import DomesticAbuseRisk, ReferralSource
from mash.models import AuditEvent
from mash.roles import Role
from referrals.states import Rag, Status
from tests.factories import ChildFactory, TeamFactory, referral_with_people
from triage import decisions as d
from triage.models import ChildDecision
from triage.templatetags.triage_tags import since_text

QUEUE = reverse("triage:queue")


def rows(response) -> list[str]:
    return [r.reference for r in response.context["page"].object_list]


def test_the_queue_is_ordered_by_the_nearest_deadline_and_says_overdue_in_words(login, officer):
    now = timezone.now()
    later = referral_with_people(next_due_at=now + timedelta(hours=5))
    overdue = referral_with_people(next_due_at=now - timedelta(hours=2))
    no_clock = referral_with_people(next_due_at=None)
    soon = referral_with_people(next_due_at=now + timedelta(minutes=30))
    referral_with_people(status=Status.CLOSED, next_due_at=now - timedelta(days=1))  # not in the queue
    response = login(officer).get(QUEUE)
    assert response.status_code == 200
    assert rows(response) == [overdue.reference, soon.reference, later.reference, no_clock.reference]
    html = response.content.decode()
    assert "Overdue by 2\xa0hours" in html or "Overdue by 1\xa0hour" in html
    assert "No clock running" in html


def test_a_row_shows_rag_changed_rating_children_ages_source_da_grade_and_claimant(login, officer, lead):
    referral = referral_with_people(
        children=0, domestic_abuse_risk=DomesticAbuseRisk.MEDIUM, source=ReferralSource.POLICE
    )
    ChildFactory(
        referral=referral,
        first_name="Maya",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 7 + 10),
    )
    ChildFactory(
        referral=referral, first_name="Theo", date_of_birth=timezone.localdate() - timedelta(days=300)
    )
    d.referral_claim(referral, by=officer)
    child_a, child_b = referral.children.all()
    base = {"level_of_need": 3, "rationale": "r", "consent_basis": "given", "primary_need": "N1"}
    d.referral_decide(
        referral,
        decisions=[d.ChildDecisionInput(child_id=c.pk, rag=Rag.AMBER, **base) for c in (child_a, child_b)],
        by=lead,
    )
    d.referral_change_rag(
        referral,
        decision=d.ChildDecisionInput(
            child_id=child_a.pk, rag=Rag.RED, **{**base, "consent_basis": "risk", "consent_reason": "x"}
        ),
        reason="New information",
        by=lead,
    )
    html = login(officer).get(QUEUE).content.decode()
    for text in (
        "Maya Jones (7 years)",
        "Theo Jones (9 months)",
        "Police",
        "Red",
        "Rating changed",
        "Sol Officer",
        "Domestic abuse: medium risk",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rag=red", {"red"}),
        ("overdue=yes", {"overdue"}),
        ("out_of_hours=yes", {"ooh"}),
        ("domestic_abuse=yes", {"da"}),
        ("source=6", {"police"}),
        ("status=decided", {"red"}),
        ("team=TEAM", {"team"}),
    ],
)
def test_filters(query, expected, login, officer):
    now = timezone.now()
    team = TeamFactory()
    made = {
        "red": referral_with_people(rag=Rag.RED, status=Status.DECIDED, next_due_at=now + timedelta(hours=3)),
        "overdue": referral_with_people(next_due_at=now - timedelta(minutes=5)),
        "ooh": referral_with_people(out_of_hours=True),
        "da": referral_with_people(domestic_abuse_risk=DomesticAbuseRisk.STANDARD),
        "police": referral_with_people(source=ReferralSource.POLICE),
        "team": referral_with_people(team=team),
    }
    response = login(officer).get(f"{QUEUE}?{query.replace('TEAM', str(team.pk))}")
    assert set(rows(response)) == {made[name].reference for name in expected}


def test_a_bad_filter_is_said_and_filters_nothing(login, officer):
    referral_with_people()
    response = login(officer).get(f"{QUEUE}?rag=purple")
    assert response.status_code == 200
    assert len(rows(response)) == 1
    html = response.content.decode()
    assert "There is a problem" in html and "Choose RAG from the options shown" in html
    assert "need correcting, so the whole queue is shown" in html


def test_paginated_and_htmx_gets_only_the_rows(login, officer):
    for _ in range(30):
        referral_with_people(children=1, adults=0)
    client = login(officer)
    first = client.get(QUEUE)
    assert len(rows(first)) == 25 and "Next" in first.content.decode()
    second = client.get(f"{QUEUE}?page=2")
    assert len(rows(second)) == 5
    partial = client.get(f"{QUEUE}?page=2", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="queue-rows"')
    assert "<html" not in html


def test_the_queue_page_loads_htmx_from_static_and_no_inline_script(login, officer):
    html = login(officer).get(QUEUE).content.decode()
    assert "/static/htmx/htmx.min.js" in html
    assert 'hx-get="/triage/"' in html
    assert "<script>" not in html


def test_each_queue_view_is_audited_with_the_referrals_shown(login, officer):
    referral = referral_with_people()
    login(officer).get(QUEUE)
    event = AuditEvent.objects.get(action="triage.queue_view")
    assert (event.actor, event.details["referrals"]) == (officer, [referral.pk])


def _claimed_referrals(count: int, officer) -> None:
    for _ in range(count):
        d.referral_claim(referral_with_people(children=2, adults=1), by=officer)


def test_the_queue_page_makes_a_constant_number_of_queries(login, officer, django_assert_num_queries):
    """Session, user, 2FA device, roles, count, page (with claimant and team joined), children,
    open alerts, the audit row, the filter form's teams: the same at 5 rows and at 50 (25 shown)."""
    client = login(officer)
    _claimed_referrals(5, officer)
    client.get(QUEUE)  # warm per-process caches
    with CaptureQueriesContext(connection) as at_five:
        assert len(rows(client.get(QUEUE))) == 5
    assert len(at_five) <= 11, [q["sql"][:80] for q in at_five.captured_queries]
    _claimed_referrals(45, officer)
    with django_assert_num_queries(len(at_five)):
        assert len(rows(client.get(QUEUE))) == 25
    with django_assert_num_queries(len(at_five)):
        assert len(rows(client.get(f"{QUEUE}?page=2"))) == 25


def test_team_roles_see_their_teams_referrals_and_partners_see_nothing(login, make_user):
    manager = make_user(Role.TEAM_MANAGER, username="tm")
    team = TeamFactory(members=[manager])
    ours = referral_with_people(team=team)
    referral_with_people()
    assert rows(login(manager).get(QUEUE)) == [ours.reference]
    partner = make_user(Role.AGENCY_PARTNER, username="pat")
    assert login(partner).get(QUEUE).status_code == 403


def test_the_referral_page_shows_everything_and_is_audited(login, officer):
    referral = referral_with_people(
        children=2, adults=1, why_now="Disclosed on Monday", childs_voice="I am scared at home"
    )
    response = login(officer).get(reverse("triage:referral", args=[referral.reference]))
    html = response.content.decode()
    for text in (
        "Bruising on the child",
        "Disclosed on Monday",
        "I am scared at home",
        "Kerry Jones",
        "Priya Shah",
        "Given",
        "Claim",
        "No threshold decision yet",
    ):
        assert text in html, text
    event = AuditEvent.objects.get(action="triage.referral_view")
    assert (event.actor, event.referral_id, event.kind) == (officer, referral.pk, AuditEvent.Kind.READ)


def test_outside_visibility_is_404_and_unknown_is_404(login, make_user):
    referral = referral_with_people()
    worker = make_user(Role.SOCIAL_WORKER, username="sw")
    client = login(worker)
    assert client.get(reverse("triage:referral", args=[referral.reference])).status_code == 404
    assert client.get(reverse("triage:referral", args=["NOPE-1"])).status_code == 404
    assert not AuditEvent.objects.filter(action="triage.referral_view").exists()


def test_the_page_offers_only_the_actions_allowed(login, officer, lead):
    referral = referral_with_people()
    url = reverse("triage:referral", args=[referral.reference])
    assert "Make the threshold decision" not in login(officer).get(url).content.decode()
    html = login(lead).get(url).content.decode()
    assert "Make the threshold decision" in html and "Reassign" in html


def test_claim_through_the_page_and_the_loser_gets_409_naming_the_claimant(client, login, officer, make_user):
    referral = referral_with_people()
    url = reverse("triage:claim", args=[referral.reference])
    assert login(officer).post(url).status_code == 302
    other = make_user(Role.SCREENING_OFFICER, username="ola")
    response = login(other).post(url)
    assert response.status_code == 409
    assert "Sol Officer has already claimed" in response.content.decode()


def test_deciding_through_the_page_per_child(login, lead):
    referral = referral_with_people(children=2)
    a, b = referral.children.all()
    url = reverse("triage:decide", args=[referral.reference])
    client = login(lead)
    assert client.get(url).status_code == 200

    def fields(child, rag, **extra):
        p = f"child-{child.pk}-"
        data = {
            "rag": rag,
            # A level that agrees with the RAG under the default (Durham) policy's levels of need.
            "level_of_need": {"green": "2", "blue": "1"}.get(rag, "3"),
            "rationale": "Reasons",
            "consent_basis": "given",
            "primary_need": "N1",
        }
        return {p + k: v for k, v in {**data, **extra}.items()}

    # Blue without advice: the rule is shown on the form, nothing is written.
    response = client.post(url, {**fields(a, "amber"), **fields(b, "blue", consent_basis="not_needed")})
    assert response.status_code == 200
    assert "record the advice or signposting" in response.content.decode()
    assert not ChildDecision.objects.exists()
    response = client.post(url, {**fields(a, "red"), **fields(b, "amber")})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.DECIDED, Rag.RED)


def test_change_rating_step_up_and_return_pages(login, lead, make_user):
    manager = make_user(Role.TEAM_MANAGER, username="ehm")
    TeamFactory(kind=Team.Kind.EARLY_HELP, members=[manager])
    referral = referral_with_people()
    child = referral.children.get()
    decision = d.ChildDecisionInput(
        child_id=child.pk, rag=Rag.GREEN, level_of_need=2, rationale="r", consent_basis="given"
    )
    d.referral_decide(referral, decisions=[decision], by=lead)
    # Early help sees it in its queue, and steps it up.
    ehm = login(manager)
    assert rows(ehm.get(reverse("triage:early_help"))) == [referral.reference]
    url = reverse("triage:step_up", args=[referral.reference])
    assert "There is a problem" in ehm.post(url, {"reason": ""}).content.decode()
    assert ehm.post(url, {"reason": "Disclosure at home visit"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    # The lead decides the threshold again (a rating change alone is refused after a step-up).
    lead_client = login(lead)
    assert lead_client.get(reverse("triage:change_rag", args=[referral.reference])).status_code == 403
    prefix = f"child-{child.pk}"
    response = lead_client.post(
        reverse("triage:decide", args=[referral.reference]),
        {
            f"{prefix}-rag": "red",
            f"{prefix}-level_of_need": "4",
            f"{prefix}-rationale": "Disclosure",
            f"{prefix}-consent_basis": "risk",
            f"{prefix}-consent_reason": "Asking would alert the abuser",
        },
    )
    assert response.status_code == 302
    assert ChildDecision.objects.filter(child=child).count() == 2
    referral.refresh_from_db()
    assert (referral.status, referral.rag) == (Status.DECIDED, Rag.RED)
    other = referral_with_people()
    response = lead_client.post(
        reverse("triage:return", args=[other.reference]), {"reason": "Consent refused"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == Status.RETURNED


SATURDAY_NIGHT = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)


def test_the_edt_queue(login, make_user, officer):
    eddie = make_user(Role.EMERGENCY_DUTY, username="eddie")
    TeamFactory(kind=Team.Kind.EMERGENCY_DUTY, email="edt@example.gov.uk", members=[eddie])
    flagged = referral_with_people(
        received_at=SATURDAY_NIGHT, out_of_hours=True, domestic_abuse_risk=DomesticAbuseRisk.HIGH
    )
    routine = referral_with_people(received_at=SATURDAY_NIGHT, out_of_hours=True)
    for referral in (flagged, routine):
        d.referral_route_out_of_hours(referral)
    client = login(eddie)
    assert rows(client.get(reverse("triage:edt"))) == [flagged.reference]
    assert client.get(reverse("triage:edt")).content.decode().count("Significant harm: urgent") == 1
    # The EDT can open the flagged referral, not the routine one.
    assert client.get(reverse("triage:referral", args=[flagged.reference])).status_code == 200
    assert client.get(reverse("triage:referral", args=[routine.reference])).status_code == 404
    assert client.post(reverse("triage:edt_acknowledge", args=[flagged.reference])).status_code == 302
    assert rows(client.get(reverse("triage:edt"))) == []
    assert login(make_user(Role.SOCIAL_WORKER, username="sw")).get(reverse("triage:edt")).status_code == 403


def test_the_domestic_abuse_view_orders_by_grade_then_deadline_and_batch_decides(login, lead):
    now = timezone.now()
    standard_late = referral_with_people(domestic_abuse_risk="standard", next_due_at=now + timedelta(days=5))
    standard_soon = referral_with_people(domestic_abuse_risk="standard", next_due_at=now + timedelta(days=1))
    high = referral_with_people(domestic_abuse_risk="high", next_due_at=now + timedelta(days=9))
    medium = referral_with_people(domestic_abuse_risk="medium", next_due_at=now + timedelta(hours=1))
    referral_with_people()  # not a notification
    client = login(lead)
    url = reverse("triage:domestic_abuse")
    response = client.get(url)
    assert rows(response) == [
        high.reference,
        medium.reference,
        standard_soon.reference,
        standard_late.reference,
    ]
    assert "Standard risk: 7 working days" in response.content.decode()
    # Only standard-risk notifications are offered for the batch; a medium one is refused.
    response = client.post(
        url,
        {
            "referrals": [medium.pk],
            "rag": "blue",
            "level_of_need": "1",
            "rationale": "r",
            "advice_given": "a",
        },
    )
    assert response.status_code == 200
    assert "Choose notifications to decide from the options shown" in response.content.decode()
    response = client.post(
        url,
        {
            "referrals": [standard_late.pk, standard_soon.pk],
            "rag": "blue",
            "level_of_need": "1",
            "rationale": "Notification only",
            "advice_given": "Information letter to the non-abusing parent",
        },
    )
    assert response.status_code == 302
    assert rows(client.get(url)) == [high.reference, medium.reference]


def test_the_domestic_abuse_view_is_for_mash_staff(login, make_user):
    assert (
        login(make_user(Role.TEAM_MANAGER, username="tm")).get(reverse("triage:domestic_abuse")).status_code
        == 403
    )


def test_a_re_referral_is_flagged_in_the_queue_and_the_api(login, officer, lead):
    """A child referred again within 12 months (linked through the person index) is marked."""
    earlier = referral_with_people(received_at=timezone.now() - timedelta(days=40))
    base = {"level_of_need": 1, "rationale": "r", "consent_basis": "not_needed", "advice_given": "Leaflet"}
    d.referral_decide(
        earlier,
        decisions=[d.ChildDecisionInput(child_id=earlier.children.get().pk, rag=Rag.BLUE, **base)],
        by=lead,
    )
    person = earlier.children.get().person  # added to the person index by the decision
    assert person is not None
    again = referral_with_people()
    again.children.update(person=person)
    html = login(officer).get(QUEUE).content.decode()
    assert "Re-referral" in html and f"after {earlier.reference} (Closed (Blue))" in html
    api_rows = login(officer).get("/api/v1/triage/queue/").json()["results"]
    assert api_rows[0]["rereferral"] == {"reference": earlier.reference, "outcome": "Closed (Blue)"}


def test_the_referral_page_shows_each_decision_version_and_the_clocks(login, lead, officer):
    referral = referral_with_people()
    child = referral.children.get()
    first = d.ChildDecisionInput(
        child_id=child.pk, rag=Rag.AMBER, level_of_need=3, rationale="First view", consent_basis="given"
    )
    d.referral_decide(referral, decisions=[first], by=lead)
    second = d.ChildDecisionInput(
        child_id=child.pk,
        rag=Rag.RED,
        level_of_need=4,
        rationale="Second view",
        consent_basis="risk",
        consent_reason="r",
    )
    d.referral_change_rag(referral, decision=second, reason="Police disclosure", by=lead)
    html = login(officer).get(reverse("triage:referral", args=[referral.reference])).content.decode()
    for text in (
        "First view",
        "(superseded)",
        "Second view",
        "Reason for change: Police disclosure",
        "Rating changed",
        "Strategy discussion",
        "Threshold decided: Amber",
        "Policy v1",
    ):
        assert text in html, text


@pytest.mark.parametrize("name", ["reassign", "change_rag", "step_up", "decide"])
def test_action_forms_are_refused_to_roles_that_may_not_use_them(name, login, officer):
    referral = referral_with_people()
    assert login(officer).get(reverse(f"triage:{name}", args=[referral.reference])).status_code == 403


def test_action_forms_render_for_a_lead(login, lead, officer):
    referral = referral_with_people()
    d.referral_claim(referral, by=officer)
    client = login(lead)
    for name in ("reassign", "return", "decide"):
        response = client.get(reverse(f"triage:{name}", args=[referral.reference]))
        assert response.status_code == 200, name
        assert "There is a problem" not in response.content.decode()
    response = client.post(
        reverse("triage:reassign", args=[referral.reference]), {"to": lead.pk, "reason": "Cover"}
    )
    assert response.status_code == 302
    child = referral.children.get()
    decision = d.ChildDecisionInput(
        child_id=child.pk, rag=Rag.AMBER, level_of_need=3, rationale="r", consent_basis="given"
    )
    d.referral_decide(referral, decisions=[decision], by=lead)
    assert client.get(reverse("triage:change_rag", args=[referral.reference])).status_code == 200


def test_the_sweepers_warning_and_breach_show_on_the_queue_until_the_work_is_done(login, officer):
    from notifications.sweeper import sweep
    from triage.deadlines import deadline_meet, deadline_start
    from triage.models import Deadline
    from triage.policy import current_policy

    now = timezone.now()
    soon = referral_with_people(next_due_at=now + timedelta(minutes=10))
    late = referral_with_people(next_due_at=now - timedelta(minutes=10))
    policy = current_policy()
    for referral, due in ((soon, now + timedelta(minutes=10)), (late, now - timedelta(minutes=10))):
        deadline_start(
            referral,
            Deadline.Kind.DECISION,
            start=now - timedelta(hours=3),
            policy=policy,
            timescale={"amount": 1, "unit": "clock_hours"},
        )
        Deadline.objects.filter(referral=referral).update(due_at=due, warn_at=due - timedelta(hours=1))
    sweep()
    html = login(officer).get(QUEUE).content.decode()
    assert html.count("Due soon") == 1 and html.count("Deadline missed") == 1
    deadline_meet(late, Deadline.Kind.DECISION, at=timezone.now())
    assert "Deadline missed" not in login(officer).get(QUEUE).content.decode()


@pytest.mark.parametrize(
    ("rag", "status", "offered", "not_offered"),
    [
        (Rag.AMBER, Status.DECIDED, ["Ask agencies for information"], ["Record the outcome", "strategy"]),
        (Rag.AMBER, Status.INFORMATION_GATHERING, ["Record the MASH discussion"], ["Record the outcome"]),
        (
            Rag.RED,
            Status.DECIDED,
            ["Hold a strategy discussion", "Ask agencies"],
            ["Record the outcome", "Record the strategy discussion"],
        ),
        (Rag.RED, Status.STRATEGY_DISCUSSION, ["Record the outcome"], ["Record the MASH discussion"]),
        (Rag.GREEN, Status.DECIDED, ["Record the outcome"], ["Ask agencies", "strategy"]),
        (None, Status.RECEIVED, ["Check whether the children are known"], ["Record the outcome"]),
    ],
)
def test_the_lead_is_offered_the_next_step_the_state_allows(login, lead, rag, status, offered, not_offered):
    referral = referral_with_people(rag=rag or "", status=status)
    html = login(lead).get(reverse("triage:referral", args=[referral.reference])).content.decode()
    assert all(text in html for text in offered), offered
    assert not any(text in html for text in not_offered), not_offered
    assert "summary report (PDF)" in html


def test_only_the_receiving_teams_manager_is_offered_allocation(login, make_user):
    manager, other = make_user(Role.TEAM_MANAGER), make_user(Role.TEAM_MANAGER)
    team = TeamFactory(kind=Team.Kind.ASSESSMENT, manager=manager)
    team.members.add(manager, other)
    referral = referral_with_people(status=Status.OUTCOME, rag=Rag.AMBER, team=team)
    url = reverse("triage:referral", args=[referral.reference])
    assert "Allocate to a worker" in login(manager).get(url).content.decode()
    assert "Allocate to a worker" not in login(other).get(url).content.decode()


@pytest.mark.postgres
def test_the_queue_first_page_can_be_read_straight_off_its_partial_index(officer):
    """At a million referrals the first page must not sort every open one: the ordered partial
    index serves ORDER BY ... LIMIT directly (sorting is disabled here to prove it can)."""
    from triage.selectors import referral_queue

    for _ in range(3):
        referral_with_people(next_due_at=timezone.now() + timedelta(hours=1))
    query = referral_queue(officer)[:25].values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "referral_queue_order" in plan and "Sort" not in plan, plan


# --- finding a referral: search by reference, child's name and date of birth -----------------


def _amy_and_zara():
    """Two referrals: Amy Smith (born 27 March 2018, known as Mimi) with Ben Smith; Zara Khan."""
    amy = referral_with_people(children=0, reference="MASH-2026-000417")
    ChildFactory(
        referral=amy, first_name="Amy", last_name="Smith", other_names="Mimi", date_of_birth=date(2018, 3, 27)
    )
    ChildFactory(referral=amy, first_name="Ben", last_name="Smith", date_of_birth=date(2015, 1, 9))
    zara = referral_with_people(children=0, reference="MASH-2026-000588")
    ChildFactory(referral=zara, first_name="Zara", last_name="Khan", date_of_birth=date(2012, 11, 2))
    return amy, zara


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("MASH-2026-000417", {"amy"}),  # the whole reference
        ("mash-2026-000417", {"amy"}),  # any case
        ("000588", {"zara"}),  # part of it
        ("Amy", {"amy"}),  # a first name
        ("KHAN", {"zara"}),  # a last name, any case
        ("mit", {"amy"}),  # any part of a name
        ("mimi", {"amy"}),  # other names
        ("Amy Smith", {"amy"}),  # first and last name of one child
        ("27/3/2018", {"amy"}),  # a date of birth as people type it
        ("27/03/2018", {"amy"}),
        ("2018-03-27", {"amy"}),
        ("27 March 2018", {"amy"}),  # as the service writes it
        ("27 Mar 2018", {"amy"}),
        ("Smith 27 Marsh 2018", set()),  # "Marsh" is not a month: a name part, and nobody is called it
        ("Amy 27/3/2018", {"amy"}),  # name and date of birth of the same child
        ("Ben 27/3/2018", set()),  # Ben was not born that day: both must be the same child
        ("Amy Khan", set()),  # parts of two different children's names never combine
        ("Nobody", set()),
    ],
)
def test_the_queue_finds_a_referral(search, found, login, officer):
    amy, zara = _amy_and_zara()
    referral_with_people()  # a third that no search here should find
    response = login(officer).get(QUEUE, {"q": search})
    assert response.status_code == 200
    assert set(rows(response)) == {{"amy": amy, "zara": zara}[name].reference for name in found}
    html = response.content.decode()
    assert "There is a problem" not in html
    assert (
        f"found for <strong>{search}</strong>" in html if found else "No referral you can see matches" in html
    )


def test_a_search_finds_only_what_the_user_may_see(login, make_user):
    """A team manager's search goes through the same visibility as their queue: another team's
    referral is not found, and nothing on the page says it exists."""
    manager = make_user(Role.TEAM_MANAGER, username="tm")
    ours = referral_with_people(children=0, team=TeamFactory(members=[manager]))
    ChildFactory(referral=ours, first_name="Amy", last_name="Smith")
    theirs = referral_with_people(children=0, team=TeamFactory(), reference="MASH-2026-009999")
    ChildFactory(referral=theirs, first_name="Amy", last_name="Smith")
    client = login(manager)
    assert rows(client.get(QUEUE, {"q": "Amy Smith"})) == [ours.reference]
    response = client.get(QUEUE, {"q": "MASH-2026-009999"})
    assert rows(response) == []
    assert "MASH-2026-009999</a>" not in response.content.decode()
    # A partner cannot search at all.
    assert login(make_user(Role.AGENCY_PARTNER, username="pat")).get(QUEUE, {"q": "Amy"}).status_code == 403


def test_a_search_reaches_closed_referrals_only_when_asked(login, officer):
    closed = referral_with_people(status=Status.CLOSED, reference="MASH-2026-000123")
    client = login(officer)
    assert rows(client.get(QUEUE, {"q": "000123"})) == []
    assert rows(client.get(QUEUE, {"q": "000123", "status": "all"})) == [closed.reference]


def test_a_search_is_audited_as_a_read_with_what_was_searched_and_found(login, officer):
    amy, _ = _amy_and_zara()
    login(officer).get(QUEUE, {"q": "amy smith"})
    event = AuditEvent.objects.get(action="triage.queue_search")
    assert (event.kind, event.actor) == (AuditEvent.Kind.READ, officer)
    assert event.details["search"] == "amy smith" and event.details["referrals"] == [amy.pk]
    assert not AuditEvent.objects.filter(action="triage.queue_view").exists()


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("Amy\x00", "The search can only contain letters, numbers and punctuation"),
        ("a" * 101, "The search must be 100 characters or fewer"),
        ("31/02/2019", "Enter a real date of birth in the search, for example 27/3/2018"),
        ("31 February 2019", "Enter a real date of birth in the search, for example 27/3/2018"),
        ("1/13/2019", "Enter a real date of birth in the search, for example 27/3/2018"),
        ("27/3/18", "Enter the year of birth in full in the search, for example 27/3/2018"),
        ("27/3/2018 2/11/2012", "Enter one date of birth in the search, not two"),
    ],
)
def test_a_bad_search_says_what_is_wrong_and_searches_nothing(search, message, login, officer):
    _amy_and_zara()
    response = login(officer).get(QUEUE, {"q": search})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and html.count(message) == 2  # in the summary and by the box
    assert '<a href="#id_q">' in html  # the summary links to the search box
    assert len(rows(response)) == 2  # the whole queue, said so, rather than a wrong answer
    assert not AuditEvent.objects.filter(action="triage.queue_search").exists()


def test_a_bad_search_through_htmx_loads_the_whole_page_to_show_the_message(login, officer):
    response = login(officer).get(QUEUE, {"q": "31/02/2019"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"] == f"{QUEUE}?q=31%2F02%2F2019"
    good = login(officer).get(QUEUE, {"q": "Amy"}, headers={"HX-Request": "true"})
    assert "HX-Redirect" not in good and good.content.decode().lstrip().startswith('<div id="queue-rows"')


def test_a_search_costs_no_more_queries_than_the_queue(login, officer, django_assert_num_queries):
    client = login(officer)
    _claimed_referrals(5, officer)
    amy, _ = _amy_and_zara()
    client.get(QUEUE)  # warm per-process caches
    with CaptureQueriesContext(connection) as plain:
        client.get(QUEUE)
    with django_assert_num_queries(len(plain)):
        assert rows(client.get(QUEUE, {"q": "Amy 27/3/2018"})) == [amy.reference]
    with django_assert_num_queries(len(plain)):
        assert rows(client.get(QUEUE, {"q": "MASH-2026-000417", "rag": "", "status": "all"})) == [
            amy.reference
        ]


def test_the_early_help_queue_can_be_searched_too(login, lead, make_user):
    manager = make_user(Role.TEAM_MANAGER, username="ehm")
    TeamFactory(kind=Team.Kind.EARLY_HELP, members=[manager])
    amy, zara = _amy_and_zara()
    for referral in (amy, zara):
        decisions = [
            d.ChildDecisionInput(
                child_id=c.pk, rag=Rag.GREEN, level_of_need=2, rationale="r", consent_basis="given"
            )
            for c in referral.children.all()
        ]
        d.referral_decide(referral, decisions=decisions, by=lead)
    client = login(manager)
    assert set(rows(client.get(reverse("triage:early_help")))) == {amy.reference, zara.reference}
    assert rows(client.get(reverse("triage:early_help"), {"q": "khan"})) == [zara.reference]
    assert AuditEvent.objects.filter(action="triage.early_help_queue_search", actor=manager).exists()


def test_the_queue_filters_offer_plain_first_choices_and_no_dashes(login, officer):
    html = login(officer).get(QUEUE).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Any open status</option>' in html
    assert html.count('<option value="" selected>Any</option>') == 6  # RAG, team, three yes/no, source
    assert 'type="search"' in html and 'class="govuk-input' in html


# --- the emergency duty team's queue ----------------------------------------------------------


@pytest.fixture
def eddie(make_user):
    user = make_user(Role.EMERGENCY_DUTY, username="eddie", first_name="Eddie", last_name="Duty")
    TeamFactory(kind=Team.Kind.EMERGENCY_DUTY, email="edt@example.gov.uk", members=[user])
    return user


def _flagged(received_ago: timedelta, **fields):
    referral = referral_with_people(
        received_at=timezone.now() - received_ago, out_of_hours=True, significant_harm=True, **fields
    )
    d.referral_route_out_of_hours(referral)
    return referral


EDT = reverse("triage:edt")


def test_the_edt_queue_shows_urgency_and_how_long_it_has_waited_not_a_working_day_clock(login, eddie):
    referral = _flagged(
        timedelta(hours=3, minutes=20), next_due_at=timezone.now() + timedelta(days=1, hours=3)
    )
    html = login(eddie).get(EDT).content.decode()
    assert rows_of(html) == [referral.reference]
    assert "Significant harm: urgent" in html
    assert "Received 3\xa0hours, 20\xa0minutes ago" in html
    assert "left" not in html.split('id="queue-rows"')[1]  # no "1 day, 3 hours left"
    assert "Not yet acknowledged" in html


def rows_of(html: str) -> list[str]:
    return re.findall(r'href="/triage/([A-Z0-9-]+)/"', html.split('id="queue-rows"')[1])


def test_an_acknowledged_referral_stays_findable_until_the_day_team_takes_it(login, eddie, officer):
    waiting = _flagged(timedelta(hours=1))
    seen = _flagged(timedelta(hours=5))
    client = login(eddie)
    assert client.post(reverse("triage:edt_acknowledge", args=[seen.reference])).status_code == 302
    assert rows(client.get(EDT)) == [waiting.reference]  # the EDT's own work first
    response = client.get(EDT, {"acknowledged": "yes"})
    assert rows(response) == [seen.reference]
    html = response.content.decode()
    assert "Acknowledged</strong><br>by Eddie Duty" in html and "Waiting for the day team" in html
    assert not AuditEvent.objects.filter(action="triage.edt_queue_search").exists()
    assert rows(client.get(EDT, {"acknowledged": "any"})) == [waiting.reference, seen.reference]  # flag order
    assert rows(client.get(EDT, {"acknowledged": "yes", "q": seen.reference})) == [seen.reference]
    # The day team claims it for screening: it has been taken, and leaves the EDT's view.
    d.referral_claim(seen, by=officer)
    assert rows(client.get(EDT, {"acknowledged": "yes"})) == []
    assert rows(client.get(EDT, {"acknowledged": "any"})) == [waiting.reference]


def test_the_edt_filter_refuses_an_unknown_choice_and_says_so(login, eddie):
    waiting = _flagged(timedelta(hours=1))
    response = login(eddie).get(EDT, {"acknowledged": "maybe"})
    assert response.status_code == 200
    assert "Choose acknowledged from the options shown" in response.content.decode()
    assert rows(response) == [waiting.reference]


def test_the_edt_queue_makes_a_constant_number_of_queries(login, eddie, officer, django_assert_num_queries):
    client = login(eddie)
    for _ in range(3):
        d.referral_edt_acknowledge(_flagged(timedelta(hours=2)), by=eddie)
    client.get(EDT, {"acknowledged": "yes"})
    with CaptureQueriesContext(connection) as at_three:
        assert len(rows(client.get(EDT, {"acknowledged": "yes"}))) == 3
    for _ in range(6):
        d.referral_edt_acknowledge(_flagged(timedelta(hours=2)), by=eddie)
    with django_assert_num_queries(len(at_three)):
        assert len(rows(client.get(EDT, {"acknowledged": "yes"}))) == 9


def test_the_main_queue_marks_significant_harm(login, officer):
    referral_with_people(significant_harm=True)
    assert "Significant harm indicated" in login(officer).get(QUEUE).content.decode()


def test_a_referral_received_seconds_ago_has_waited_less_than_a_minute_not_0_minutes():
    now = timezone.now()
    assert since_text(now - timedelta(seconds=20), now) == "less than a minute"
    assert since_text(now - timedelta(minutes=3, seconds=5), now) == "3\xa0minutes"
