"""The staff navigation: each entry is shown to the roles that may use it, and only once the
second factor is passed; and where each role's work starts after signing in."""

from dataclasses import dataclass

from django.urls import reverse

from .roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]


# Apps add their pages here as they gain them.
NAVIGATION: list[NavItem] = [
    # Triage: the queues where referrals are screened and decided.
    # A social worker's own work starts here (their team's referrals; see LANDING).
    NavItem(
        "Triage queue",
        "triage:queue",
        frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD, Role.SOCIAL_WORKER}),
    ),
    NavItem("Domestic abuse", "triage:domestic_abuse", frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD})),
    NavItem("Early help queue", "triage:early_help", frozenset({Role.TEAM_MANAGER, Role.SOCIAL_WORKER})),
    NavItem("EDT queue", "triage:edt", frozenset({Role.EMERGENCY_DUTY, Role.MASH_LEAD})),
    # Intake: recording what comes in.
    NavItem("Record a referral", "referrals:record", frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD})),
    NavItem(
        "Record a consultation", "referrals:consultation", frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD})
    ),
    # Information sharing with partner agencies, and allocation to teams.
    NavItem("Information requests", "partners:request_list", frozenset({Role.AGENCY_PARTNER})),
    NavItem("Team queue", "multiagency:team_queue", frozenset({Role.TEAM_MANAGER, Role.MASH_LEAD})),
    NavItem(
        "Duty rota",
        "multiagency:duty_rota",
        frozenset({Role.SCREENING_OFFICER, Role.MASH_LEAD, Role.TEAM_MANAGER}),
    ),
    # Reports and statutory returns.
    NavItem(
        "Performance",
        "reports:dashboard",
        frozenset({Role.TEAM_MANAGER, Role.MASH_LEAD, Role.PERFORMANCE_OFFICER}),
    ),
    # Security and privacy. These roles repeat security.break_glass.BREAK_GLASS_ROLES, which mash, the
    # layer below security, cannot import: keep the two in step.
    NavItem(
        "Emergency access",
        "break_glass_request",
        frozenset(
            {
                Role.SCREENING_OFFICER,
                Role.MASH_LEAD,
                Role.TEAM_MANAGER,
                Role.SOCIAL_WORKER,
                Role.EMERGENCY_DUTY,
            }
        ),
    ),
    NavItem("Audit log", "audit_log", frozenset({Role.ADMINISTRATOR})),
    NavItem("Emergency access to review", "break_glass_review", frozenset({Role.ADMINISTRATOR})),
]

# Where a role's work starts after sign-in, first match wins for a user with several roles.
# A social worker's team queue is the triage queue, which shows them their team's referrals;
# the allocation queue (multiagency:team_queue) is the team manager's.
LANDING: list[tuple[Role, str]] = [
    (Role.SCREENING_OFFICER, "triage:queue"),
    (Role.MASH_LEAD, "triage:queue"),
    (Role.TEAM_MANAGER, "multiagency:team_queue"),
    (Role.SOCIAL_WORKER, "triage:queue"),
    (Role.EMERGENCY_DUTY, "triage:edt"),
    (Role.AGENCY_PARTNER, "partners:request_list"),
    (Role.PERFORMANCE_OFFICER, "reports:dashboard"),
    (Role.ADMINISTRATOR, "admin:index"),
]


def is_verified(user) -> bool:
    """Signed in and past the second factor (django-otp's middleware gives every user is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def items_for(user) -> list[dict]:
    """The menu for this user: nothing until the second factor is passed."""
    if not is_verified(user):
        return []
    return [
        {"label": item.label, "url": reverse(item.url_name)}
        for item in NAVIGATION
        if user.has_role(*item.roles)
    ]


def landing_url(user) -> str:
    """The page a member of staff's own work starts on; the public start page for a user with no role."""
    for role, url_name in LANDING:
        if user.has_role(role):
            return reverse(url_name)
    return reverse("referrals:start")
