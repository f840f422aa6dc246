"""The CIN census extract: built from the workflow (the hand-built world) and from hand-built
episodes with every module this system can hold, validated against the Department's published
schema (CIN_schema_2024.xsd from liiatools) and against the census rules."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from mash.codes import UpnUnknown
from reports import cin_census, cin_rules
from reports.statutory import Assessment, Child, CpPlan, Episode, Section47, cin_children
from tests.support.environment import require

from . import d2i_validator
from .world import END, START

pytestmark = pytest.mark.django_db


def _schema_errors(xml: bytes, year: int = 2027) -> list[str]:
    errors = cin_census.schema_errors(xml, year=year)
    require(errors is not None, "the census XSD needs liiatools and xmlschema (make setup installs them)")
    return errors


def full_child() -> Child:
    return Child(
        la_child_id="LA0042",
        sex="F",
        ethnicity="MWBA",
        birth_date=date(2014, 2, 3),
        upn="G831200000001",
        episodes=[
            Episode(
                referral_date=date(2026, 5, 4),
                source="3E",
                primary_need="N1",
                nfa=False,
                closure_date=date(2026, 9, 1),
                closure_reason="RC7",
                assessments=[
                    Assessment(start=date(2026, 5, 5), authorised=date(2026, 6, 30), factors=["3B", "16A"])
                ],
                section47s=[
                    Section47(
                        start=date(2026, 5, 5),
                        icpc_target=date(2026, 5, 26),
                        icpc_date=date(2026, 5, 22),
                        icpc_not_required=False,
                    )
                ],
            ),
            Episode(referral_date=date(2026, 10, 1), source="9", nfa=True),
        ],
    )


def test_hand_built_child_with_every_module_is_valid():
    child = full_child()
    assert cin_rules.check_child(child, as_at=date(2027, 3, 31)) == []
    xml = cin_census.census_xml([child], la_code="831", reference_date=date(2027, 3, 31))
    assert _schema_errors(xml) == []
    root = ET.fromstring(xml)
    assert root.findtext("Header/Source/LEA") == "831"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2027-03-31"
    details = root.findall("Children/Child/CINdetails")
    assert [d.findtext("ReferralNFA") for d in details] == ["false", "true"]
    factors = details[0].findall("Assessments/FactorsIdentifiedAtAssessment/AssessmentFactors")
    assert [f.text for f in factors] == ["3B", "16A"]
    assert details[0].findtext("Section47/DateOfInitialCPC") == "2026-05-22"
    assert root.findtext("Children/Child/ChildIdentifiers/Sex") == "F"
    assert root.find("Children/Child/ChildIdentifiers/GenderCurrent") is None


def test_the_collection_years_items_and_schema_follow_the_reference_date():
    """Up to 2023-24 the child's sex is GenderCurrent 1/2/0; from 2024-25 it is Sex M/F/U, and each
    extract is checked against its own year's schema (the other year's fails)."""
    child = full_child()
    child.episodes[0].closure_date = None  # keep the episode open: no closure in an earlier year
    child.episodes[0].closure_reason = ""
    old = cin_census.census_xml([child], la_code="831", reference_date=date(2024, 3, 31))
    new = cin_census.census_xml([child], la_code="831", reference_date=date(2026, 3, 31))
    assert ET.fromstring(old).findtext(".//GenderCurrent") == "2"
    assert ET.fromstring(new).findtext(".//Sex") == "F"
    assert _schema_errors(old, 2024) == [] and _schema_errors(new, 2026) == []
    assert _schema_errors(new, 2024) and _schema_errors(old, 2026)
    assert cin_census.schema_year(date(2026, 3, 31)) == 2026


def test_an_unborn_child_is_sex_u_whatever_was_recorded():
    referral = Episode(referral_date=date(2027, 1, 11), source="3B", primary_need="N1", nfa=False)
    unborn = Child("LA7", "F", "NOBT", expected_birth_date=date(2027, 5, 1), episodes=[referral])
    assert cin_census.census_sex(unborn) == "U"
    assert [v.rule for v in cin_rules.check_child(unborn, as_at=date(2027, 3, 31))] == ["8750"]
    xml = cin_census.census_xml([unborn], la_code="831", reference_date=date(2027, 3, 31))
    assert ET.fromstring(xml).findtext(".//Sex") == "U"


def test_upn_check_letter():
    assert cin_census.upn_is_valid("G831200000001")
    assert not cin_census.upn_is_valid("A831200000001")
    assert cin_census.upn_check_letter("X83120190001A") == "R"
    wrong = full_child()
    wrong.upn = "A831200000001"
    assert [v.rule for v in cin_rules.check_child(wrong, as_at=date(2027, 3, 31))] == ["1510"]


def test_the_schema_rejects_what_the_department_would():
    child = full_child()
    child.episodes[0].assessments[0].factors = ["99Z"]  # not a census factor
    xml = cin_census.census_xml([child], la_code="831", reference_date=date(2027, 3, 31))
    errors = _schema_errors(xml)
    assert errors and "AssessmentFactors" in errors[0]
    assert [v.rule for v in cin_rules.check_child(child, as_at=date(2027, 3, 31))] == ["AssessmentFactors"]


def test_extract_from_the_workflow(world):
    children = cin_children(START, END)
    # CIN referrals in October: R1 (S47, child P1 "LA0001") and R2 (S17, unlinked child).
    assert [c.la_child_id for c in children] == ["LA0001", f"C{world.children['c2'].pk}"]
    p1 = children[0]
    assert len(p1.episodes) == 1
    episode = p1.episodes[0]
    assert (episode.referral_date, episode.source, episode.primary_need, episode.nfa) == (
        date(2026, 10, 5), "6", "N1", False,
    )  # fmt: skip
    assert [(s.start, s.icpc_target) for s in episode.section47s] == [(date(2026, 10, 6), date(2026, 10, 27))]
    # The S47 has run 19 working days by 31 October without a conference, and neither school-age
    # child has a UPN or a reason for its absence: queries, not errors.
    assert [(v.rule, v.child) for v in cin_rules.check_children(children, as_at=END)] == [
        ("8675Q", "LA0001"), ("8770Q", "LA0001"), ("8770Q", f"C{world.children['c2'].pk}"),
    ]  # fmt: skip
    xml = cin_census.census_xml(children, la_code="831", reference_date=date(2027, 3, 31))
    assert _schema_errors(xml) == []
    text = xml.decode()
    for name in ("Zebedee", "Quillon", "Testchild"):
        assert name not in text


def test_census_year():
    assert cin_census.census_year(date(2026, 10, 5)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert cin_census.census_year(date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert cin_census.census_year(date(2027, 4, 1)) == (date(2027, 4, 1), date(2028, 3, 31))


@pytest.mark.parametrize("previous", [0, 2])
def test_a_first_cp_plan_has_0_previous_plans_which_the_year_schema_and_the_validator_accept(previous):
    """NumberOfPreviousCPP (N00106) is mandatory and counts the child's earlier plans, so a first plan
    is 0: the validator's only rule on it (8730) refuses a missing or negative number, and the
    2025-26 schema this product derives counts from 0 where the published 2024 one (positiveInteger)
    refused it."""
    child = full_child()
    episode = child.episodes[0]
    episode.cp_plans = [CpPlan(start=date(2026, 5, 22), initial_category="NEG", previous_plans=previous)]
    xml = cin_census.census_xml([child], la_code="831", reference_date=date(2027, 3, 31))
    assert ET.fromstring(xml).findtext(".//NumberOfPreviousCPP") == str(previous)
    assert _schema_errors(xml) == []
    assert "8730" not in d2i_validator.validate(xml, date(2027, 3, 31)).errors


def test_a_negative_number_of_previous_plans_is_refused_by_the_schema():
    child = full_child()
    child.episodes[0].cp_plans = [CpPlan(start=date(2026, 5, 22), initial_category="NEG", previous_plans=-1)]
    xml = cin_census.census_xml([child], la_code="831", reference_date=date(2027, 3, 31))
    assert any("NumberOfPreviousCPP" in e for e in _schema_errors(xml))


def test_the_upn_unknown_reasons_offered_are_the_schemas_codes():
    """The census's UPNunknown codes are UN1-UN7 (every published schema, and the validator's 8770Q
    test data calls UN8 not valid); UN8-UN10 are the children looked after return's, not the CIN
    census's, so the product offers exactly the schema's seven."""
    text = cin_census.schema_text(2026)
    require(text is not None, "the census XSD needs liiatools (make setup installs them)")
    upn_unknown = text.split('name="unknownupntype"')[1].split("</xs:simpleType>")[0]
    assert re.findall(r'value="(UN\d+)"', upn_unknown) == list(UpnUnknown.values)


# The Department's descriptions of the census's seven codes, transcribed from the Common Basic Data
# Set code set CS051 (UPN unknown reasons), spelling and punctuation as published.
CS051 = {
    "UN1": "Child is aged under 6 years old and is not yet assigned a UPN.",
    "UN2": "Child has never attended a maintained school in England and has not been assigned a UPN.",
    "UN3": "Child is educated outside England and has not been assigned a UPN.",
    "UN4": (
        "Child is newly in need (one week before end of collection period) and the UPN was not yet known"
        " at the time of the CIN census annual statistical return."
    ),
    "UN5": (
        "Sources collating UPNs reflect discrepancy/ies for the child's name and/or surname and/or date of"
        " birth therefore preventing reliable matching (e.g. duplicated UPN)."
    ),
    "UN6": "Child is not looked after, and the authority is unable to obtain the UPN.",
    "UN7": "Child Referred but No Further Action taken.",
}


def test_the_upn_unknown_reasons_are_worded_as_the_departments_code_set():
    assert dict(UpnUnknown.choices) == CS051
