"""Demo data for `make run`: a council policy, teams, partner agencies and one user per role.

Idempotent: running it again changes nothing. Refuses to run with production settings.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, Team
from mash.codes import ReferralSource
from mash.models import User
from mash.roles import Role, ensure_role_groups
from referrals.actions import referral_submit
from referrals.api.examples import EXAMPLE_REFERRAL
from referrals.api.views import body_to_raw
from referrals.intake import clean_intake
from referrals.models import Referral
from triage.models import PolicyVersion

DEMO_PASSWORD = "demo-safeguarding-2026"  # noqa: S105 (documented demo credential, local only)  # nosec B105
# Every demo user's authenticator secret (RFC 6238's test key; README "Demo users"); local only.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

AGENCIES = [
    ("Police", "police", Agency.Kind.POLICE, ReferralSource.POLICE),
    ("Health", "health", Agency.Kind.HEALTH, ReferralSource.OTHER_PRIMARY_HEALTH),
    ("Education", "education", Agency.Kind.EDUCATION, ReferralSource.EDUCATION_SERVICES),
    ("Housing", "housing", Agency.Kind.HOUSING, ReferralSource.HOUSING),
    ("Probation", "probation", Agency.Kind.PROBATION, ReferralSource.OTHER_LEGAL),
    (
        "Youth Offending Service",
        "youth-offending",
        Agency.Kind.YOUTH_OFFENDING,
        ReferralSource.OTHER_INTERNAL,
    ),
    ("Domestic Abuse Service", "domestic-abuse", Agency.Kind.DOMESTIC_ABUSE, ReferralSource.OTHER),
    ("Substance Misuse Service", "substance-misuse", Agency.Kind.SUBSTANCE_MISUSE, ReferralSource.OTHER),
    ("Early Help", "early-help", Agency.Kind.EARLY_HELP, ReferralSource.EARLY_HELP),
]

TEAMS = [
    ("MASH", "mash", Team.Kind.MASH, "01234 500100", 0),
    ("Assessment Team 1", "assessment-1", Team.Kind.ASSESSMENT, "01234 500201", 1),
    ("Assessment Team 2", "assessment-2", Team.Kind.ASSESSMENT, "01234 500202", 2),
    ("Assessment Team 3", "assessment-3", Team.Kind.ASSESSMENT, "01234 500203", 3),
    ("Early Help Hub", "early-help-hub", Team.Kind.EARLY_HELP, "01234 500300", 0),
    ("Emergency Duty Team", "edt", Team.Kind.EMERGENCY_DUTY, "01234 500999", 0),
]

# Variations on the documented API example: a high-risk domestic abuse notification about two
# siblings, a medium-risk one, and a standard-risk one.
DEMO_REFERRALS = [
    (
        "smith",
        {
            "children": [
                {
                    "unborn": "no",
                    "first_name": "Amy",
                    "last_name": "Smith",
                    "date_of_birth": "2018-04-02",
                    "sex": "F",
                    "ethnicity": "WBRI",
                },
                {
                    "unborn": "no",
                    "first_name": "Ben",
                    "last_name": "Smith",
                    "date_of_birth": "2015-09-14",
                    "sex": "M",
                    "ethnicity": "WBRI",
                },
            ],
        },
    ),
    (
        "khan",
        {
            "domestic_abuse_risk": "medium",
            "concerns": "Neighbours called police to shouting; the children were at home.",
            "children": [
                {
                    "unborn": "no",
                    "first_name": "Zara",
                    "last_name": "Khan",
                    "date_of_birth": "2012-01-20",
                    "sex": "F",
                    "ethnicity": "APKN",
                }
            ],
            "adults": [
                {
                    "first_name": "Imran",
                    "last_name": "Khan",
                    "relationship": "Father",
                    "lives_with_children": "yes",
                    "has_parental_responsibility": "yes",
                    "sex": "M",
                    "ethnicity": "APKN",
                }
            ],
        },
    ),
    (
        "owens",
        {
            "domestic_abuse_risk": "standard",
            "concerns": "A verbal argument reported by a passer-by; no injuries.",
            "children": [
                {
                    "unborn": "no",
                    "first_name": "Leo",
                    "last_name": "Owens",
                    "date_of_birth": "2019-06-03",
                    "sex": "M",
                    "ethnicity": "WOTH",
                }
            ],
        },
    ),
]

# username, first name, last name, role, team slug, agency slug
USERS = [
    ("screening", "Sam", "Screener", Role.SCREENING_OFFICER, "mash", None),
    ("lead", "Lee", "Lead", Role.MASH_LEAD, "mash", None),
    ("police", "Pat", "Constable", Role.AGENCY_PARTNER, None, "police"),
    ("health", "Hana", "Visitor", Role.AGENCY_PARTNER, None, "health"),
    ("education", "Ed", "Teacher", Role.AGENCY_PARTNER, None, "education"),
    ("manager", "Morgan", "Manager", Role.TEAM_MANAGER, "assessment-2", None),
    ("manager1", "Max", "Manager", Role.TEAM_MANAGER, "assessment-1", None),
    ("socialworker", "Sol", "Worker", Role.SOCIAL_WORKER, "assessment-2", None),
    ("edt", "Eve", "Duty", Role.EMERGENCY_DUTY, "edt", None),
    ("performance", "Perry", "Analyst", Role.PERFORMANCE_OFFICER, None, None),
    ("admin", "Ada", "Admin", Role.ADMINISTRATOR, None, None),
]


class Command(BaseCommand):
    help = "Load demo data: policy, teams, agencies and one user per role (password in README)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is for local use only (DEBUG is off).")
        with transaction.atomic():
            ensure_role_groups()
            self._policy()
            agencies = {row[1]: self._agency(*row) for row in AGENCIES}
            teams = {row[1]: self._team(*row) for row in TEAMS}
            for row in USERS:
                self._user(*row, teams=teams, agencies=agencies)
            self._referrals(agencies["police"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(USERS)} users, password {DEMO_PASSWORD!r}")
        )

    def _policy(self) -> None:
        if not PolicyVersion.objects.filter(is_current=True).exists():
            call_command("load_policy_preset", "durham", verbosity=0)

    def _referrals(self, police: Agency) -> None:
        """A few referrals through the real intake (validation, reference, clocks, outbox), so the
        queue has work in it; keyed so that running the command again adds nothing."""

        for key, changes in DEMO_REFERRALS:
            idempotency_key = f"demo:{key}"
            if Referral.objects.filter(idempotency_key=idempotency_key).exists():
                continue
            data = clean_intake(body_to_raw({**EXAMPLE_REFERRAL, **changes}), partner=True)
            data.referral.update(source=police.referral_source, referrer_agency=police)
            referral_submit(
                data, by="seed_demo", channel=Referral.Channel.API, idempotency_key=idempotency_key
            )

    def _agency(self, name, slug, kind, source) -> Agency:
        agency, _ = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "referral_source": source}
        )
        return agency

    def _team(self, name, slug, kind, phone, rota) -> Team:
        team, _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "phone": phone, "rota_position": rota}
        )
        return team

    def _user(self, username, first, last, role, team_slug, agency_slug, *, teams, agencies) -> None:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.gov.uk"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMINISTRATOR
            user.is_superuser = role == Role.ADMINISTRATOR
            user.save()
        user.groups.add(Group.objects.get(name=role.value))
        if team_slug:
            team = teams[team_slug]
            team.members.add(user)
            if role == Role.TEAM_MANAGER and team.manager_id is None:
                team.manager = user
                team.save(update_fields=["manager"])
        if agency_slug:
            agencies[agency_slug].members.add(user)
        self._second_factor(user)

    def _second_factor(self, user) -> None:
        TOTPDevice.objects.get_or_create(
            user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
        )
