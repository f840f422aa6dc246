"""Annex A column names and code labels against the facts file (section 2) and, where installed,
against liiatools' Annex A spec that the facts file cites. The facts file sits beside the repository
(../shared, as in CI); without it the constants below, copied from it, stand in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mash.codes import Ethnicity, ReferralSource
from reports import annex_a_labels as labels

FACTS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "statutory-facts.md"

# Section 2 of the facts file, as it stood when this was written (used only when the file is absent).
FALLBACK_SECTION_2 = """\
Each list starts: Child Unique ID, Gender (a Male, b Female, c Not stated/recorded, d Neither), Ethnicity (a WBRI … t NOBT), Date of Birth (dd/mm/yyyy), Age of Child (Years); lists 4–9 add Does the Child have a Disability (Yes/No/Unknown).
| 1 Contacts | Date of Contact; Contact Source ("a) 1A: Individual" … "u) 10: Unknown") |
| 3 Referrals | Date of referral; Referral Source; Referral NFA? (Yes/No/Unknown); Number of Referrals in Last 12 Months; Allocated Team; Allocated Worker |
| 4 Assessments | Continuous Assessment Start Date; Child Seen During Continuous Assessment; Continuous Assessment Date of Authorisation; Was the child assessed as requiring LA children's social care support?; Team; Worker |
| 5 S47/ICPC | Strategy discussion initiating Section 47 Enquiry Start Date; Was an ICPC deemed unnecessary?; Date of ICPC; Did the ICPC result in a CP Plan; Number of S47 Enquiries in last 12 months; Number of ICPCs in last 12 months; Team; Worker |
"""  # noqa: E501
# The facts file abbreviates; Annex A spells out.
ABBREVIATIONS = {"icpc": "initial child protection conference", "s47": "section 47", "cp": "child protection"}


def _section_2() -> str:
    if not FACTS.exists():
        return FALLBACK_SECTION_2
    text = FACTS.read_text(encoding="utf-8")
    return text[text.index("## 2.") : text.index("## 3.")]


def _name(item: str) -> str:
    """A column as the facts file writes it, without its explanatory brackets ("(Years)" is part of it)."""
    return re.sub(r"\s*\((?!Years\)).*$", "", item.strip()).strip()


def _normal(name: str) -> str:
    words = name.lower().replace("?", "").split()
    words = [ABBREVIATIONS.get(word, word) for word in words if word != "the"]
    return " ".join(words).replace("allocated ", "")


def _facts_columns() -> dict[int, list[str]]:
    section = _section_2()
    starts = re.search(r"Each list starts: (.*?); lists 4–9 add (.*?)\.\n", section)
    common = [_name(part) for part in re.split(r",\s(?![^()]*\))", starts.group(1))]
    disability = _name(starts.group(2))
    columns = {}
    for number in (1, 3, 4, 5):
        row = re.search(rf"^\| {number} [^|]+\| (.*?) \|$", section, re.M).group(1)
        extra = [_name(part) for part in row.split(";")]
        columns[number] = common + ([disability] if number >= 4 else []) + extra
    return columns


@pytest.mark.parametrize("number", [1, 3, 4, 5])
def test_columns_match_the_facts_file(number):
    expected = [_normal(name) for name in _facts_columns()[number]]
    assert [_normal(name) for name in labels.LISTS[number][1]] == expected


def test_lists_1_and_3_use_the_facts_files_exact_words():
    facts = _facts_columns()
    assert list(labels.LIST_1_COLUMNS) == facts[1]
    assert list(labels.LIST_3_COLUMNS) == facts[3]


def test_gender_labels():
    section = _section_2()
    listed = re.search(r"Gender \((.*?)\)", section).group(1).split(", ")
    expected = [f"{item[0]}) {item[2:]}" for item in listed]
    assert [*labels.GENDER.values(), labels.GENDER_NEITHER] == expected


def test_ethnicity_labels_run_a_to_t_in_census_order():
    section = _section_2()
    first, last = re.search(r"Ethnicity \((\w \w+) … (\w \w+)\)", section).groups()
    values = list(labels.ETHNICITY.values())
    assert values[0] == f"{first[0]}) {first[2:]}" and values[-1] == f"{last[0]}) {last[2:]}"
    assert [value.split(") ")[1] for value in values] == list(Ethnicity.values)


def test_contact_source_labels():
    section = _section_2()
    first, last = re.search(r'Contact Source \("(.*?)" … "(.*?)"\)', section).groups()
    distinct = [labels.SOURCE[code] for code in ReferralSource.values if code != ReferralSource.EARLY_HELP]
    assert distinct[0] == first and distinct[-1] == last
    # One letter per code, a) to u), in the census's order of codes.
    assert [value[0] for value in distinct] == [chr(ord("a") + i) for i in range(21)]
    assert [value.split(") ")[1].split(":")[0] for value in distinct] == [
        code for code in ReferralSource.values if code != "5D"
    ]
    assert labels.SOURCE["5D"] == labels.SOURCE["5B"]


def test_yes_no_unknown():
    assert [labels.yes_no(True), labels.yes_no(False), labels.yes_no(None)] == [
        "a) Yes",
        "b) No",
        "c) Unknown",
    ]
    section = _section_2()
    assert "Referral NFA? (Yes/No/Unknown)" in section


def _liiatools_spec(name: str):
    yaml = pytest.importorskip("yaml")
    from importlib import resources

    try:
        spec = resources.files("liiatools.spec.annex_a")
    except ModuleNotFoundError:
        from tests.support.environment import require

        require(False, "liiatools is not installed (make setup installs it without dependencies)")
    return yaml.safe_load(spec.joinpath(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("number", [1, 3, 4, 5])
def test_columns_match_liiatools_annex_a_spec(number):
    spec = _liiatools_spec("annex-a-merge.yml")["datasources"][f"List {number}"]
    assert list(labels.LISTS[number][1]) == list(spec)


def test_labels_match_liiatools_data_map():
    spec = _liiatools_spec("data-map.yml")["data_config"]
    assert set(labels.SOURCE.values()) == {item["code"] for item in spec["List 1"]["Contact Source"]}
    assert {*labels.GENDER.values(), labels.GENDER_NEITHER} == {
        item["code"] for item in spec["List 1"]["Gender"]
    }
    # liiatools labels NOBT "s)" (a slip: REFU is s) too); the facts file says t) NOBT.
    liia = {item["code"].split(") ")[1]: item["code"] for item in spec["List 1"]["Ethnicity"]}
    assert {code: label for code, label in labels.ETHNICITY.items() if code != "NOBT"} == {
        code: label for code, label in liia.items() if code != "NOBT"
    }
    assert {labels.YES, labels.NO, labels.UNKNOWN} == {
        item["code"] for item in spec["List 3"]["Referral NFA?"]
    }
