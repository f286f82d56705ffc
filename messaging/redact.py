"""Secrets out of error texts: what a provider error says is stored (a line's
``health_error``, a message's ``last_error``/``error_message``, its events' details) and
shown (the API, the console, the logs).

The BlueBubbles password travels as the ``password`` query parameter, and the errors of
``requests``/urllib3 quote the URL they asked (``Max retries exceeded with url:
/api/v1/server/info?password=...``). ``redact`` removes secret-looking query values and
URL credentials from any text, and every literal secret it is given (the line's own).
"""
from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

from .providers.bluebubbles.secret import SealError, unseal

MASK = "[redacted]"
#: ``name=value`` of a query (or a form) whose name says it holds a secret; BlueBubbles
#: accepts the password as ``password``, ``guid`` or ``token``.
_SECRET_PARAM = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(password|passwd|guid|token|secret|api[_-]?key|access_token)=([^&#\s'\"<>)\]]+)"
)
#: ``scheme://user:password@host``.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@")
#: Shorter strings are not replaced where they stand (they would mangle ordinary words);
#: the query-parameter rule still catches them.
_MIN_SECRET = 4


def redact(text: str, secrets=()) -> str:
    """``text`` with secret query values, URL credentials and every one of ``secrets``
    replaced by ``[redacted]``."""
    if not text:
        return text
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, MASK)
    return text


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
    """The secrets a line's provider settings hold, readable (the BlueBubbles password is
    stored sealed)."""
    settings = (getattr(line, "provider_settings", None) or {}) if line is not None else {}
    found = [settings.get("webhook_token") or ""]
    sealed = settings.get("password") or ""
    if sealed:
        try:
            found.append(unseal(sealed))
        except SealError:
            pass  # unreadable: it cannot be in an error text either
    return [s for s in found if s]


def for_line(line, text: str) -> str:
    """``text`` as it may be stored or shown for ``line``."""
    return redact(text, line_secrets(line))
