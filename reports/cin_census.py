"""The Children in Need census extract as the Department's XML (CIN_schema_2024.xsd element order).

Only the modules this system holds are written: ChildIdentifiers, ChildCharacteristics, CINdetails
with Assessments and Section47. Sex is written as GenderCurrent (the 2024 schema's item: 1 male,
2 female, 0 not recorded or unborn).
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
SCHEMA_YEAR = 2024
SOFTWARE = "MASH"


def census_year(day: date) -> tuple[date, date]:
    """The census year (1 April to 31 March) that contains ``day``."""
    first_year = day.year if day.month >= 4 else day.year - 1
    return date(first_year, 4, 1), date(first_year + 1, 3, 31)


def _add(parent: ET.Element, tag: str, value: object | None) -> None:
    if value is None or value == "":
        return
    ET.SubElement(parent, tag).text = value.isoformat() if isinstance(value, date) else str(value)


def _flag(value: bool | None) -> str:
    return "true" if value else "false"


def _episode(parent: ET.Element, episode: Episode) -> None:
    node = ET.SubElement(parent, "CINdetails")
    _add(node, "CINreferralDate", episode.referral_date)
    _add(node, "ReferralSource", episode.source)
    _add(node, "PrimaryNeedCode", episode.primary_need or ("N0" if not episode.nfa else ""))
    _add(node, "CINclosureDate", episode.closure_date)
    _add(node, "ReasonForClosure", episode.closure_reason)
    for assessment in episode.assessments:
        a = ET.SubElement(node, "Assessments")
        _add(a, "AssessmentActualStartDate", assessment.start)
        _add(a, "AssessmentAuthorisationDate", assessment.authorised)
        if assessment.factors:
            factors = ET.SubElement(a, "FactorsIdentifiedAtAssessment")
            for code in assessment.factors:
                _add(factors, "AssessmentFactors", code)
    for s47 in episode.section47s:
        s = ET.SubElement(node, "Section47")
        _add(s, "S47ActualStartDate", s47.start)
        _add(s, "InitialCPCtarget", s47.icpc_target)
        _add(s, "DateOfInitialCPC", s47.icpc_date)
        _add(s, "ICPCnotRequired", _flag(s47.icpc_not_required))
    # An undecided referral is not (yet) NFA: the census item is mandatory, so it says false.
    _add(node, "ReferralNFA", _flag(episode.nfa))


def _child(parent: ET.Element, child: Child) -> None:
    node = ET.SubElement(parent, "Child")
    ids = ET.SubElement(node, "ChildIdentifiers")
    _add(ids, "LAchildID", child.la_child_id)
    _add(ids, "UPN", child.upn if UPN.match(child.upn or "") else "")
    _add(ids, "PersonBirthDate", child.birth_date)
    _add(ids, "ExpectedPersonBirthDate", child.expected_birth_date)
    _add(ids, "GenderCurrent", GENDER_CURRENT.get(child.sex, "0"))
    characteristics = ET.SubElement(node, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", child.ethnicity)
    for episode in child.episodes:
        _episode(node, episode)


def census_xml(
    children: list[Child], *, la_code: str, reference_date: date, now: datetime | None = None
) -> bytes:
    """The census message for ``children`` (each with at least one episode)."""
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
            _child(children_node, child)
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


def schema_path(year: int = SCHEMA_YEAR) -> Path | None:
    """The Department's published schema as shipped in liiatools (a test extra); None without it."""
    try:
        spec = resources.files("liiatools.spec.cin_census")
    except ModuleNotFoundError:
        return None
    path = Path(str(spec.joinpath(f"CIN_schema_{year}.xsd")))
    return path if path.exists() else None


def schema_errors(xml: bytes, *, year: int = SCHEMA_YEAR) -> list[str] | None:
    """Reasons ``xml`` does not conform to the census schema; None when the schema is not installed."""
    path = schema_path(year)
    if path is None:
        return None
    try:
        import xmlschema  # the XSD check's own dependency, loaded only when a return is validated
    except ModuleNotFoundError:
        return None
    schema = xmlschema.XMLSchema(str(path))
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml.decode("utf-8"))]
