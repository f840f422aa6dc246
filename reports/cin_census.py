"""The Children in Need census extract as the Department's XML, in the element order of the schema
of the collection year being exported (``schema_year``).

From 2024-25 (reference date 31 March 2025) the child's sex is the item ``Sex`` (M, F, U; U for an
unborn child); before it was ``GenderCurrent`` (1, 2, 0). The Department's XSD for 2024-25 onward is not
in any package: ``schema_text`` derives it from the published 2023-24 schema (liiatools'
``CIN_schema_2024.xsd``) with the one change docs/reports.md lists, so the extract is checked
against the structure of its own year.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path

# We only write XML here, never parse input, so the XML-attack warning does not apply.
from xml.etree import ElementTree as ET  # noqa: S405  # nosec B405

from django.utils import timezone

from mash.codes import Sex

from .statutory import Child, Episode

GENDER_CURRENT = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.UNKNOWN: "0"}
UPN = re.compile(r"^[A-Za-z](\d{12}|\d{11}[A-Za-z])$")
# The UPN check letter (character 1) and the letters a temporary UPN may end with (DfE UPN guide).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PUBLISHED_SCHEMAS = range(2017, 2025)  # CIN_schema_<year>.xsd as shipped in liiatools
FIRST_SEX_YEAR = 2025  # the 2024-25 census (reference date 31 March 2025) onward writes Sex
SOFTWARE = "MASH"


def census_year(day: date) -> tuple[date, date]:
    """The census year (1 April to 31 March) that contains ``day``."""
    first_year = day.year if day.month >= 4 else day.year - 1
    return date(first_year, 4, 1), date(first_year + 1, 3, 31)


def upn_check_letter(upn: str) -> str | None:
    """The check letter a 13-character UPN should start with (None when characters 2-13 cannot
    carry one): characters 2-13 weighted 2 to 13, the sum modulo 23, as a letter of UPN_LETTERS
    (a final letter counts as its place in that list)."""
    if len(upn) != 13 or not upn[1:12].isdigit():
        return None
    last = upn[12].upper()
    values = [int(ch) for ch in upn[1:12]]
    if last.isdigit():
        values.append(int(last))
    elif last in UPN_LETTERS:
        values.append(UPN_LETTERS.index(last))
    else:
        return None
    total = sum(value * weight for value, weight in zip(values, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def upn_is_valid(upn: str) -> bool:
    return bool(UPN.match(upn or "")) and upn_check_letter(upn) == upn[0].upper()


def _add(parent: ET.Element, tag: str, value: object | None) -> None:
    if value is None or value == "":
        return
    ET.SubElement(parent, tag).text = value.isoformat() if isinstance(value, date) else str(value)


def _flag(value: bool | None) -> str:
    return "true" if value else "false"


def _assessments(node: ET.Element, episode: Episode) -> None:
    for assessment in episode.assessments:
        a = ET.SubElement(node, "Assessments")
        _add(a, "AssessmentActualStartDate", assessment.start)
        _add(a, "AssessmentInternalReviewDate", assessment.internal_review)
        _add(a, "AssessmentAuthorisationDate", assessment.authorised)
        if assessment.factors:
            factors = ET.SubElement(a, "FactorsIdentifiedAtAssessment")
            for code in assessment.factors:
                _add(factors, "AssessmentFactors", code)


def _section47s(node: ET.Element, episode: Episode) -> None:
    for s47 in episode.section47s:
        s = ET.SubElement(node, "Section47")
        _add(s, "S47ActualStartDate", s47.start)
        _add(s, "InitialCPCtarget", s47.icpc_target)
        _add(s, "DateOfInitialCPC", s47.icpc_date)
        _add(s, "ICPCnotRequired", _flag(s47.icpc_not_required))


def _cp_plans(node: ET.Element, episode: Episode) -> None:
    for plan in episode.cp_plans:
        p = ET.SubElement(node, "ChildProtectionPlans")
        _add(p, "CPPstartDate", plan.start)
        _add(p, "CPPendDate", plan.end)
        _add(p, "InitialCategoryOfAbuse", plan.initial_category)
        _add(p, "LatestCategoryOfAbuse", plan.latest_category or plan.initial_category)
        _add(p, "NumberOfPreviousCPP", plan.previous_plans)
        if plan.reviews:
            reviews = ET.SubElement(p, "Reviews")
            for day in plan.reviews:
                _add(reviews, "CPPreviewDate", day)


def _episode(parent: ET.Element, episode: Episode) -> None:
    node = ET.SubElement(parent, "CINdetails")
    _add(node, "CINreferralDate", episode.referral_date)
    _add(node, "ReferralSource", episode.source)
    _add(node, "PrimaryNeedCode", episode.primary_need or ("N0" if not episode.nfa else ""))
    _add(node, "CINclosureDate", episode.closure_date)
    _add(node, "ReasonForClosure", episode.closure_reason)
    _assessments(node, episode)
    for plan in episode.cin_plans:
        dates = ET.SubElement(node, "CINPlanDates")
        _add(dates, "CINPlanStartDate", plan.start)
        _add(dates, "CINPlanEndDate", plan.end)
    _section47s(node, episode)
    # An undecided referral is not (yet) NFA: the census item is mandatory, so it says false.
    _add(node, "ReferralNFA", _flag(episode.nfa))
    _cp_plans(node, episode)


def census_sex(child: Child) -> str:
    """The census Sex code: U for an unborn child (rule 8750) and for anything not M or F (4180)."""
    if child.is_unborn or child.sex not in (Sex.MALE, Sex.FEMALE):
        return Sex.UNKNOWN
    return child.sex


def _identifiers(node: ET.Element, child: Child, year: int) -> None:
    ids = ET.SubElement(node, "ChildIdentifiers")
    _add(ids, "LAchildID", child.la_child_id)
    _add(ids, "UPN", child.upn if UPN.match(child.upn or "") else "")
    _add(ids, "FormerUPN", child.former_upn if UPN.match(child.former_upn or "") else "")
    _add(ids, "UPNunknown", "" if UPN.match(child.upn or "") else child.upn_unknown)
    _add(ids, "PersonBirthDate", child.birth_date)
    _add(ids, "ExpectedPersonBirthDate", child.expected_birth_date if child.birth_date is None else None)
    if year >= FIRST_SEX_YEAR:
        _add(ids, "Sex", census_sex(child))
    else:
        _add(ids, "GenderCurrent", GENDER_CURRENT[census_sex(child)])
    _add(ids, "PersonDeathDate", child.death_date)


def _child(parent: ET.Element, child: Child, year: int) -> None:
    node = ET.SubElement(parent, "Child")
    _identifiers(node, child, year)
    characteristics = ET.SubElement(node, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", child.ethnicity)
    if child.disabilities:
        disabilities = ET.SubElement(characteristics, "Disabilities")
        for code in child.disabilities:
            _add(disabilities, "Disability", code)
    for episode in child.episodes:
        _episode(node, episode)


def census_xml(
    children: list[Child], *, la_code: str, reference_date: date, now: datetime | None = None
) -> bytes:
    """The census message for ``children`` (each with at least one episode), in the items of the
    collection year that ends on ``reference_date``."""
    now = now or timezone.now()
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", reference_date.year)
    _add(details, "ReferenceDate", reference_date)
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", la_code)
    _add(source, "SoftwareCode", SOFTWARE)
    _add(source, "Release", "1")
    _add(source, "SerialNo", "001")
    _add(source, "DateTime", timezone.localtime(now).replace(microsecond=0, tzinfo=None).isoformat())
    children_node = ET.SubElement(message, "Children")
    for child in children:
        if child.episodes:
            _child(children_node, child, reference_date.year)
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


def schema_year(reference_date: date) -> int:
    """The schema a return is checked against: the collection year that ends on its reference date."""
    return reference_date.year


def _published_schema(year: int) -> Path | None:
    """The Department's published schema as shipped in liiatools (a test extra); None without it."""
    try:
        spec = resources.files("liiatools.spec.cin_census")
    except ModuleNotFoundError:
        return None
    path = Path(str(spec.joinpath(f"CIN_schema_{year}.xsd")))
    return path if path.exists() else None


