from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from triage.models import PolicyVersion
from triage.presets import PRESETS, preset


class Command(BaseCommand):
    help = "Load a council's policy preset as the new current policy version."

    def add_arguments(self, parser):
        parser.add_argument("council", choices=sorted(PRESETS))

    def handle(self, *args, council: str, **options):
        with transaction.atomic():
            latest = PolicyVersion.objects.filter(council=council).order_by("-version").first()
            PolicyVersion.objects.filter(is_current=True).update(is_current=False)
            version = PolicyVersion.objects.create(
                council=council,
                version=(latest.version + 1) if latest else 1,
                is_current=True,
                change_note=f"Loaded the {council} preset",
                **preset(council),
            )
        self.stdout.write(self.style.SUCCESS(f"{version} is now current"))
