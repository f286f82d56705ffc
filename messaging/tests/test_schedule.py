"""The periodic schedule is declared in one place (outreach/schedule.py), the providers'
part in their registry entries; every entry names a task a worker knows."""
from __future__ import annotations

from django.conf import settings

from messaging.providers import registry
from outreach import schedule
from outreach.celery import app


def test_every_beat_entry_names_a_task_a_worker_registers():
    app.loader.import_default_modules()
    known = set(app.tasks)
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in known}
    assert not missing


def test_the_schedule_is_the_declared_entries_and_the_providers_own():
    declared = set(schedule.ENTRIES) | set(registry.periodic_tasks())
    assert set(settings.CELERY_BEAT_SCHEDULE) == declared
    assert {"messaging-poll-bluebubbles", "messaging-sandbox-reports"} <= set(registry.periodic_tasks())


def test_intervals_named_by_a_setting_are_read_from_it(settings):
    settings.DISPATCH_RECONCILE_SECONDS = 3.5
    assert schedule.beat_schedule()["messaging-reconcile"]["schedule"] == 3.5
    assert schedule.beat_schedule()["messaging-sandbox-reports"]["schedule"] == 3.5
