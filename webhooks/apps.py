from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outreach import metrics

        from .metrics import WebhookCollector

        metrics.register(WebhookCollector())
        # Retry waits live in the database as due times; this periodic sweep is what
        # turns them into work (and recovers wake-ups lost between commit and publish).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "webhooks-sweep", {"task": "webhooks.tasks.sweep", "schedule": 5.0}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "webhooks-purge", {"task": "webhooks.tasks.purge", "schedule": 3600.0}
        )
