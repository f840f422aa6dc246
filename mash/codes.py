"""The Department for Education's codes, used at entry so statutory returns come straight from the data.

Source: ../shared/reference/statutory-facts.md section 1 (CIN census) and section 2 (Annex A).
"""

from django.db import models


class ReferralSource(models.TextChoices):
    """CIN census ReferralSource (N00152)."""

    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (including neighbour and childminder)"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other (including stranger, MP)"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    A_AND_E = "3E", "Health services: A&E"
    OTHER_HEALTH = "3F", "Health services: other (e.g. hospice)"
    HOUSING = "4", "Housing (local authority or housing association)"
    LA_SOCIAL_CARE = "5A", "LA services: social care (e.g. adult social care)"
    OTHER_INTERNAL = "5B", "LA services: other internal (e.g. youth offending, excluding housing)"
    OTHER_LA = "5C", "LA services: external (another local authority's services)"
    EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency (courts, probation, immigration, Cafcass, prison)"
    OTHER = "8", "Other (children's centres, independent or voluntary organisations)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    """CIN census PrimaryNeedCode (N00101). If two fit, the one higher in the list."""

    ABUSE_OR_NEGLECT = "N1", "Abuse or neglect"
    CHILD_DISABILITY = "N2", "Child's disability or illness"
    PARENT_DISABILITY = "N3", "Parental disability, illness or addiction"
    ACUTE_STRESS = "N4", "Family in acute stress"
    DYSFUNCTION = "N5", "Family dysfunction"
    SOCIALLY_UNACCEPTABLE = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_CIN = "N9", "Cases other than children in need"
    NOT_STATED = "N0", "Not stated"


class Sex(models.TextChoices):
    """CIN census Sex (N00783) from 2024-25; U for unborn or unknown."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known or unborn"


class Ethnicity(models.TextChoices):
    """CIN census Ethnicity (N00177)."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy or Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    """CIN census Disability (N00099)."""

    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger syndrome"
    DDA = "DDA", "Other disability"


class CategoryOfAbuse(models.TextChoices):
    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    SAB = "SAB", "Sexual abuse"
    EMO = "EMO", "Emotional abuse"
    MUL = "MUL", "Multiple"


# CIN census FactorsIdentifiedAtAssessment (N00181). For 1-6 the letter says whom the concern is about.
_WHO = {"A": "the child", "B": "a parent or carer", "C": "another person in the household"}
_ABOUT_WHOM = [
    "Alcohol misuse",
    "Drug misuse",
    "Domestic abuse",
    "Mental health",
    "Learning disability",
    "Physical disability or illness",
]
_FOSTERED = {
    "8B": "overseas, will return",
    "8C": "overseas, will stay",
    "8D": "UK, educational placement",
    "8E": "UK, alternative family arrangement",
    "8F": "other",
}
_FACTORS = [
    *(
        (f"{n}{w}", f"{what}: concerns about {who}")
        for n, what in enumerate(_ABOUT_WHOM, 1)
        for w, who in _WHO.items()
    ),
    ("7A", "Young carer"),
    *((code, f"Privately fostered: {what}") for code, what in _FOSTERED.items()),
    ("9A", "Unaccompanied asylum seeking child"),
    ("10A", "Going or being missing"),
    ("11A", "Child sexual exploitation"),
    ("12A", "Trafficking"),
    ("13A", "Gangs"),
    ("14A", "Socially unacceptable behaviour"),
    ("15A", "Self-harm"),
    ("16A", "Neglect"),
    ("17A", "Emotional abuse"),
    ("18B", "Physical abuse: child on child"),
    ("18C", "Physical abuse: adult on child"),
    ("19B", "Sexual abuse: child on child"),
    ("19C", "Sexual abuse: adult on child"),
    ("20", "Other"),
    ("21", "No factors identified"),  # stands alone (rule 8869)
    ("22A", "Female genital mutilation"),
    ("23A", "Abuse linked to faith or belief"),
    ("24A", "Child criminal exploitation"),
]
# Member names are F<code> (a code is not an identifier): AssessmentFactor("21").label.
AssessmentFactor = models.TextChoices(
    "AssessmentFactor", [(f"F{code}", (code, label)) for code, label in _FACTORS]
)

ReasonForClosure = models.TextChoices(
    "ReasonForClosure",
    [
        ("RC1", ("RC1", "Adopted")),
        ("RC2", ("RC2", "Died")),
        ("RC3", ("RC3", "Child arrangements order")),
        ("RC4", ("RC4", "Special guardianship order")),
        ("RC5", ("RC5", "Transferred to another local authority")),
        ("RC6", ("RC6", "Transferred to adult social care")),
        ("RC7", ("RC7", "Services ceased for any other reason, including no longer in need")),
        ("RC8", ("RC8", "Case closed after assessment, no further action")),
        ("RC9", ("RC9", "Case closed after assessment, referred to early help")),
    ],
)  # CIN census ReasonForClosure (N00103)


class DomesticAbuseRisk(models.TextChoices):
    """DASH / police risk grade on a domestic abuse notification."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class LawfulBasis(models.TextChoices):
    """Lawful bases for sharing information (statutory-facts.md section 6)."""

    PUBLIC_TASK_SAFEGUARDING = (
        "public_task_safeguarding",
        "UK GDPR 6(1)(e) public task with 9(2)(g), DPA 2018 Sch 1 Pt 2 para 18 (safeguarding of children)",
    )
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR 6(1)(c) legal obligation (Children Act 1989 s47)"
    VITAL_INTERESTS = "vital_interests", "UK GDPR 6(1)(d) vital interests"
    HEALTH_SOCIAL_CARE = (
        "health_social_care",
        "UK GDPR 9(2)(h), DPA 2018 Sch 1 Pt 1 para 2 (health or social care)",
    )
    LAW_ENFORCEMENT_SAFEGUARDING = (
        "law_enforcement_safeguarding",
        "DPA 2018 Part 3 s35 with Sch 8 para 4 (police: safeguarding of children)",
    )
    CONSENT = "consent", "Consent of the parent or competent child"


