"""Covering indexes the figures read alone (index-only scans), replacing 0001's.

0001's indexes left out ``id``, which ``COUNT(id)`` reads, so PostgreSQL fell back to scanning the
table; and the satellite tables are now counted by their own time (a deadline's due time, a request's
time, an outcome's decision), so their indexes lead with that time. Measured with
``bench/reports_dashboard.py``.
"""

from django.db import migrations

REPLACED = ["reports_referral_received", "reports_deadline_referral_kind", "reports_inforequest_referral"]

# name, table, key columns, covered columns
INDEXES = [
    (
        "reports_referral_received_v2",
        "referrals_referral",
        ["received_at"],
        ["id", "source", "rag", "out_of_hours", "consent", "team_id", "referrer_agency_id"],
    ),
    (
        "reports_referral_queue",
        "referrals_referral",
        ["status"],
        ["id", "received_at", "next_due_at", "team_id", "referrer_agency_id"],
    ),
    ("reports_deadline_due", "triage_deadline", ["kind", "due_at"], ["id", "met_at", "referral_id"]),
    (
        "reports_inforequest_requested",
        "agencies_informationrequest",
        ["requested_at"],
        ["id", "agency_id", "due_at", "answered_at", "referral_id"],
    ),
    ("reports_outcome_decided", "triage_outcome", ["decided_at"], ["id", "destination", "referral_id"]),
]


def _drop(schema_editor, names) -> None:
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name in names:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


def forwards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, keys, covered in INDEXES:
        if postgres:
            columns, include = ", ".join(keys), ", ".join(covered)
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns}) INCLUDE ({include})"
            )
        else:  # SQLite has no INCLUDE: the same columns as one composite key
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(keys + covered)})")
    _drop(schema_editor, REPLACED)


def backwards(apps, schema_editor):
    _drop(schema_editor, [name for name, *_ in INDEXES])


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("reports", "0001_aggregate_indexes"), ("triage", "0003_outcomes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
