"""Celery entry points of messaging. They only carry wake-ups: the work and its state are
in the database (see messaging/dispatch.py), so a lost or repeated task is harmless."""
from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import dispatch as dispatcher
from . import foreground
from .providers import bluebubbles_tasks  # noqa: F401 - registers the BlueBubbles poll

logger = logging.getLogger(__name__)

#: Longer waits (limits counted in hours, long backoffs) are left to the reconciler's beat:
#: Redis redelivers tasks that wait past its visibility timeout.
MAX_COUNTDOWN_SECONDS = 60


@shared_task(ignore_result=True)
def dispatch() -> int:
    """Claim, send and record one chunk of due messages; -> how many were claimed."""
    chunk = dispatcher.run_chunk(
        foreground.bulk_batch_size(), on_full=lambda: _quietly(dispatch.delay), pause=foreground.HoldBack()
    )
    if any(m.priority >= 0 for m in chunk.claimed):  # it did the lane's work (or there is no lane)
        foreground.lower_flag_if_idle()
    if chunk.wake_at is not None:
        _quietly(wake_later, dispatch, chunk.wake_at)
    return len(chunk.claimed)


@shared_task(ignore_result=True)
def dispatch_interactive() -> int:
    """The interactive lane (routed to ``CELERY_INTERACTIVE_QUEUE``): small chunks of single
    sends only, so they never wait behind a campaign chunk; -> how many were claimed."""
    chunk = dispatcher.run_chunk(
        settings.DISPATCH_INTERACTIVE_BATCH_SIZE,
        min_priority=0,
        on_full=lambda: _quietly(dispatch_interactive.delay),
    )
    if not chunk.full:
        foreground.lower_flag_if_idle()
    if chunk.wake_at is not None:
        _quietly(wake_later, dispatch_interactive, chunk.wake_at)
    return len(chunk.claimed)


def _quietly(publish, *args) -> None:
    """A wake-up that cannot be published must not fail the chunk it follows (its claims
    would sit ACCEPTED until the claim timeout): the reconciler wakes what is due."""
    try:
        publish(*args)
    except Exception:  # noqa: BLE001 - the broker is down; the database still has the work
        logger.warning("could not publish a dispatch wake-up", exc_info=True)


@shared_task(ignore_result=True)
def reconcile() -> dict:
    """Beat: return stale claims to the queue, wake the dispatcher when work is due, and
    apply sandbox reports whose wake-up was lost."""
    from .providers.sandbox import next_report_due

    result = dispatcher.reconcile()
    if result.due or result.requeued:
        dispatch.delay()
    due = next_report_due()
    if due is not None and due <= timezone.now():
        sandbox_reports.delay()
    return {"requeued": result.requeued, "dead": result.dead, "due": result.due}


@shared_task(ignore_result=True)
def sandbox_reports() -> int:
    """Apply the sandbox network's due reports (delivered, read, replies)."""
    from .providers.sandbox import deliver_due_reports, next_report_due

    done = deliver_due_reports()
    following = next_report_due()
    if following is not None:
        wake_later(sandbox_reports, following)
    return done


def wake_later(task, when: datetime) -> None:
    """Run ``task`` at ``when``: one wake-up per task and quarter second when it is far
    enough ahead; a wake-up due (almost) now is always published, since the one that
    took its quarter second may already have run."""
    delay = max((when - timezone.now()).total_seconds(), 0.0)
    if delay > MAX_COUNTDOWN_SECONDS:
        return
    # A little late rather than early: a wake-up before ``when`` finds nothing due.
    countdown = delay + 0.05
    if delay < 0.3:
        task.apply_async(countdown=countdown)
        return
    key = f"messaging:wake:{task.name}:{int(when.timestamp() * 4)}"
    if cache.add(key, 1, timeout=int(delay) + 2):
        task.apply_async(countdown=countdown)
