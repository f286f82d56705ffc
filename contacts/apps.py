from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The broker carries wake-ups, never the only copy of work: this sweep re-sends
        # CSV imports that stopped reporting progress.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "contacts-resume-imports", {"task": "contacts.tasks.resume_stale_imports", "schedule": 60.0}
        )