GENDER_ELEMENT = '<xs:element name="GenderCurrent" type="gendertype" minOccurs="1" maxOccurs="1"/>'
SEX_ELEMENT = '<xs:element name="Sex" type="sextype" minOccurs="1" maxOccurs="1"/>'
# The published schema types NumberOfPreviousCPP as positiveInteger, which refuses 0, the answer for a
# child's first plan (the item is mandatory); the derived schema counts from 0 (docs/reports.md).
PREVIOUS_CPP = (
    '<xs:element name="NumberOfPreviousCPP" type="xs:positiveInteger" minOccurs="1" maxOccurs="1"/>'
)
PREVIOUS_CPP_FROM_0 = PREVIOUS_CPP.replace("xs:positiveInteger", "xs:nonNegativeInteger")
SEX_TYPE = """
  <xs:simpleType name="sextype">
    <xs:restriction base="xs:string">
      <xs:enumeration value="M" />
      <xs:enumeration value="F" />
      <xs:enumeration value="U" />
    </xs:restriction>
  </xs:simpleType>
</xs:schema>"""


def schema_text(year: int) -> str | None:
    """The schema of the collection year ending in March ``year``: the published one up to 2023-24;
    from 2024-25 the last published one with GenderCurrent (1/2/0) replaced by Sex (M/F/U), the
    item the Department's 2024-25 and 2025-26 specifications changed, and NumberOfPreviousCPP
    counted from 0 (docs/reports.md)."""
    path = _published_schema(min(year, PUBLISHED_SCHEMAS[-1]))
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    if year < FIRST_SEX_YEAR:
        return text
    for published, derived in ((GENDER_ELEMENT, SEX_ELEMENT), (PREVIOUS_CPP, PREVIOUS_CPP_FROM_0)):
        if published not in text:
            raise ValueError(f"{path.name} no longer has the element this derivation replaces: {published}")
        text = text.replace(published, derived)
    return text.replace("</xs:schema>", SEX_TYPE)


def schema_errors(xml: bytes, *, year: int) -> list[str] | None:
    """Reasons ``xml`` does not conform to the census schema of ``year``; None when the schema (or
    the validating library) is not installed."""
    text = schema_text(year)
    if text is None:
        return None
    try:
        import xmlschema  # the XSD check's own dependency, loaded only when a return is validated
    except ModuleNotFoundError:
        return None
    schema = xmlschema.XMLSchema(text)
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml.decode("utf-8"))]
