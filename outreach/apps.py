from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class OutreachConfig(AppConfig):
    name = "outreach"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers

        # Idempotency keys are kept 24 hours; an hourly sweep
        # removes older ones so the table stays the size of one day of sends.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "outreach-purge-idempotency-keys",
            {"task": "outreach.tasks.purge_idempotency_keys", "schedule": 3600.0},
        )
