"""Leases on claims: a worker's hold on the messages it claimed (ACCEPTED).

A claim is stamped ``lease_until = claimed_at + DISPATCH_CLAIM_LEASE_SECONDS``. While its
worker is alive, a heartbeat thread pushes the lease on every third of its length, for the
whole send step (however long the provider takes over a chunk: a BlueBubbles chunk sends
one message at a time), and the worker renews it between steps too. So a lease runs out
only when its worker is gone (SIGKILL, OOM, a lost machine), and then within a few seconds:

- the limiter stops counting the claim as in flight (``limits.line_windows``), so the line
  is free again for its other messages and for single sends;
- the reconciler (every ``DISPATCH_RECONCILE_SECONDS``) returns it to QUEUED.

Nothing is sent twice: a renewal and a result only touch rows whose ``claimed_at`` is
still this claim's, and a message re-queued after all (a worker frozen longer than its
lease: a stopped VM, a database unreachable for the heartbeat) meets the provider's
idempotency by handle when it is sent again (the sandbox ledger; BlueBubbles' tempGuid), as
after a crash. The late worker's own result is then dropped (``dispatch.record``).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from ..choices import Status
from ..models import Message

logger = logging.getLogger(__name__)


def length() -> timedelta:
    return timedelta(seconds=settings.DISPATCH_CLAIM_LEASE_SECONDS)


def expires(now: datetime) -> datetime:
    """The lease of a claim made (or renewed) at ``now``."""
    return now + length()


def renew(pks: list[int], claimed_at: datetime, now: datetime) -> int:
    """Push the lease of those of ``pks`` still held by the claim of ``claimed_at``."""
    if not pks:
        return 0
    return Message.objects.filter(pk__in=pks, status=Status.ACCEPTED, claimed_at=claimed_at).update(
        lease_until=expires(now)
    )


class Heartbeat:
    """Renews a chunk's leases in the background while the worker works on it.

    ``with Heartbeat(messages):`` renews once on entry, then every third of the lease from
    a thread with its own database connection, until the block ends. Embedded mode
    (SQLite, one worker) renews between steps only: a second writer would lock the file.
    """

    def __init__(self, messages: list[Message]):
        self.pks = [m.pk for m in messages]
        self.claimed_at = messages[0].claimed_at if messages else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        renew(self.pks, self.claimed_at, timezone.now())

    def __enter__(self) -> Heartbeat:
        if not self.pks:
            return self
        self.beat()
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(target=self._run, name="claim-lease", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        interval = settings.DISPATCH_CLAIM_LEASE_SECONDS / 3
        try:
            while not self._stop.wait(interval):
                try:
                    self.beat()
                except DatabaseError:  # the next beat tries again; the lease has slack
                    logger.warning("could not renew a claim's lease", exc_info=True)
        finally:
            connection.close()  # this thread's own connection
