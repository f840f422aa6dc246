"""``manage.py load_policy_preset <council>``: make a council's preset the current policy version."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from triage.actions import policy_preset_load
from triage.presets import PRESETS


class Command(BaseCommand):
    help = "Load a council's policy preset as a new current policy version."

    def add_arguments(self, parser):
        parser.add_argument("council", choices=sorted(PRESETS))
        parser.add_argument(
            "--note", default="", help="Why the preset is being loaded (kept in the audit log)."
        )

    def handle(self, *args, council: str, note: str, **options):
        try:
            version = policy_preset_load(council, by="manage.py load_policy_preset", note=note)
        except ValidationError as exc:
            raise CommandError(f"The {council} preset is not valid: {exc.messages}") from exc
        self.stdout.write(self.style.SUCCESS(f"{version} is now current"))
        for default in version.defaults_taken:
            self.stdout.write(f"  default taken: {default}")
