"""Outages of the services Outreach stands on, told apart from bugs.

PostgreSQL or Redis (cache and broker) being unreachable is not the request's fault nor
a bug: the API answers 503 with ``Retry-After`` (``outreach.api.errors``), the console a
503 page (``outreach.error_views``), instead of a 500.
"""
from __future__ import annotations

from django.conf import settings
from django.db import InterfaceError as DbInterfaceError
from django.db import OperationalError as DbOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Errors that mean "a backing service is down or unreachable", not "this request is bad".
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    DbOperationalError,
    DbInterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerOperationalError,
)

OUTAGE_MESSAGE = "The service is temporarily unavailable; retry shortly."


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def retry_after() -> str:
    """Seconds a client should wait before retrying, for the ``Retry-After`` header."""
    return str(settings.FAULT_RETRY_AFTER_SECONDS)
