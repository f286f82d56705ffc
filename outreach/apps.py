from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings

from . import schedule


class OutreachConfig(AppConfig):
    name = "outreach"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers

        # The whole periodic schedule, declared in outreach/schedule.py.
        for name, entry in schedule.beat_schedule().items():
            settings.CELERY_BEAT_SCHEDULE.setdefault(name, entry)
