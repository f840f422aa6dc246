"""``manage.py load_person_index <file.csv>``: load the person index from a case-system export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.person_index.loading import load_person_index


class Command(BaseCommand):
    help = "Load people, addresses and involvements from a CSV export (format: docs/person-index.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        with path.open(newline="", encoding="utf-8-sig") as lines:
            report = load_person_index(lines, by="manage.py load_person_index", source=path.name)
        summary, *rejections = report.lines()
        self.stdout.write(self.style.SUCCESS(summary) if not rejections else self.style.WARNING(summary))
        for line in rejections:
            self.stdout.write(line)
