"""What the queue's claim takes, in what order: due messages, highest priority first.

A message's ``priority`` column orders the claim (highest
first); single sends (API, console, group, dead-letter retry) keep their nominal priority
(0..100), while fan-out traffic (campaigns and bulk jobs) is stored
``BULK_PRIORITY_OFFSET`` below it (-101..-1): any single send is claimed before the
campaigns it overtakes, their relative order kept, and the interactive lane claims
``priority >= INTERACTIVE_MIN`` only.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from ..choices import Status

BULK_PRIORITY_OFFSET = 101
#: The lowest stored priority of a single send: the interactive lane's floor.
INTERACTIVE_MIN = 0


def bulk_priority(priority: int) -> int:
    """The stored priority of a fan-out message of nominal ``priority``."""
    return priority - BULK_PRIORITY_OFFSET


def is_interactive(stored_priority: int) -> bool:
    """Whether a message of this stored priority is a single send (not fan-out traffic)."""
    return stored_priority >= INTERACTIVE_MIN


def due_filter(now: datetime) -> Q:
    """QUEUED messages whose time has come."""
    return Q(status=Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
