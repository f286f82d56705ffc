"""Data retention: each account says how long its data is kept; each app purges its own rows.

An account's settings (``Account``): ``message_retention_days`` (None: messages are kept)
and ``message_retention_mode`` (``redact``: body and media are blanked, the message and its
status stay; ``delete``: the message goes), ``event_retention_days`` and
``webhook_delivery_retention_days`` (None: the deployment's ``WEBHOOKS_RETENTION_DAYS``).
``Policy.of(account, now)`` turns them into cut-off times.

The registry works like ``outreach.panels``: outreach imports no app, so the app that owns
the rows registers a *purger* in its ``AppConfig.ready``::

    retention.register("messaging.messages", "messaging.retention.purge_messages")

A purger is a dotted path of a function ``(account, policy, limit) -> int``. Its contract:

- it handles at most ``limit`` rows of ``account`` that are past ``policy`` (a ``Policy``:
  the cut-offs, computed from the run's clock, so tests inject the time), each in one
  bounded statement (``WHERE id IN (… LIMIT limit)``), never one giant DELETE;
- it returns how many rows it handled; fewer than ``limit`` means nothing is left for now;
- a row it handled is no longer past the policy (a redacted message is marked redacted),
  so calling it again makes progress and a crash in between loses nothing;
- it writes only its own app's rows, through its app's services, and touches no other
  account's.

``run`` (the beat task ``outreach.tasks.apply_retention``) calls every purger for every
account, ``RETENTION_BATCH_SIZE`` rows at a time and at most ``RETENTION_MAX_BATCHES_PER_RUN``
batches per purger and account; when a purger still had full batches, the run reports
``more`` and the task queues itself again, so a backlog drains in steps between which other
work runs. A run also stops starting accounts after ``RUN_SECONDS`` and the next one goes on
after the last account it did.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Account

_PURGERS: dict[str, str] = {}


def register(name: str, purger: str) -> None:
    """Add a purger (dotted path of ``(account, policy, limit) -> int``) under ``name``;
    purgers run in the order they were registered."""
    _PURGERS[name] = purger


def registered() -> dict[str, str]:
    return dict(_PURGERS)


@dataclass(frozen=True)
class Policy:
    """What one account keeps, as cut-offs at the run's ``now``: rows created before a
    cut-off are past retention."""

    now: datetime
    #: None: messages are kept.
    messages_before: datetime | None
    #: ``RetentionMode``: ``redact`` or ``delete``.
    message_mode: str
    events_before: datetime
    deliveries_before: datetime

    @classmethod
    def of(cls, account: Account, now: datetime) -> Policy:
        default = settings.WEBHOOKS_RETENTION_DAYS
        message_days = account.message_retention_days
        messages_before = now - timedelta(days=message_days) if message_days else None
        # Events and delivery logs carry message content (a payload's text, a request body):
        # they are kept no longer than the messages' content is.
        def cut(days: int) -> datetime:
            own = now - timedelta(days=days)
            return max(own, messages_before) if messages_before else own

        return cls(
            now=now,
            messages_before=messages_before,
            message_mode=account.message_retention_mode,
            events_before=cut(account.event_retention_days or default),
            deliveries_before=cut(account.webhook_delivery_retention_days or default),
        )


@dataclass
class Result:
    #: Rows handled per purger name.
    handled: dict[str, int] = field(default_factory=dict)
    #: Some purger still had full batches when its share of the run was spent.
    more: bool = False
    #: The run's time was up after this account (the next run starts after it).
    stopped_after: object = None

    @property
    def total(self) -> int:
        return sum(self.handled.values())


def purge_account(account: Account, now: datetime, result: Result) -> None:
    """Every purger for one account, in bounded batches."""
    policy = Policy.of(account, now)
    limit = max(1, settings.RETENTION_BATCH_SIZE)
    for name, path in _PURGERS.items():
        purger = import_string(path)
        for _ in range(max(1, settings.RETENTION_MAX_BATCHES_PER_RUN)):
            handled = purger(account, policy, limit)
            result.handled[name] = result.handled.get(name, 0) + handled
            if handled < limit:
                break
        else:
            result.more = True


#: A run starts no new account after this long, well inside the task's time limit.
RUN_SECONDS = 120


def run(now: datetime | None = None, after=None) -> Result:
    """One retention run over every account, or those after the account id ``after``
    (``now``: the clock, injected by tests)."""
    now = now or timezone.now()
    started = time.monotonic()
    result = Result()
    accounts = Account.objects.order_by("pk")
    if after is not None:
        accounts = accounts.filter(pk__gt=after)
    for account in accounts.iterator(chunk_size=500):
        purge_account(account, now, result)
        if time.monotonic() - started > RUN_SECONDS:
            result.stopped_after = account.pk
            break
    return result
