"""One form per topic of the referral. The online form, the staff route and the intake API
all validate with these classes (see ``referrals.intake``), so a rule is written once.
"""

from .base import (
    MAX_ADULTS,
    MAX_CHILDREN,
    NO,
    NOT_KNOWN,
    PROFESSIONAL_SOURCES,
    PUBLIC_RELATIONSHIPS,
    YES,
    YES_NO,
    YES_NO_NOT_KNOWN,
    IntakeForm,
)
from .concern import (
    ConcernForm,
    ConsentForm,
    ProfessionalConcernForm,
    ProfessionalSupportForm,
    SupportForm,
    VoicesForm,
)
from .people import AdultForm, AnotherForm, ChildForm
from .referrer import PartnerReferrerForm, ProfessionalForm, PublicForm, RouteForm
from .staff import ConsultationForm, StaffChannelForm

__all__ = [
    "MAX_ADULTS",
    "MAX_CHILDREN",
    "NO",
    "NOT_KNOWN",
    "PROFESSIONAL_SOURCES",
    "PUBLIC_RELATIONSHIPS",
    "YES",
    "YES_NO",
    "YES_NO_NOT_KNOWN",
    "AdultForm",
    "AnotherForm",
    "ChildForm",
    "ConcernForm",
    "ConsentForm",
    "ConsultationForm",
    "IntakeForm",
    "PartnerReferrerForm",
    "ProfessionalConcernForm",
    "ProfessionalForm",
    "ProfessionalSupportForm",
    "PublicForm",
    "RouteForm",
    "StaffChannelForm",
    "SupportForm",
    "VoicesForm",
]
