# ruff: noqa: E501  (tables of expected rows read best one row per line)
"""Annex A lists from the hand-built world: every row and cell with a known answer."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from referrals.states import Status
from reports import annex_a
from reports import annex_a_labels as labels
from reports.statutory import Assessment, Child, Episode, Section47
from triage.models import StatusChange
from triage.redecision import STEP_UP_REASON

from .world import END, START, at

pytestmark = pytest.mark.django_db


def test_list_1_contacts_are_every_child_and_every_consultation(world):
    rows = annex_a.list_1(START, END)
    c = world.children
    assert rows == [
        ["LA0001", "a) Male", "a) WBRI", "01/06/2015", 11, "05/10/2026", "q) 6: Police"],
        [f"C{c['c2'].pk}", "b) Female", "j) AIND", "01/03/2012", 14, "05/10/2026", "e) 2A: Schools"],
        [f"C{c['c3'].pk}", "c) Not stated/recorded", "t) NOBT", "", "", "12/10/2026", "a) 1A: Individual"],
        [f"P{world.people['P2'].pk}", "b) Female", "n) BCRB", "01/01/2020", 6, "20/10/2026", "q) 6: Police"],
        ["LA0001", "a) Male", "a) WBRI", "01/06/2015", 11, "28/10/2026", "q) 6: Police"],
        [f"C{c['c6a'].pk}", "a) Male", "t) NOBT", "", "", "30/10/2026", "t) 9: Anonymous"],
        [f"C{c['c6b'].pk}", "a) Male", "t) NOBT", "", "", "30/10/2026", "t) 9: Anonymous"],
        [f"CONS{world.consultation.pk}", "c) Not stated/recorded", "t) NOBT", "", "", "15/10/2026", "g) 3A: Health services"],
    ]  # fmt: skip


def test_list_2_early_help_is_each_child_passed_to_early_help(world):
    # R3 went to early help (Early Help Hub B) by the outcome of 13 October.
    assert annex_a.list_2(START, END) == [
        [f"C{world.children['c3'].pk}", "c) Not stated/recorded", "t) NOBT", "", "", "13/10/2026", "", "Early Help Hub B"],
    ]  # fmt: skip


def _history(referral, moves) -> None:
    """The referral's status history as the lifecycle writes it: (from, to, when, why)."""
    for from_status, to_status, when, reason in moves:
        StatusChange.objects.create(
            referral=referral, from_status=from_status, to_status=to_status, at=when, by_label="Lee Lead",
            reason=reason,
        )  # fmt: skip


def test_list_2_early_help_is_complete_when_early_help_steps_the_referral_up(world):
    """R3 went to early help by the outcome of 13 October (10:00); the hub allocated it on the 14th
    and stepped it back up to the MASH on 27 October: early help's part ended that day. An earlier
    move (the decision before the outcome) does not count."""
    r3 = world.referrals["R3"]
    _history(r3, [
        (Status.SCREENING, Status.DECIDED, at("2026-10-12", "16:00"), "Threshold decided: Green"),
        (Status.DECIDED, Status.OUTCOME, at("2026-10-13", "10:00"), "Early help"),
        (Status.OUTCOME, Status.ALLOCATED, at("2026-10-14", "09:00"), "Allocated to Eve Helper"),
        (Status.ALLOCATED, Status.SCREENING, at("2026-10-27", "15:30"), f"{STEP_UP_REASON}Harm disclosed."),
    ])  # fmt: skip
    [row] = annex_a.list_2(START, END)
    assert row[5:] == ["13/10/2026", "27/10/2026", "Early Help Hub B"]
    # As at 26 October it had not ended yet.
    [row] = annex_a.list_2(START, date(2026, 10, 26))
    assert row[5:] == ["13/10/2026", "", "Early Help Hub B"]


def test_list_2_early_help_is_complete_when_the_referral_closes(world):
    r3 = world.referrals["R3"]
    _history(r3, [(Status.ALLOCATED, Status.CLOSED, at("2026-10-30", "11:00"), "Closed")])
    assert annex_a.list_2(START, END)[0][6] == "30/10/2026"
    # Closed after the period's end: still open as at its end.
    StatusChange.objects.filter(referral=r3).update(at=at("2026-11-02", "11:00"))
    assert annex_a.list_2(START, END)[0][6] == ""


def test_list_3_referrals_count_the_last_twelve_months(world):
    rows = annex_a.list_3(START, END)
    assert rows == [
        # P1 was referred in March (R0) too: two referrals in the 12 months to 5 October.
        ["LA0001", "a) Male", "a) WBRI", "01/06/2015", 11, "05/10/2026", "q) 6: Police", "b) No", 2,
         "Assessment Team A", "Sam Worker"],
        [f"C{world.children['c2'].pk}", "b) Female", "j) AIND", "01/03/2012", 14, "05/10/2026", "e) 2A: Schools",
         "b) No", 1, "Assessment Team A", ""],
    ]  # fmt: skip


def test_list_5_section_47(world):
    rows = annex_a.list_5(START, END)
    assert rows == [
        ["LA0001", "a) Male", "a) WBRI", "01/06/2015", 11, "c) Unknown", "06/10/2026", "", "", "", 1, 0,
         "Assessment Team A", "Sam Worker"],
    ]  # fmt: skip


def test_list_4_from_assessments_the_workflow_does_not_yet_record(world):
    assert annex_a.list_4(START, END) == []  # the workflow records no assessment dates (see README)
    child = Child(
        "LA9", "M", "WBRI", birth_date=date(2010, 10, 10), has_disability=True,
        episodes=[Episode(
            referral_date=date(2026, 9, 1), source="1A", team="T", worker="W",
            assessments=[
                Assessment(start=date(2026, 9, 2), authorised=date(2026, 10, 14), child_seen=True, requires_support=False),
                Assessment(start=date(2026, 8, 1), authorised=date(2026, 9, 1)),  # finished before the period
            ],
            section47s=[Section47(start=date(2026, 9, 2), icpc_date=date(2026, 9, 20), cp_plan=True)],
        )],
    )  # fmt: skip
    assert annex_a.list_4(START, END, [child]) == [
        [
            "LA9",
            "a) Male",
            "a) WBRI",
            "10/10/2010",
            15,
            "a) Yes",
            "02/09/2026",
            "a) Yes",
            "14/10/2026",
            "b) No",
            "T",
            "W",
        ]
    ]


def test_workbook_has_one_sheet_per_list_with_the_exact_columns(world):
    book = load_workbook(BytesIO(annex_a.workbook(START, END)))
    assert book.sheetnames == [title for title, _ in labels.LISTS.values()]
    for number, (title, columns) in labels.LISTS.items():
        header = [cell.value for cell in book[title][1]]
        assert header == list(columns), number
    assert book["List 1 Contacts"].max_row == 1 + 8
    assert book["List 3 Referrals"].max_row == 1 + 2
    assert book["List 2 Early Help"].max_row == 1 + 1
    text = " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    assert "Zebedee" not in text and "Testchild" not in text
