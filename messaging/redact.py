"""Secrets out of error texts: what a provider error says is stored (a line's
``health_error``, a message's ``last_error``/``error_message``, its events' details) and
shown (the API, the console, the logs).

The BlueBubbles password travels as the ``password`` query parameter, and the errors of
``requests``/urllib3 quote the URL they asked (``Max retries exceeded with url:
/api/v1/server/info?password=...``). ``redact`` removes secret-looking query values and
URL credentials from any text, and every literal secret it is given (the line's own, as
its provider names them: ``BaseProvider.secrets``). The text rules live in
``providers/base.py`` so a provider redacts without importing the core.
"""
from __future__ import annotations

import logging

from .providers import registry
from .providers.base import MASK, redact

__all__ = ["MASK", "RedactingFilter", "for_line", "install_log_filter", "line_secrets", "redact"]


class RedactingFilter(logging.Filter):
    """Rewrites a record's message without secret query values: urllib3 logs every request
    line at DEBUG (``"GET /api/v1/server/info?password=... HTTP/1.1" 200``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


#: Loggers of the HTTP libraries our providers call through.
HTTP_LOGGERS = ("urllib3.connectionpool", "requests")


def install_log_filter() -> None:
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def line_secrets(line) -> list[str]:
    """The secrets ``line``'s provider says its settings hold, readable (``BaseProvider.secrets``:
    BlueBubbles unseals its stored password)."""
    if line is None:
        return []
    try:
        return registry.provider_for(line).secrets()
    except LookupError:  # a provider this install no longer has
        return []


def for_line(line, text: str) -> str:
    """``text`` as it may be stored or shown for ``line``."""
    return redact(text, line_secrets(line))
