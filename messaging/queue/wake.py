"""Wake-ups of the dispatcher, published by task name after the caller commits.

Services publish here and never import the tasks (the tasks import them): the database
holds the work, a wake-up only says "look now", so a lost one costs time, never a message
(the reconciler's beat re-wakes anything due).
"""
from __future__ import annotations

from django.db import transaction

from outreach.wakeups import publish, wake_later

from . import foreground

DISPATCH = "messaging.tasks.dispatch"
DISPATCH_INTERACTIVE = "messaging.tasks.dispatch_interactive"


def wake_dispatcher(*, interactive: bool = False) -> None:
    """Ask a worker to drain the queue, once the caller's transaction has committed.

    ``interactive`` (single sends) also raises the foreground flag and wakes the
    interactive lane, whose worker is never busy with campaign chunks; the general wake-up
    still goes out, so a deployment without a lane worker sends all the same.
    """
    if interactive:
        transaction.on_commit(foreground.raise_flag)  # renewed: the lane lowers it once it has sent
    transaction.on_commit(lambda: publish(DISPATCH))
    if interactive:
        transaction.on_commit(lambda: publish(DISPATCH_INTERACTIVE))


def wake_dispatcher_at(when) -> None:
    """Ask a worker to drain the queue at ``when`` (a scheduled send), after the caller
    commits; a time beyond the wake-up horizon is left to the reconciler's beat."""
    transaction.on_commit(lambda: wake_later(DISPATCH, when))
