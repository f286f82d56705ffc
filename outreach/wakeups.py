"""Publishing Celery wake-ups by task name, from any layer, without importing the task.

The work a wake-up points at is always in the database: a wake-up only says "look now", so
one that cannot be published (the broker is down) is logged, never raised, and the
periodic sweeps find the work anyway.
"""
from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Longer waits are left to the periodic sweeps: Redis redelivers tasks that wait past
#: its visibility timeout.
MAX_COUNTDOWN_SECONDS = 60


def publish(name: str, **options) -> None:
    """Publish task ``name`` (routes apply); a failure is logged, not raised."""
    try:
        current_app.send_task(name, **options)
    except Exception:  # noqa: BLE001 - the database still has the work; a sweep wakes it
        logger.warning("could not publish %s; a periodic sweep will pick the work up", name, exc_info=True)


def wake_later(name: str, when: datetime) -> None:
    """Run task ``name`` at ``when``: one wake-up per task and quarter second when it is far
    enough ahead; a wake-up due (almost) now is always published, since the one that
    took its quarter second may already have run. Beyond ``MAX_COUNTDOWN_SECONDS``
    nothing is published: the periodic sweeps pick it up."""
    delay = max((when - timezone.now()).total_seconds(), 0.0)
    if delay > MAX_COUNTDOWN_SECONDS:
        return
    # A little late rather than early: a wake-up before ``when`` finds nothing due.
    countdown = delay + 0.05
    if delay < 0.3:
        publish(name, countdown=countdown)
        return
    key = f"wake:{name}:{int(when.timestamp() * 4)}"
    if cache.add(key, 1, timeout=int(delay) + 2):
        publish(name, countdown=countdown)
