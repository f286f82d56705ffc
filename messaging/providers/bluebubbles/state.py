"""The BlueBubbles state of a line, kept in ``Line.provider_settings`` (see provider.py for
the keys) and its health: the only code that writes them, under the line's row lock."""
from __future__ import annotations

from django.db import transaction

from ...models import Line
from ..base import redact
from .secret import secrets_of


@transaction.atomic
def update_settings(line: Line, **changes) -> Line:
    """Merge ``changes`` into the line's provider_settings under a row lock (webhook, poll and
    console may write at once); a value of None removes the key."""
    locked = Line.objects.select_for_update().get(pk=line.pk)
    data = dict(locked.provider_settings or {})
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    Line.objects.filter(pk=line.pk).update(provider_settings=data)
    line.provider_settings = data
    return line


def remember_group(line: Line, group_id: str, chat_guid: str) -> None:
    groups = dict((line.provider_settings or {}).get("groups") or {})
    groups[group_id] = chat_guid
    update_settings(line, groups=groups)


def record_health(line: Line, error: str = "") -> None:
    error = redact(error, secrets_of(line.provider_settings or {}))  # the server's answer may quote our URL and password
    Line.objects.filter(pk=line.pk).update(healthy=not error, health_error=error)
    line.healthy, line.health_error = not error, error
