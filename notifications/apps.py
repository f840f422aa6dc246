from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Letters, e-mail and alerts"

    def ready(self) -> None:
        # Imported once the apps are ready, as Django asks of signal receivers; handlers registers
        # the outbox's handlers for this app's kinds of side effect.
        from triage import signals

        from . import handlers  # noqa: F401
        from .letters import on_outcome_decided
        from .sweeper import open_alert_levels

        signals.outcome_decided.connect(on_outcome_decided, dispatch_uid="notifications.outcome_letter")
        signals.open_alert_levels.supply(open_alert_levels)
