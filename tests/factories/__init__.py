"""One factory per model, for every app's tests (rows written directly, not through the actions)."""

from tests.factories.agencies import AgencyFactory, InformationRequestFactory, TeamFactory
from tests.factories.referrals import AdultFactory, ChildFactory, ReferralFactory, referral_with_people
from tests.factories.triage import ChildDecisionFactory, load_preset, policy_changed
from tests.factories.users import UserFactory

__all__ = [
    "AdultFactory",
    "AgencyFactory",
    "ChildDecisionFactory",
    "ChildFactory",
    "InformationRequestFactory",
    "ReferralFactory",
    "TeamFactory",
    "UserFactory",
    "load_preset",
    "policy_changed",
    "referral_with_people",
]
