"""The clocks' covering index also carries the team copied onto each clock (triage 0012), so one
team's timeliness figures are an index-only scan like the whole service's, without joining the
period's clocks to their referrals. Measured with ``bench/reports_dashboard.py --explain``."""

from django.db import migrations

OLD = "reports_deadline_due"
NEW = "reports_deadline_due_team"


def _drop(schema_editor, name) -> None:
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


def _create(schema_editor, name, covered) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON triage_deadline (kind, due_at) "
            f"INCLUDE ({', '.join(covered)})"
        )
    else:  # SQLite has no INCLUDE: the same columns as one composite key
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON triage_deadline (kind, due_at, {', '.join(covered)})"
        )


def forwards(apps, schema_editor):
    _create(schema_editor, NEW, ["id", "met_at", "referral_id", "team_id"])
    _drop(schema_editor, OLD)


def backwards(apps, schema_editor):
    _create(schema_editor, OLD, ["id", "met_at", "referral_id"])
    _drop(schema_editor, NEW)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("reports", "0002_covering_indexes"), ("triage", "0014_deadline_team")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
