"""Periodic work of the core. Thin: each task calls a service."""
from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from . import idempotency, retention

#: Held while a retention run works, so beat and a re-queued run never overlap.
RETENTION_LOCK = "outreach:retention:running"


@shared_task
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired()


@shared_task(ignore_result=True)
def apply_retention(after: str | None = None) -> int:
    """Periodic: every account's data retention (outreach/retention.py). Queues itself again
    while a purger has more past retention than one run's bounded share."""
    if not cache.add(RETENTION_LOCK, 1, timeout=retention.RUN_SECONDS * 3):
        return 0
    try:
        result = retention.run(after=after)
    finally:
        cache.delete(RETENTION_LOCK)
    if result.stopped_after is not None:
        apply_retention.apply_async((str(result.stopped_after),), countdown=1)
    elif result.more:
        apply_retention.apply_async(countdown=1)
    return result.total
