# ruff: noqa: E501  (the known answers read best one child per line)
"""The 2025-26 census of the census world (tests/reports/world.py), built through the workflow's
actions: every child and item as at the reference date (a known answer per child), the Department's
schema of that year, and data-to-insight's validator: every error rule passes, and the only queries
are the ones the world was built to raise, the same ones the product's own rules raise."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

import pytest

from reports import annex_a, cin_census, cin_rules
from reports.annex_a_labels import LIST_7_COLUMNS
from reports.statutory import cin_children
from tests.support.environment import require

from . import d2i_validator
from .world import CENSUS_START, LA_CODE, REFERENCE

pytestmark = pytest.mark.django_db

D = date.fromisoformat

# Child by child, as at 31 March 2026: (sex, born or expected, UPN or reason, disabilities) and each
# episode's (referral, NFA, closure, reason, assessments, S47s, CIN plans, CP plans).
KNOWN: dict[str, tuple] = {
    "carried": (("F", "2013-05-05", "N831200000005", []), [
        ("2025-02-10", False, None, "", [], [], [("2025-03-17", None)], []),
    ]),
    "again_1": (("M", "2014-01-01", "K831200000003", []), [
        ("2025-04-14", False, "2025-05-06", "RC7", [("2025-04-15", None, "2025-05-02", ["1A"])], [], [], []),
        ("2025-11-03", False, None, "", [("2025-11-04", "2025-12-01", "2026-01-09", ["1B"])], [], [("2026-01-12", None)], []),
    ]),
    "nfa": (("F", "2016-02-02", "G831200000001", []), [
        ("2025-05-12", True, None, "", [], [], [], []),
    ]),
    "s17": (("M", "2012-09-09", "W831200000002", ["LD", "HEAR", "VIS", "AUT"]), [
        ("2025-06-02", False, "2025-09-30", "RC7", [("2025-06-03", None, "2025-06-20", ["3B", "16A"])], [],
         [("2025-06-23", "2025-09-30")], []),
    ]),
    "s47_cp": (("F", "2019-04-04", "UN2", ["MOB", "COMM", "BEH", "CON"]), [
        ("2025-07-07", False, "2026-01-19", "RC7", [("2025-07-08", None, "2025-07-25", ["2A"])],
         [("2025-07-07", "2025-07-28", "2025-07-28", "false")], [],
         [("2025-07-28", "2026-01-19", "NEG", "EMO", "0", ["2025-10-20"])]),
    ]),
    "s47_none": (("M", "2010-10-10", "UN1", ["NONE"]), [
        ("2025-09-01", False, None, "", [("2025-09-02", None, "2025-10-14", ["4A"])],
         [("2025-09-01", "2025-09-22", None, "true")], [("2025-10-15", None)], []),
    ]),
    # Still unborn at the reference date: Sex U and the expected date. Closed on 10 April: not yet.
    "due_jan": (("U", "2026-01-20", None, []), [
        ("2025-12-01", False, None, "", [("2025-12-02", None, "2025-12-19", ["6A"])], [], [], []),
    ]),
    "unborn": (("U", "2026-05-01", None, []), [
        ("2026-01-12", False, None, "", [("2026-03-02", None, None, [])], [], [], []),
    ]),
    # The conference (8 April) and the authorisation (14 April) came after the reference date.
    "late": (("M", "2022-06-06", None, []), [
        ("2026-03-16", False, None, "", [("2026-03-17", None, None, [])], [("2026-03-16", "2026-04-08", None, "false")], [], []),
    ]),
}  # fmt: skip
# The queries the world raises on purpose, by child: a school-age child with no UPN and reason UN1,
# and a child due in January still unborn in March.
QUERIES = {("8770Q", "s47_none"), ("8530Q", "due_jan")}
# A query the validator raises on every return with fewer than 8 children recorded NONE: its rule
# keeps the NONE rows where its own comment says it removes them (the world uses 8 codes besides NONE).
VALIDATOR_DEFECTS = {"2887Q"}


def _text(node, path):
    return node.findtext(path)


def _episode(node) -> tuple:
    return (
        _text(node, "CINreferralDate"),
        _text(node, "ReferralNFA") == "true",
        _text(node, "CINclosureDate"),
        _text(node, "ReasonForClosure") or "",
        [(_text(a, "AssessmentActualStartDate"), _text(a, "AssessmentInternalReviewDate"),
          _text(a, "AssessmentAuthorisationDate"), [f.text for f in a.iter("AssessmentFactors")])
         for a in node.findall("Assessments")],
        [(_text(s, "S47ActualStartDate"), _text(s, "InitialCPCtarget"), _text(s, "DateOfInitialCPC"),
          _text(s, "ICPCnotRequired")) for s in node.findall("Section47")],
        [(_text(p, "CINPlanStartDate"), _text(p, "CINPlanEndDate")) for p in node.findall("CINPlanDates")],
        [(_text(p, "CPPstartDate"), _text(p, "CPPendDate"), _text(p, "InitialCategoryOfAbuse"),
          _text(p, "LatestCategoryOfAbuse"), _text(p, "NumberOfPreviousCPP"),
          [r.text for r in p.iter("CPPreviewDate")]) for p in node.findall("ChildProtectionPlans")],
    )  # fmt: skip


def _child(node) -> tuple:
    ids = node.find("ChildIdentifiers")
    identity = (
        _text(ids, "Sex"),
        _text(ids, "PersonBirthDate") or _text(ids, "ExpectedPersonBirthDate"),
        _text(ids, "UPN") or _text(ids, "UPNunknown"),
        [d.text for d in node.iter("Disability")],
    )
    return identity, [_episode(e) for e in node.findall("CINdetails")]


def _extract():
    children = cin_children(CENSUS_START, REFERENCE)
    return children, cin_census.census_xml(children, la_code=LA_CODE, reference_date=REFERENCE)


def test_every_child_as_at_the_reference_date(census_world):
    _, xml = _extract()
    # again_1 and again_2 are one child (one person): one Child with two episodes, under again_1.
    by_key = {census_world.key(name): name for name in census_world.children if name != "again_2"}
    found = {
        by_key[c.findtext("ChildIdentifiers/LAchildID")]: _child(c) for c in ET.fromstring(xml).iter("Child")
    }
    assert set(found) == set(KNOWN)
    for name, answer in KNOWN.items():
        assert found[name] == answer, name


def test_the_extract_passes_the_schema_of_its_year(census_world):
    _, xml = _extract()
    errors = cin_census.schema_errors(xml, year=cin_census.schema_year(REFERENCE))
    require(errors is not None, "the census XSD needs liiatools and xmlschema (make setup installs them)")
    assert errors == []


def test_the_validator_passes_every_error_rule_and_agrees_with_our_rules(census_world):
    children, xml = _extract()
    result = d2i_validator.validate(xml, REFERENCE)
    assert len(result.rules) == 109  # the cin2025_26 ruleset, all of it run
    assert result.errors == set()
    names = {census_world.key(name): name for name in census_world.children}
    raised = {(rule, names.get(child, child)) for rule, child in result.by_child()}
    assert raised == QUERIES | {(rule, "") for rule in VALIDATOR_DEFECTS}
    ours = {(v.rule, names[v.child]) for v in cin_rules.check_children(children, as_at=REFERENCE)}
    assert ours == QUERIES


def test_annex_a_list_6_children_in_need_over_the_year(census_world):
    rows = [row[6:12] for row in annex_a.list_6(CENSUS_START, REFERENCE)]
    closed, cin_plan, assessing = "e) Closed episode", "c) Child in need plan", "d) Open assessment"
    rc7 = "RC7 - Services ceased for any other reason, including child no longer in need"
    assert rows == [
        ["10/02/2025", "N5 - Family dysfunction", "", "", "", cin_plan],  # open across the year's start
        ["14/04/2025", "N5 - Family dysfunction", "15/04/2025", "06/05/2025", rc7, closed],
        ["03/11/2025", "N5 - Family dysfunction", "04/11/2025", "", "", cin_plan],  # the re-referral
        ["02/06/2025", "N4 - Family in acute stress", "03/06/2025", "30/09/2025", rc7, closed],
        ["07/07/2025", "N1 - Abuse or neglect", "08/07/2025", "19/01/2026", rc7, closed],
        ["01/09/2025", "N1 - Abuse or neglect", "02/09/2025", "", "", cin_plan],
        ["01/12/2025", "N4 - Family in acute stress", "02/12/2025", "", "", assessing],  # closed in April
        ["12/01/2026", "N3 - Parental disability or illness", "02/03/2026", "", "", assessing],
        ["16/03/2026", "N1 - Abuse or neglect", "17/03/2026", "", "", assessing],
    ]  # fmt: skip


def test_annex_a_list_7_child_protection_over_the_year(census_world):
    rows = annex_a.list_7(CENSUS_START, REFERENCE)
    assert [row[:6] for row in rows] == [
        [census_world.key("s47_cp"), "b) Female", "g) MWBA", "04/04/2019", 6, "a) Yes"],
    ]
    assert [row[6:] for row in rows] == [
        ["28/07/2025", "a) Neglect", "d) Emotional abuse", "15/12/2025", "b) No", "20/10/2025", "19/01/2026", "b) No", 0,
         "Children in Need Team", "Cas Worker"],
    ]  # fmt: skip


def test_annex_a_list_7_police_protection_counts_within_six_months_of_the_lists_end(census_world):
    """The police protection of 6 July 2025 is 268 days before the year's end (No, above) and 178
    days before 31 December 2025 (Yes)."""
    column = next(i for i, name in enumerate(LIST_7_COLUMNS) if "Emergency Protection Order" in name)
    assert [row[column] for row in annex_a.list_7(CENSUS_START, date(2025, 12, 31))] == ["a) Yes"]
    assert [row[column] for row in annex_a.list_7(CENSUS_START, REFERENCE)] == ["b) No"]
