"""The BlueBubbles state of a line, kept in ``Line.provider_settings`` (see provider.py for
the keys) and its health, written by the core on the provider's behalf (``base.host()``)."""
from __future__ import annotations

from ..base import host, redact
from .secret import secrets_of


def update_settings(line, **changes):
    """Merge ``changes`` into the line's provider_settings (a value of None removes the key)."""
    line.provider_settings = host().change_line_settings(line, changes)
    return line


def remember_group(line, group_id: str, chat_guid: str) -> None:
    groups = dict((line.provider_settings or {}).get("groups") or {})
    groups[group_id] = chat_guid
    update_settings(line, groups=groups)


def record_health(line, error: str = "") -> None:
    error = redact(error, secrets_of(line.provider_settings or {}))  # the server's answer may quote our URL and password
    host().set_line_health(line, error)
    line.healthy, line.health_error = not error, error
