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
LIST_2_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    "Assessment start date",
    "Assessment completion date",
    "Organisation completing assessment",
)
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

LIST_6_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    DISABILITY_COLUMN,
    "CIN Start Date",
    "Primary Need Code",
    "Date Child Was Last Seen",
    "CIN Closure Date",
    "Reason for Closure",
    "Case Status",  # annex-a-merge.yml's spelling; data-map.yml has "Case status"
    "Allocated Team",
    "Allocated Worker",
)
LIST_7_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + (
    DISABILITY_COLUMN,
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    "Number of Previous Child Protection Plans",
    "Allocated Team",
    "Allocated Worker",
)

LISTS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("List 1 Contacts", LIST_1_COLUMNS),
    2: ("List 2 Early Help", LIST_2_COLUMNS),
    3: ("List 3 Referrals", LIST_3_COLUMNS),
    4: ("List 4 Assessments", LIST_4_COLUMNS),
    5: ("List 5 Section 47 and ICPC", LIST_5_COLUMNS),
    6: ("List 6 Children in Need", LIST_6_COLUMNS),
    7: ("List 7 Child Protection", LIST_7_COLUMNS),
}

DATE_FORMAT = "%d/%m/%Y"  # Annex A dates are dd/mm/yyyy

# --- code labels ----------------------------------------------------------------------------------

GENDER: dict[str, str] = {
    Sex.MALE: "a) Male",
    Sex.FEMALE: "b) Female",
    Sex.UNKNOWN: "c) Not stated/recorded",
}
GENDER_NEITHER = "d) Neither"  # no CIN sex code maps to it; listed so the set is complete

# a) WBRI ... t) NOBT, in the census's order of ethnic codes, as the Ofsted template letters them
# (liiatools' data-map.yml gives both REFU and NOBT the letter s; ours follow the template: s) REFU,
# t) NOBT).
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

# List 6: the primary need and reason for closure as "<code> - <words>" (liiatools' data-map.yml). Its
# list stops at RC8; RC9 (closed after assessment, referred to early help, a census code since
# 2023-24) is labelled the same way.
PRIMARY_NEED: dict[str, str] = {
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
    "N0": "N0 - Not stated",
}
REASON_FOR_CLOSURE: dict[str, str] = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}
CASE_STATUS_LOOKED_AFTER = "a) Looked after child"  # not held by a MASH; listed so the set is complete
CASE_STATUS_CP_PLAN = "b) Child Protection plan"
CASE_STATUS_CIN_PLAN = "c) Child in need plan"
CASE_STATUS_OPEN_ASSESSMENT = "d) Open assessment"
CASE_STATUS_CLOSED = "e) Closed episode"
# List 7: categories of abuse, census code to Annex A label.
CATEGORY_OF_ABUSE: dict[str, str] = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}

YES = "a) Yes"
NO = "b) No"
UNKNOWN = "c) Unknown"


def yes_no(value: bool | None) -> str:
    """Annex A's Yes/No/Unknown labels for a three-valued answer."""
    if value is None:
        return UNKNOWN
    return YES if value else NO
