"""Celery entry points of messaging. They only carry wake-ups: the work and its state are
in the database (see messaging/queue/dispatch.py), so a lost or repeated task is harmless.
Importing this module also registers each provider's tasks (``providers/registry.py``)."""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_module

from outreach.wakeups import publish, wake_later

from .providers.registry import PROVIDERS
from .queue import dispatch as dispatcher
from .queue import foreground
from .queue.order import is_interactive
from .queue.wake import DISPATCH, DISPATCH_INTERACTIVE
from .services import rollups
from .services.expiry import expire_due

logger = logging.getLogger(__name__)

for _entry in PROVIDERS.values():
    if _entry.tasks:
        import_module(_entry.tasks)


@shared_task(name=DISPATCH, ignore_result=True)
def dispatch() -> int:
    """Claim, send and record one chunk of due messages; -> how many were claimed."""
    chunk = dispatcher.run_chunk(
        foreground.bulk_batch_size(), on_full=lambda: publish(DISPATCH), pause=foreground.HoldBack()
    )
    if any(is_interactive(m.priority) for m in chunk.claimed):  # it did the lane's work (or there is no lane)
        foreground.lower_flag_if_idle()
    if chunk.wake_at is not None:
        wake_later(DISPATCH, chunk.wake_at)
    return len(chunk.claimed)


@shared_task(name=DISPATCH_INTERACTIVE, ignore_result=True)
def dispatch_interactive() -> int:
    """The interactive lane (routed to ``CELERY_INTERACTIVE_QUEUE``): small chunks of single
    sends only, so they never wait behind a campaign chunk; -> how many were claimed."""
    chunk = dispatcher.run_chunk(
        settings.DISPATCH_INTERACTIVE_BATCH_SIZE, interactive=True, on_full=lambda: publish(DISPATCH_INTERACTIVE)
    )
    if not chunk.full:
        foreground.lower_flag_if_idle()
    if chunk.wake_at is not None:
        wake_later(DISPATCH_INTERACTIVE, chunk.wake_at)
    return len(chunk.claimed)


@shared_task(name="messaging.tasks.reconcile", ignore_result=True)
def reconcile() -> dict:
    """Beat: return stale claims to the queue, withdraw queued messages past their
    ``expires_at``, and wake the dispatcher when work is due."""
    result = dispatcher.reconcile()
    expired = expire_due()
    if result.due or result.requeued:
        dispatch.delay()
    return {"requeued": result.requeued, "dead": result.dead, "due": result.due, "expired": expired}


#: Batches of ``rollups.BATCH`` events one run reads at most (a backlog drains over runs).
ROLL_UP_BATCHES = 10


@shared_task(name="messaging.tasks.roll_up", ignore_result=True)
def roll_up() -> int:
    """Beat: recount the dashboard's rollups the events since the last run touched;
    -> how many events were read."""
    total = 0
    for _ in range(ROLL_UP_BATCHES):
        read = rollups.refresh()
        total += read
        if read < rollups.BATCH:
            break
    return total
