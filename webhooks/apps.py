from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outreach import metrics, retention  # the collector reads models: not importable before ready

        from .metrics import WebhookCollector

        metrics.register(WebhookCollector())
        # Data retention (outreach/retention.py): delivery logs first, then the events
        # none of whose deliveries is left.
        retention.register("webhooks.deliveries", "webhooks.retention.purge_deliveries")
        retention.register("webhooks.events", "webhooks.retention.purge_events")
