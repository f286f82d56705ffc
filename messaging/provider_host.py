"""The core's side of ``providers.base.Host``: what a provider asks of the messaging core
(its address handles, its line's settings and health) done on the core's own rows."""
from __future__ import annotations

from django.db import transaction

from . import handle_cache
from .models import Line
from .providers.base import Host
from .services import health


class CoreHost(Host):
    def known_service(self, line: Line, address: str) -> str:
        handle = handle_cache.known(line, address)
        return handle.service if handle else ""

    def remember_service(self, line: Line, address: str, service: str) -> None:
        handle_cache.remember(line, address, service)

    @transaction.atomic
    def change_line_settings(self, line: Line, changes: dict) -> dict:
        # Webhook, poll and console may write at once: merge under the row lock.
        locked = Line.objects.select_for_update().get(pk=line.pk)
        data = dict(locked.provider_settings or {})
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        Line.objects.filter(pk=line.pk).update(provider_settings=data)
        return data

    def set_line_health(self, line: Line, error: str) -> None:
        health.record(line, error)

    def find_line(self, pk, provider: str) -> Line | None:
        return Line.objects.filter(pk=pk, provider=provider).first()
