"""The one status machine. Every status change goes through ``can_move``.

Forward progress is ranked: a late or duplicate provider report (DELIVERED after READ,
SENT twice) is ignored, never applied backwards. The only ways back are the retry paths:
ACCEPTED -> QUEUED (transient failure, retried) and ERROR -> QUEUED (dead letter retried).
"""
from __future__ import annotations

from django.utils import timezone

from .choices import Status

S = Status

TRANSITIONS: dict[str, set[str]] = {
    S.REGISTERED: {S.PENDING, S.QUEUED, S.DECLINED},
    S.PENDING: {S.QUEUED, S.DECLINED},
    S.QUEUED: {S.ACCEPTED, S.DECLINED, S.ERROR, S.EXPIRED},
    S.ACCEPTED: {S.SENT, S.DELIVERED, S.READ, S.QUEUED, S.ERROR, S.EXPIRED},
    S.SENT: {S.DELIVERED, S.READ, S.ERROR},
    S.DELIVERED: {S.READ},
    S.READ: set(),
    S.DECLINED: set(),
    S.ERROR: {S.QUEUED},
    S.RECEIVED: set(),
    S.EXPIRED: set(),
}

#: Forward order; a report that would lower the rank is stale.
RANK = {
    S.REGISTERED: 0, S.PENDING: 1, S.QUEUED: 2, S.ACCEPTED: 3, S.SENT: 4,
    S.DELIVERED: 5, S.READ: 6,
}

FINAL = {S.READ, S.DECLINED, S.ERROR, S.RECEIVED, S.EXPIRED}
#: Where a message may rest for good: final, or waiting only on the recipient.
SETTLED = FINAL | {S.SENT, S.DELIVERED}


class IllegalTransition(Exception):
    def __init__(self, current: str, new: str):
        super().__init__(f"A message cannot go from {current} to {new}.")
        self.current, self.new = current, new


def can_move(current: str, new: str) -> bool:
    """True if the move applies; False if it is a stale or duplicate report to ignore.

    Raises IllegalTransition for a move the machine forbids (a bug, not a late report).
    """
    if new == current:
        return False
    if new in TRANSITIONS.get(current, set()):
        return True
    if current in RANK and new in RANK and RANK[new] < RANK[current]:
        return False  # stale report, e.g. DELIVERED arriving after READ
    if current in (S.DECLINED, S.ERROR, S.READ, S.EXPIRED) and new in RANK:
        return False  # late report about a message already at rest
    raise IllegalTransition(current, new)


#: The wire's word for a message waiting for its own time (``send_at``): canonically it is
#: QUEUED with a later ``next_attempt_at``, as a held message is; the API says SCHEDULED
#: (v1: ``scheduled``) until that time comes, so a client can tell it is waiting on purpose.
SCHEDULED = "SCHEDULED"


def is_scheduled(message, now=None) -> bool:
    """Waiting for its own time (shown as SCHEDULED, cancellable)."""
    if message.status != S.QUEUED or message.scheduled_for is None:
        return False
    return message.scheduled_for > (now or timezone.now())


def wire_status(message, now=None) -> str:
    """The canonical status, or SCHEDULED while a scheduled send waits for its time."""
    return SCHEDULED if is_scheduled(message, now) else message.status
