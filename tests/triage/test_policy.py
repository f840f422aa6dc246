"""The council's policy: presets that reproduce the seed documents, validation, versions, due times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command

from mash.models import AuditEvent
from tests.factories import load_preset
from triage.actions import policy_version_create, policy_version_fields
from triage.models import PolicyVersion
from triage.policy import calendar_for, current_policy, due_at
from triage.policy_shapes import validate_policy, validate_timescale
from triage.presets import PRESETS, preset

LONDON = ZoneInfo("Europe/London")
COUNCILS = ("derby", "durham", "wolverhampton", "cambridgeshire")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def policies(db) -> dict[str, PolicyVersion]:
    # Each loaded in turn: only the last is current, but every version is kept and usable.
    return {council: load_preset(council) for council in COUNCILS}


# Presets ------------------------------------------------------------------------------------------------


def test_there_is_a_preset_for_each_council_and_each_is_valid():
    assert set(PRESETS) == set(COUNCILS)
    for council in COUNCILS:
        validate_policy(PolicyVersion(council=council, **preset(council)))
        assert preset(council)["defaults_taken"], f"{council} should say which defaults it took"


@pytest.mark.parametrize(
    ("council", "field", "value"),
    [
        # 001: 8.30-5.00 Mon-Thu, 8.30-4.30 Fri; 4 hours where serious, otherwise one working day.
        ("durham", "working_hours", ["08:30", "16:30"]),
        ("durham", "rag_timescales", {"amount": 4, "unit": "clock_hours"}),
        ("durham", "decision_deadline", {"amount": 1, "unit": "working_days"}),
        # 002: Red 4 hours, Amber 24, Green 72; closed within 28 days -> the allocated worker.
        (
            "wolverhampton",
            "rag_timescales",
            {"amount": 72, "unit": "clock_hours", "starts": "next_working_moment"},
        ),
        ("wolverhampton", "recall_window_days", 28),
        ("wolverhampton", "council_phone", "01902 555392"),
        # 000: Careline 5pm-9am weekdays, number 01332 956606; 003: domestic abuse same day / 3 / 7.
        ("derby", "working_hours", ["09:00", "17:00"]),
        ("derby", "edt_phone", "01332 956606"),
        ("derby", "domestic_abuse_timescales", {"amount": 0, "unit": "same_working_day"}),
        # 004: 8.45-5.20, 4.20 on Friday; consent rules; visit 5 working days; strategy in 24 hours.
        ("cambridgeshire", "working_hours", ["08:45", "16:20"]),
        ("cambridgeshire", "consent_rules", "not_required_if_risk"),
        ("cambridgeshire", "visit_working_days", 5),
        ("cambridgeshire", "strategy_discussion_hours", 24),
    ],
)
def test_presets_reproduce_the_seed_documents(council, field, value):
    settings = preset(council)[field]
    picked = {
        "working_hours": lambda: settings["fri"],
        "rag_timescales": lambda: settings["red" if council == "durham" else "green"],
        "domestic_abuse_timescales": lambda: settings["high"],
        "consent_rules": lambda: settings["red"],
    }
    assert picked.get(field, lambda: settings)() == value


def test_the_command_loads_each_preset_as_a_new_current_version(db, capsys):
    # migrate loaded Durham's preset as its version 1, so loading Durham again makes version 2.
    versions = {"derby": 1, "durham": 2, "wolverhampton": 1, "cambridgeshire": 1}
    for council in COUNCILS:
        call_command("load_policy_preset", council)
        current = PolicyVersion.objects.get(is_current=True)
        assert (current.council, current.version) == (council, versions[council])
        assert "default taken" in capsys.readouterr().out
    call_command("load_policy_preset", "durham", note="back to Durham")
    assert PolicyVersion.current().version == 3
    assert PolicyVersion.objects.count() == 6
    event = AuditEvent.objects.filter(action="policy.version_create").latest("id")
    assert (event.actor_label, event.reason) == ("manage.py load_policy_preset", "back to Durham")


def test_the_command_refuses_an_unknown_council(db):
    with pytest.raises(CommandError):
        call_command("load_policy_preset", "atlantis")
    assert list(PolicyVersion.objects.all()) == [PolicyVersion.current()]  # only migrate's


@pytest.fixture
def no_policy(db):
    """A database with no policy version, as if migrate had never loaded the default."""
    PolicyVersion.objects.all().delete()


def test_migrate_loads_the_default_preset_once(no_policy):
    call_command("migrate", verbosity=0)
    policy = current_policy()
    assert (policy.council, policy.version, policy.is_current, policy.created_by) == (
        "durham",
        1,
        True,
        None,
    )
    assert policy.change_note == "Created on migrate: no policy version was in force"
    event = AuditEvent.objects.get(action="policy.version_create", object_id=str(policy.pk))
    assert event.reason == policy.change_note
    call_command("migrate", verbosity=0)
    assert list(PolicyVersion.objects.all()) == [policy]  # a policy in force is left alone


def test_migrate_leaves_a_loaded_policy_alone(db):
    derby = load_preset("derby")
    call_command("migrate", verbosity=0)
    assert PolicyVersion.current() == derby


def test_reading_the_policy_never_writes_and_names_the_fix(no_policy):
    with pytest.raises(ImproperlyConfigured, match=r"manage.py migrate.*load_policy_preset"):
        current_policy()
    assert not PolicyVersion.objects.exists()


# Versions ------------------------------------------------------------------------------------------------


def test_a_change_makes_a_new_version_and_never_edits_the_old(db, make_user):
    admin = make_user(username="ada")
    first = load_preset("durham")
    settings = policy_version_fields(first)
    settings["closure_days"] = ["12-29", "12-30", "12-31"]
    second = policy_version_create(council="durham", settings=settings, by=admin, note="Christmas closure")
    first.refresh_from_db()
    assert first.closure_days == [] and not first.is_current
    assert (second.version, second.is_current, second.created_by, second.change_note) == (
        first.version + 1,
        True,
        admin,
        "Christmas closure",
    )
    event = AuditEvent.objects.get(action="policy.version_create", actor=admin)
    assert event.details == {"council": "durham", "version": first.version + 1}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("working_hours", {"mon": ["09:00", "17:00"]}, "give every day"),
        (
            "working_hours",
            {**preset("durham")["working_hours"], "mon": ["17:00", "09:00"]},
            "not after opening",
        ),
        ("working_hours", {**preset("durham")["working_hours"], "tue": ["9am", "5pm"]}, "HH:MM"),
        ("rag_timescales", {"red": {"amount": 4, "unit": "clock_hours"}}, "missing amber, green"),
        (
            "rag_timescales",
            {**preset("durham")["rag_timescales"], "red": {"amount": 4, "unit": "days"}},
            "unit",
        ),
        (
            "rag_timescales",
            {**preset("durham")["rag_timescales"], "red": {"amount": -1, "unit": "clock_hours"}},
            "0",
        ),
        ("closure_days", ["2026-02-30"], "not a closure day"),
        ("consent_rules", {"red": "whatever"}, "must be one of"),
        ("bank_holiday_subdiv", "XX", "ENG, NIR, SCT, WLS"),
        ("decision_deadline", {"amount": 1.5, "unit": "working_days"}, "whole number"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message_and_nothing_written(db, field, value, message):
    settings = {**preset("durham"), field: value}
    with pytest.raises(ValidationError) as error:
        policy_version_create(council="durham", settings=settings, by="tests", note="bad")
    assert message in " ".join(error.value.message_dict[field])
    assert PolicyVersion.objects.count() == 1  # only migrate's
    assert not AuditEvent.objects.filter(reason="bad").exists()


def test_starts_applies_only_to_clock_hours():
    with pytest.raises(ValidationError, match="clock_hours only"):
        validate_timescale({"amount": 1, "unit": "working_days", "starts": "next_working_moment"})


def test_calendars_are_built_once_per_version(policies):
    durham = policies["durham"]
    assert calendar_for(durham) is calendar_for(PolicyVersion.objects.get(pk=durham.pk))
    assert calendar_for(durham) is not calendar_for(policies["cambridgeshire"])


# Due times per council, worked by hand --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("council", "due"),
    [
        ("durham", at(2026, 11, 30, 15, 0)),  # one working day (001)
        ("derby", at(2026, 11, 28, 15, 0)),  # 24 clock hours from receipt, received in hours (002's default)
        ("wolverhampton", at(2026, 11, 28, 15, 0)),  # 24 clock hours (002)
        # 24 clock hours end on Saturday, out of hours: moved to Monday's opening (004's reading)
        ("cambridgeshire", at(2026, 11, 30, 8, 45)),
    ],
)
def test_a_friday_afternoon_amber(policies, council, due):
    policy = policies[council]
    assert due_at(policy, policy.rag_timescales["amber"], at(2026, 11, 27, 15, 0)) == due


@pytest.mark.parametrize(
    ("council", "due"),
    [
        ("durham", at(2026, 11, 30, 17, 0)),  # Friday closed at 16:30: all of Monday
        ("derby", at(2026, 11, 28, 16, 45)),  # Derby is open until 17:00 on Fridays
        ("wolverhampton", at(2026, 12, 1, 8, 30)),  # 24 h from Monday's opening
        ("cambridgeshire", at(2026, 12, 1, 8, 45)),  # 004: waits for the next working day
    ],
)
def test_an_amber_after_the_friday_close(policies, council, due):
    policy = policies[council]
    assert due_at(policy, policy.rag_timescales["amber"], at(2026, 11, 27, 16, 45)) == due


@pytest.mark.parametrize(
    ("council", "decision", "amber"),
    [
        ("durham", at(2026, 9, 1, 17, 0), at(2026, 9, 1, 17, 0)),
        ("derby", at(2026, 9, 1, 17, 0), at(2026, 9, 2, 9, 0)),
        ("wolverhampton", at(2026, 9, 1, 17, 0), at(2026, 9, 2, 8, 30)),
        ("cambridgeshire", at(2026, 9, 1, 17, 20), at(2026, 9, 2, 8, 45)),
    ],
)
def test_a_referral_on_the_saturday_of_a_bank_holiday_weekend(policies, council, decision, amber):
    policy = policies[council]
    saturday = at(2026, 8, 29, 10, 0)  # Summer bank holiday on Monday 31 August
    assert calendar_for(policy).is_out_of_hours(saturday)
    assert due_at(policy, policy.decision_deadline, saturday) == decision
    assert due_at(policy, policy.rag_timescales["amber"], saturday) == amber
    # Red runs round the clock from receipt whatever the day.
    assert due_at(policy, policy.rag_timescales["red"], saturday) == at(2026, 8, 29, 14, 0)


@pytest.mark.parametrize("council", COUNCILS)
def test_a_red_at_ten_to_midnight(policies, council):
    policy = policies[council]
    due = due_at(policy, policy.rag_timescales["red"], at(2026, 11, 25, 23, 50))
    assert due == datetime(2026, 11, 26, 3, 50, tzinfo=UTC)


def test_derby_domestic_abuse_timescales(policies):
    derby = policies["derby"]
    timescales = derby.domestic_abuse_timescales
    # 003 para 4.11: high risk on the day (Mon-Fri), the next working day after a weekend or bank holiday.
    assert due_at(derby, timescales["high"], at(2026, 8, 29, 10, 0)) == at(2026, 9, 1, 17, 0)
    assert due_at(derby, timescales["high"], at(2026, 9, 2, 10, 0)) == at(2026, 9, 2, 17, 0)
    assert due_at(derby, timescales["medium"], at(2026, 12, 7, 11, 0)) == at(2026, 12, 10, 11, 0)
    assert due_at(derby, timescales["standard"], at(2026, 12, 21, 11, 0)) == at(2027, 1, 4, 11, 0)


def test_working_hours_timescale_and_clock_hours_from_the_next_working_moment(policies):
    durham = policies["durham"]
    friday = at(2026, 10, 23, 16, 0)  # the clocks go back that weekend
    assert due_at(durham, {"amount": 2, "unit": "working_hours"}, friday) == at(2026, 10, 26, 10, 0)
    late = {"amount": 4, "unit": "clock_hours", "starts": "next_working_moment"}
    assert due_at(durham, late, at(2026, 10, 24, 23, 50)) == at(2026, 10, 26, 12, 30)
    with pytest.raises(ValidationError):
        due_at(durham, {"amount": 2, "unit": "fortnights"}, friday)


# The admin -------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db, make_user, login):
    return login(make_user(username="root", is_staff=True, is_superuser=True))


def _form_data(policy: PolicyVersion, **changes) -> dict:
    import json

    data = {"council": policy.council, "change_note": "test edit"}
    for name, value in policy_version_fields(policy).items():
        data[name] = json.dumps(value) if isinstance(value, dict | list) else value
    return {**data, **changes}


def test_saving_in_the_admin_makes_a_new_version(admin_client):
    first = load_preset("durham")
    url = f"/admin/triage/policyversion/{first.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, _form_data(first, closure_days='["12-24"]', change_note="Christmas Eve")
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.closure_days == [] and not first.is_current
    new = PolicyVersion.current()
    assert (new.version, new.closure_days, new.created_by.username, new.change_note) == (
        first.version + 1,
        ["12-24"],
        "root",
        "Christmas Eve",
    )
    assert AuditEvent.objects.filter(action="policy.version_create", actor=new.created_by).count() == 1


def test_the_admin_shows_bad_settings_and_saves_nothing(admin_client):
    first = load_preset("durham")
    url = f"/admin/triage/policyversion/{first.pk}/change/"
    bad = '{"red": {"amount": 4, "unit": "fortnights"}, "amber": {"amount": 1, "unit": "working_days"}}'
    response = admin_client.post(url, _form_data(first, rag_timescales=bad))
    assert response.status_code == 200
    assert "RAG timescales: missing green" in response.content.decode()
    assert PolicyVersion.current() == first
    assert PolicyVersion.objects.count() == 2  # migrate's and the test's


def test_old_versions_are_read_only_and_can_be_copied_back(admin_client):
    first = load_preset("durham")
    load_preset("cambridgeshire")
    page = admin_client.get(f"/admin/triage/policyversion/{first.pk}/change/").content.decode()
    assert 'name="working_hours"' not in page  # shown, not editable
    response = admin_client.post(
        "/admin/triage/policyversion/", {"action": "copy_as_current", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    current = PolicyVersion.current()
    assert (current.council, current.version, current.working_hours) == (
        "durham",
        first.version + 1,
        first.working_hours,
    )


def test_the_model_clean_checks_the_shapes():
    policy = PolicyVersion(council="durham", **{**preset("durham"), "closure_days": "Christmas"})
    with pytest.raises(ValidationError) as error:
        policy.clean()
    assert set(error.value.message_dict) == {"closure_days"}
