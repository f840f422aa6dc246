"""The audit log refuses UPDATE and DELETE at the database (PostgreSQL), and the role groups exist."""

from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION mash_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mash_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mash_auditevent_append_only
    BEFORE UPDATE OR DELETE ON mash_auditevent
    FOR EACH ROW EXECUTE FUNCTION mash_audit_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS mash_auditevent_append_only ON mash_auditevent;
DROP FUNCTION IF EXISTS mash_audit_append_only();
"""


def forwards_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def backwards_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


def create_role_groups(apps, schema_editor):
    from mash.roles import Role

    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


class Migration(migrations.Migration):
    dependencies = [("mash", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(forwards_trigger, backwards_trigger),
        migrations.RunPython(create_role_groups, migrations.RunPython.noop),
    ]
