"""Celery entry points; thin, they call ``delivery``."""
from __future__ import annotations

from celery import shared_task

from . import drains


@shared_task(ignore_result=True, acks_late=True)
def drain(target: str) -> int:
    """Deliver what is due for one endpoint or one-off URL (idempotent: claims by row)."""
    return drains.drain(target)


@shared_task(ignore_result=True)
def sweep() -> int:
    """Periodic: wake targets whose retries came due or whose wake-up got lost."""
    return drains.sweep()
