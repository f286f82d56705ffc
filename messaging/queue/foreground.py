"""Single sends first: bulk dispatch holds back while a single send waits for the lane.

The interactive lane gives single sends a queue and a worker of their own, but on a small
machine the campaign's drain still competes with it for the CPU, the disk and the lines'
row locks: a send that should take 70 ms took 300. So a single send raises a flag (in the
shared cache, for a second at most) once its request is authenticated, as ``send()``
starts and when its transaction commits; a bulk worker waits while the flag is up before
each step of its chunk (claim, send, record), for ``DISPATCH_BULK_YIELD_SECONDS`` per chunk
at most, so the drain slows but never stops, and takes smaller chunks while single sends
were seen lately (``bulk_batch_size``); the lane lowers the flag once no single send is
left waiting.

The flag is a hint, never a lock: lost (cache restarted, process-local cache in embedded
mode, a lane worker missing), it only costs the single send its head start.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..models import Message
from .order import INTERACTIVE_MIN, due_filter

FLAG = "dispatch:foreground"
#: Raised with the flag, lowered by time only: single sends were seen lately.
RECENT = "dispatch:foreground-recent"
POLL_SECONDS = 0.005


def flag_seconds() -> float:
    """How long the flag outlives a lost lowering (``DISPATCH_FOREGROUND_FLAG_SECONDS``)."""
    return getattr(settings, "DISPATCH_FOREGROUND_FLAG_SECONDS", 1)


def recent_seconds() -> float:
    """How long single sends count as "seen lately" (``DISPATCH_FOREGROUND_RECENT_SECONDS``)."""
    return getattr(settings, "DISPATCH_FOREGROUND_RECENT_SECONDS", 5)


def raise_flag() -> None:
    try:
        cache.set_many({FLAG: 1, RECENT: 1}, timeout=flag_seconds())
        cache.touch(RECENT, recent_seconds())
    except Exception:  # noqa: BLE001 - a hint: the send goes out all the same
        pass


def bulk_batch_size() -> int:
    """A bulk chunk's size: ``DISPATCH_BATCH_SIZE``, or ``DISPATCH_YIELDING_BATCH_SIZE``
    while single sends were seen in the last few seconds. The hold-back waits between a
    chunk's steps, never inside one: smaller steps then, so a single send arriving finds
    the bulk workers at most a short step from their next pause."""
    try:
        recent = bool(cache.get(RECENT))
    except Exception:  # noqa: BLE001
        recent = False
    if recent:
        return min(settings.DISPATCH_YIELDING_BATCH_SIZE, settings.DISPATCH_BATCH_SIZE)
    return settings.DISPATCH_BATCH_SIZE


def lower_flag_if_idle() -> None:
    """After a lane chunk: lower the flag unless another single send is already due."""
    if Message.objects.filter(due_filter(timezone.now()), priority__gte=INTERACTIVE_MIN).exists():
        return
    try:
        cache.delete(FLAG)
    except Exception:  # noqa: BLE001
        pass


class HoldBack:
    """A bulk chunk's pauses: called before each of its steps (claim, send, record: no
    transaction is open between them), it waits while the flag is up, for
    ``DISPATCH_BULK_YIELD_SECONDS`` in all per chunk. ``clock`` and ``sleep`` are the
    time it measures and waits with (tests pass a clock of their own)."""

    def __init__(self, budget: float | None = None, *, clock=time.monotonic, sleep=time.sleep):
        self.left = settings.DISPATCH_BULK_YIELD_SECONDS if budget is None else budget
        self.waited = 0.0
        self.clock, self.sleep = clock, sleep

    def __call__(self) -> None:
        if self.left <= 0:
            return
        start = self.clock()
        try:
            while cache.get(FLAG) and self.clock() - start < self.left:
                self.sleep(POLL_SECONDS)
        except Exception:  # noqa: BLE001 - no cache: no holding back
            pass
        spent = self.clock() - start
        self.left -= spent
        self.waited += spent
