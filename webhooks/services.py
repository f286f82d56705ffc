"""The verbs of webhooks."""
from __future__ import annotations

from .models import Event


def emit(account, event_type: str, payload: dict, extra_urls=()) -> Event:
    return Event.objects.create(
        account=account, type=event_type, payload=payload, extra_urls=list(extra_urls)
    )
