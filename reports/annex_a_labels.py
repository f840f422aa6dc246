"""Ofsted ILACS Annex A: the column names and code labels, kept in one module.

Source: ../shared/reference/statutory-facts.md section 2, which cites SocialFinanceDigitalLabs/liia-tools
``liiatools/spec/annex_a/{annex-a-merge,data-map}.yml``; the column names below are that spec's,
word for word (tests compare them with the facts file and, when installed, with liiatools' own files).
"""

from __future__ import annotations

from mash.codes import Ethnicity, ReferralSource, Sex

# --- columns --------------------------------------------------------------------------------------

COMMON_COLUMNS: tuple[str, ...] = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
)
DISABILITY_COLUMN = "Does the Child have a Disability"

LIST_1_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + ("Date of Contact", "Contact Source")
LIST_3_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    "Date of referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
)
LIST_4_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    DISABILITY_COLUMN,
    "Continuous Assessment Start Date",
    "Child Seen During Continuous Assessment",
    "Continuous Assessment Date of Authorisation",
    "Was the child assessed as requiring LA children's social care support?",
    "Allocated Team",
    "Allocated Worker",
)
LIST_5_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    DISABILITY_COLUMN,
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    "Was an Initial Child Protection Conference deemed unnecessary?",
    "Date of Initial Child Protection Conference",
    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    "Number of Section 47 Enquiries in the last 12 months",
    "Number of ICPCs in the last 12 months",
    "Allocated Team",
    "Allocated Worker",
)

LISTS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("List 1 Contacts", LIST_1_COLUMNS),
    3: ("List 3 Referrals", LIST_3_COLUMNS),
    4: ("List 4 Assessments", LIST_4_COLUMNS),
    5: ("List 5 Section 47 and ICPC", LIST_5_COLUMNS),
}

DATE_FORMAT = "%d/%m/%Y"  # Annex A dates are dd/mm/yyyy

# --- code labels ----------------------------------------------------------------------------------

GENDER: dict[str, str] = {
    Sex.MALE: "a) Male",
    Sex.FEMALE: "b) Female",
    Sex.UNKNOWN: "c) Not stated/recorded",
}
GENDER_NEITHER = "d) Neither"  # no CIN sex code maps to it; listed so the set is complete

# a) WBRI ... t) NOBT, in the census's order of ethnic codes.
ETHNICITY: dict[str, str] = {
    code: f"{chr(ord('a') + index)}) {code}" for index, code in enumerate(Ethnicity.values)
}

# The 21 Annex A contact/referral sources, a) 1A ... u) 10. Annex A has no 5D (LA early help, a CIN code
# only from 2023): it is reported as the nearest Annex A code, 5B "other internal LA service".
_SOURCE_GROUPS: dict[str, str] = {
    "1A": "Individual", "1B": "Individual", "1C": "Individual", "1D": "Individual",
    "2A": "Schools", "2B": "Education services",
    "3A": "Health services", "3B": "Health services", "3C": "Health services",
    "3D": "Health services", "3E": "Health services", "3F": "Health services",
    "4": "Housing", "5A": "LA services", "5B": "LA services", "5C": "LA services",
    "6": "Police", "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown",
}  # fmt: skip
SOURCE: dict[str, str] = {
    code: f"{chr(ord('a') + index)}) {code}: {group}"
    for index, (code, group) in enumerate(_SOURCE_GROUPS.items())
}
SOURCE[ReferralSource.EARLY_HELP] = SOURCE[ReferralSource.OTHER_INTERNAL]

YES = "a) Yes"
NO = "b) No"
UNKNOWN = "c) Unknown"


def yes_no(value: bool | None) -> str:
    """Annex A's Yes/No/Unknown labels for a three-valued answer."""
    if value is None:
        return UNKNOWN
    return YES if value else NO
