"""The old name of the outbound URL check, kept for ``messaging/media.py`` until it calls
``outreach.net`` itself. Webhooks use ``outreach.net`` directly."""
from __future__ import annotations

from outreach.net import check_url


def check_target(url: str, field: str = "url") -> str:
    return check_url(url, field=field)
