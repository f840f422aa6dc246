import pytest
from django.db import DatabaseError, connection, transaction

from mash import audit
from mash.models import AuditEvent


@pytest.mark.django_db
def test_record_write_keeps_who_what_and_why(make_user):
    user = make_user()
    event = audit.record_write("policy.edit", actor=user, obj=user, reason="testing")
    assert (event.actor, event.actor_label, event.kind, event.reason) == (
        user,
        user.username,
        "write",
        "testing",
    )
    assert event.object_type == "mash.User" and event.object_id == str(user.pk)


@pytest.mark.django_db
def test_system_and_public_actors_are_labelled():
    assert audit.record_write("sweep", actor=None).actor_label == "system"
    from django.contrib.auth.models import AnonymousUser

    assert audit.record_read("form", actor=AnonymousUser()).actor_label == "public"


@pytest.mark.django_db
def test_audit_rows_refuse_update_and_delete_through_the_model():
    event = audit.record_read("referral.view", actor=None)
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_raw_update_and_delete_of_audit_rows():
    event = audit.record_read("referral.view", actor=None)
    for sql in (
        "UPDATE mash_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM mash_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()
