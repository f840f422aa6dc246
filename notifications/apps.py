from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def load_default_wording(sender, *, using, apps=global_apps, **kwargs) -> None:
    """After ``migrate`` (and ``flush``), give every outcome without a letter template the default
    wording, so an administrator edits rather than writes from nothing. Migration 0004 did this once;
    running it on post_migrate too (as the default policy is) means a flushed database, such as a
    transactional test's, gets the wording back instead of letters with none."""
    # Imported here: this module is imported while the app registry is still being filled.
    from .wording import DEFAULT_BODY, DEFAULT_SUBJECT

    try:
        LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    except LookupError:  # migrated back past the table: there is nothing to fill
        return

    for outcome, body in DEFAULT_BODY.items():
        LetterTemplate.objects.using(using).get_or_create(
            outcome=outcome, defaults={"subject": DEFAULT_SUBJECT, "body": body}
        )


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Letters, e-mail and alerts"

    def ready(self) -> None:
        post_migrate.connect(load_default_wording, sender=self, dispatch_uid="notifications.default_wording")
        # Imported once the apps are ready, as Django asks of signal receivers; handlers registers
        # the outbox's handlers for this app's kinds of side effect.
        from triage import signals

        from . import handlers  # noqa: F401
        from .letters import letters_of, on_outcome_decided
        from .sweeper import open_alert_levels

        signals.outcome_decided.connect(on_outcome_decided, dispatch_uid="notifications.outcome_letter")
        signals.open_alert_levels.supply(open_alert_levels)
        signals.referral_letters.supply(letters_of)
