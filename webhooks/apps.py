from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outreach import metrics  # the collector reads models: not importable before ready

        from .metrics import WebhookCollector

        metrics.register(WebhookCollector())
