"""Indexes for the dashboard's aggregates, on other apps' tables (this app has no tables of its own).

On PostgreSQL they are covering indexes (INCLUDE), so the GROUP BYs over a period are index-only
scans, and are built CONCURRENTLY so a live service keeps taking referrals while they build.
SQLite gets plain composite indexes with the same names.
"""

from django.db import migrations

# name, table, key columns, covered columns
INDEXES = [
    (
        "reports_referral_received",
        "referrals_referral",
        ["received_at"],
        ["source", "rag", "out_of_hours", "consent", "team_id", "referrer_agency_id"],
    ),
    ("reports_deadline_referral_kind", "triage_deadline", ["referral_id", "kind"], ["due_at", "met_at"]),
    (
        "reports_inforequest_referral",
        "agencies_informationrequest",
        ["referral_id"],
        ["agency_id", "requested_at", "due_at", "answered_at"],
    ),
    ("reports_child_person_referral", "referrals_referralchild", ["person_id", "referral_id"], []),
]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, keys, covered in INDEXES:
        if postgres:
            include = f" INCLUDE ({', '.join(covered)})" if covered else ""
            sql = f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({', '.join(keys)}){include}"
        else:
            sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(keys + covered)})"
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("referrals", "0004_intake_reference_counter"),
        ("triage", "0003_outcomes"),
        ("agencies", "0005_information_request_deadline"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
