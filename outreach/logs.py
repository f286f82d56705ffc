"""Structured logs: one JSON object per line (``LOG_FORMAT=json``), with the account,
message handle, line and Celery task id of whatever was running when known.

The fields live in one context variable. ``LogContextMiddleware`` gives every request an
empty set and binds the console's account (API keys bind theirs once authenticated:
``outreach.api.authentication``); Celery's ``task_prerun`` binds the task id and name, and
``task_postrun`` drops them. Code that works on a message binds it for the logs written
meanwhile::

    from outreach.logs import log_context

    with log_context(message_handle=message.handle, line=line.number):
        ...                                 # every record here carries both

Secrets never reach the output: the formatters scrub API keys (``ok_<id>.<secret>``: the
public id stays), ``whsec_`` signing secrets, bearer tokens, passwords in URLs and any
``password``/``secret``/``api_key``-like field from the finished line, whatever logged it
(message, arguments, extras or a traceback). The code itself never logs headers or bodies.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.json import JsonFormatter

#: The fields every record written in this context carries (account, message, line, task...).
_fields: ContextVar[dict[str, str] | None] = ContextVar("outreach_log_fields", default=None)

REDACTED = "[redacted]"
_SECRETS = [
    (re.compile(r"\b(ok_[0-9a-f]+)\.[A-Za-z0-9_\-]+"), rf"\1.{REDACTED}"),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_\-]+"), f"whsec_{REDACTED}"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+"), rf"\1 {REDACTED}"),
    (re.compile(r"(://[^/\s:@\"']+):[^@\s\"']+@"), rf"\1:{REDACTED}@"),
    (
        re.compile(
            r"(?i)\b((?:password|passwd|secret|api[_-]?key|sb-api-secret-key|authorization|signing[_-]?secret)"
            r"(?:\\?[\"'])?\s*[:=]\s*(?:\\?[\"'])?)(?!\[redacted\])[^\s\"'&,;}\\]+"
        ),
        rf"\1{REDACTED}",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def fields() -> dict[str, str]:
    """The fields bound in this context."""
    return _fields.get() or {}


def bind(**values) -> Token:
    """Add fields to this context (None values are left out); returns the token to undo it."""
    return _fields.set({**fields(), **{k: str(v) for k, v in values.items() if v is not None}})


@contextmanager
def log_context(**values) -> Iterator[None]:
    """Bind fields for the records written inside the block."""
    token = bind(**values)
    try:
        yield
    finally:
        _fields.reset(token)


class ContextFilter(logging.Filter):
    """Copies the bound fields onto each record (JSON output shows them as keys)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in fields().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonLogFormatter(JsonFormatter):
    """python-json-logger's formatter, with secrets scrubbed from the finished line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class TextLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def logging_config(log_format: str, level: str) -> dict:
    """Django's ``LOGGING`` for ``LOG_FORMAT`` (``text`` or ``json``) at ``LOG_LEVEL``."""
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "outreach.logs.ContextFilter"}},
        "formatters": {
            "text": {
                "()": "outreach.logs.TextLogFormatter",
                "format": "[%(asctime)s: %(levelname)s/%(processName)s] %(name)s: %(message)s",
            },
            "json": {
                "()": "outreach.logs.JsonLogFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }


request_log = logging.getLogger("outreach.request")


class LogContextMiddleware:
    """A fresh set of log fields per request, with the console's account bound; one
    ``request`` event per request when ``LOG_REQUESTS`` is on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = settings.LOG_REQUESTS

    def __call__(self, request):
        token = _fields.set({})
        started = time.monotonic()
        try:
            account = getattr(request, "account", None)
            if account is not None:
                bind(account=account.pk)
            response = self.get_response(request)
            if self.log_requests:
                request_log.info("request", extra={
                    "method": request.method, "path": request.path, "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                })
            return response
        finally:
            _fields.reset(token)


def task_started(task_id=None, task=None, **kwargs) -> None:
    """Celery ``task_prerun``: the task's records carry its id and name."""
    _fields.set({"task_id": str(task_id), "task": getattr(task, "name", "")})


def task_finished(**kwargs) -> None:
    """Celery ``task_postrun``: nothing of the task leaks into the next one."""
    _fields.set({})