class UpnUnknown(models.TextChoices):
    """CIN census UPNunknown (N00135): why a child has no UPN. The codes are the ones the census schema
    enumerates (CIN_schema_2024.xsd: UN1-UN7); the labels are the Department's own descriptions in the
    Common Basic Data Set code set CS051, word for word, so a council's performance team reads what
    the guide says. CS051's UN8-UN10 belong to the SEN2 return, not the census."""

    UN1 = "UN1", "Child is aged under 6 years old and is not yet assigned a UPN."
    UN2 = "UN2", "Child has never attended a maintained school in England and has not been assigned a UPN."
    UN3 = "UN3", "Child is educated outside England and has not been assigned a UPN."
    UN4 = (
        "UN4",
        "Child is newly in need (one week before end of collection period) and the UPN was not yet"
        " known at the time of the CIN census annual statistical return.",
    )
    UN5 = (
        "UN5",
        "Sources collating UPNs reflect discrepancy/ies for the child's name and/or surname and/or date"
        " of birth therefore preventing reliable matching (e.g. duplicated UPN).",
    )
    UN6 = "UN6", "Child is not looked after, and the authority is unable to obtain the UPN."
    UN7 = "UN7", "Child Referred but No Further Action taken."


class EmergencyProtection(models.TextChoices):
    """Whether a child was subject to an emergency protection order (Children Act 1989 s44) or taken
    into police protection (s46) in the six months before a section 47 enquiry or since it started
    (Annex A list 7; not a census item)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class CpPlanEndReason(models.TextChoices):
    """Why a child protection plan ended: Working Together's occasions for ending a plan (not a
    census item; the census records only CPPendDate)."""

    NO_LONGER_AT_RISK = "no_longer_at_risk", "The child is no longer at continuing risk of significant harm"
    MOVED_LA = "moved_la", "The child moved permanently to another local authority"
    REACHED_18 = "reached_18", "The child reached 18"
    DIED = "died", "The child died"
    LEFT_UK = "left_uk", "The child left the United Kingdom permanently"
