"""``manage.py evaluate_matching``: precision and recall of the top candidate on a generated set."""

from django.core.management.base import BaseCommand

from referrals.person_index.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Generate near-duplicates and true non-matches, match them against a generated population "
        "(rolled back afterwards) and print the precision and recall of the top candidate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument("--probes", type=int, default=60, help="probes per scenario")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, people: int, probes: int, seed: int, **options):
        result = evaluate(people=people, probes_per_scenario=probes, seed=seed)
        for line in result.lines():
            self.stdout.write(line)
