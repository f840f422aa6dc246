import sys

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import router
from django.db.models.signals import post_migrate


def load_default_policy(sender, *, using, apps=global_apps, verbosity=1, **kwargs) -> None:
    """After ``migrate`` (and ``flush``), load the default policy preset if no version is in force.

    This is how Django makes its own default rows (content types, permissions): a fresh database
    gets its policy when it is made, never on a read, so reading the policy never writes.
    """
    # Imported here: this module is imported while the app registry is still being filled.
    from .actions import policy_default_load
    from .models import PolicyVersion

    try:
        apps.get_model("triage", "PolicyVersion")
    except LookupError:  # migrated back past triage's first migration: there is no table to fill
        return
    if using != router.db_for_write(PolicyVersion):
        return
    policy = policy_default_load(by=None, note="Created on migrate: no policy version was in force")
    if policy and verbosity >= 1:
        kwargs.get("stdout", sys.stdout).write(f"  Loaded the default policy preset: {policy} is current\n")


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage and decisions"

    def ready(self) -> None:
        # Sent once per app after every migrate; sender=self runs it once, after all the tables exist.
        post_migrate.connect(load_default_policy, sender=self, dispatch_uid="triage.load_default_policy")
        # Imported once the apps are ready, as Django asks of signal receivers.
        from referrals import selectors as intake
        from referrals.person_index import actions as person_index
        from referrals.person_index import selectors as person_index_selectors
        from referrals.signals import referral_received
        from security import break_glass

        from .chronology import decision_entries
        from .decisions.known_case import referral_route_to_known_case
        from .intake import on_referral_received
        from .multiagency import partner_links  # noqa: F401 - registers the link e-mails' outbox handler
        from .policy import break_glass_limits, out_of_hours_at, services_at
        from .selectors import referrals_visible_to

        referral_received.connect(on_referral_received, dispatch_uid="triage.referral_received")
        person_index.route_to_known_case.supply(referral_route_to_known_case)
        person_index_selectors.decision_entries.supply(decision_entries)
        intake.out_of_hours_at.supply(out_of_hours_at)
        intake.services_at.supply(services_at)
        break_glass.referrals_open_to.supply(lambda user: referrals_visible_to(user).values("pk"))
        break_glass.break_glass_limits.supply(break_glass_limits)
