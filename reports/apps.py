from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and statutory returns"

    def ready(self) -> None:
        # Casework refuses a write that would break a census rule; the rules are this app's.
        from triage import signals

        from .cin_rules import check_referral

        signals.census_violations.supply(check_referral)
