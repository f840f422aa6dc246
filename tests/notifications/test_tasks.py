"""Task settings that make delivery safe, beat's schedule, and the administrator's pages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from mash.celery import app
from mash.models import AuditEvent
from mash.outbox.delivery import deliver
from mash.roles import Role
from notifications.models import LetterTemplate
from notifications.tasks import sweep_deadlines


def test_delivery_is_acknowledged_late_and_survives_a_lost_worker():
    assert deliver.acks_late and deliver.reject_on_worker_lost
    assert sweep_deadlines.acks_late and sweep_deadlines.reject_on_worker_lost
    assert app.conf.accept_content == ["json"] and app.conf.task_serializer == "json"
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_beat_starts_the_sweeper_every_minute_and_nothing_with_a_countdown():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-deadlines"]

    assert entry["task"] == sweep_deadlines.name == "notifications.tasks.sweep_deadlines"
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60
    assert sweep_deadlines.name in app.tasks


def test_an_administrator_edits_the_wording_of_a_letter(make_user, login):
    admin = make_user(Role.ADMINISTRATOR, username="ada", is_staff=True, is_superuser=True)
    template = LetterTemplate.objects.get(outcome="nfa")
    client = login(admin)
    url = reverse("admin:notifications_lettertemplate_change", args=[template.pk])

    refused = client.post(url, {"outcome": "nfa", "subject": "Outcome", "body": '{% include "x.html" %}'})
    saved = client.post(url, {"outcome": "nfa", "subject": "Outcome {{ reference }}", "body": "No action."})

    assert refused.status_code == 200 and "Placeholders you can use" in refused.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "No action." and template.updated_by == admin
    assert AuditEvent.objects.filter(action="letter_template_saved", actor=admin).count() == 1
