"""Start every outcome with the default wording, so an administrator edits rather than writes from nothing."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    from notifications.wording import DEFAULT_BODY, DEFAULT_SUBJECT

    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    for outcome, body in DEFAULT_BODY.items():
        LetterTemplate.objects.get_or_create(outcome=outcome, defaults={"subject": DEFAULT_SUBJECT, "body": body})


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_alerts_letters_heartbeat"),
    ]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
