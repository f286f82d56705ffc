"""Celery entry points of the BlueBubbles provider: the periodic poll.

BlueBubbles posts each webhook once and never retries, so a poll of ``/api/v1/message/query``
after the last seen time recovers what a missed webhook lost. Thin: it calls the services.
"""
from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from ...models import Line
from ...services.failover import move_stuck_contacts
from .services import bluebubbles_lines, poll_line

logger = logging.getLogger(__name__)

#: Seconds between polls of each BlueBubbles line (its registry entry schedules the poll).
POLL_EVERY = 60.0


@shared_task(name="messaging.providers.bluebubbles_tasks.poll_bluebubbles", ignore_result=True)
def poll_bluebubbles() -> int:
    """Poll every active BlueBubbles line; returns the events applied."""
    return sum(poll_bluebubbles_line(pk) for pk in bluebubbles_lines().values_list("pk", flat=True))


@shared_task(name="messaging.providers.bluebubbles_tasks.poll_bluebubbles_line", ignore_result=True)
def poll_bluebubbles_line(line_id: int) -> int:
    # A slow Mac must not have two polls of one line overlapping (beat keeps ticking).
    lock = f"bluebubbles-poll-{line_id}"
    if not cache.add(lock, 1, timeout=int(POLL_EVERY * 5)):
        return 0
    try:
        line = Line.objects.select_related("account").filter(pk=line_id, provider="bluebubbles").first()
        if line is None:
            return 0
        applied = poll_line(line)
        move_stuck_contacts(line)  # after the account's delay, its waiting contacts change line
        return applied
    finally:
        cache.delete(lock)
