"""Status changes: the one place a message's status is written after it was created.

``apply_steps`` moves many messages at once in a constant number of statements (the
dispatcher's hot path); ``record_transition`` is ``apply_steps`` of one message and one
step. Each message carries its own list of steps (e.g. SENT, DELIVERED, READ when the
network reports them at once); every step goes through the status machine and becomes a
MessageEvent, a webhook event and a ``statuses_changed`` signal, while the final row of
each message is written by one UPDATE per distinct set of values and the events by COPY.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

import webhooks
from outreach.db import copy_rows
from webhooks.choices import EventType

from .. import signals
from ..choices import Status
from ..models import Message, MessageEvent
from ..payloads import callback_body, message_body
from ..status import IllegalTransition, can_move

logger = logging.getLogger(__name__)

STATUS_TIMESTAMPS = {
    Status.QUEUED: "queued_at",
    Status.SENT: "sent_at",
    Status.DELIVERED: "delivered_at",
    Status.READ: "read_at",
}


@dataclass
class Step:
    """One status a message should move to, with the fields that go with it."""

    status: str
    fields: dict = field(default_factory=dict)
    detail: str = ""
    #: Who reported it, when not the caller of ``apply_steps`` (a provider's report).
    source: str = ""


def record_transition(message: Message, new_status: str, *, source: str, detail: str = "", **fields) -> bool:
    """Move ``message`` to ``new_status`` (setting ``fields``) if the status machine allows
    it: ``apply_steps`` of one step. False (nothing changed) for a stale or duplicate
    report; an illegal move raises IllegalTransition. Call inside the transaction that
    holds the message's row."""
    return bool(apply_steps([(message, [Step(new_status, fields, detail)])], source=source, strict=True))


def apply_steps(
    plans: Sequence[tuple[Message, Sequence[Step]]], *, source: str, strict: bool = False
) -> list[Message]:
    """Apply each message's steps in order; return the messages that changed.

    Call inside a transaction that holds the rows (claimed or locked): the in-memory status
    is the truth this function checks transitions against. Stale or duplicate steps are
    skipped; an illegal one is logged and skipped (``strict``: raised).
    """
    now = timezone.now()
    events: list[tuple] = []
    emits: list[tuple] = []
    groups: dict[tuple, list[int]] = defaultdict(list)
    changed: list[Message] = []
    changes: list[tuple[Message, str]] = []
    for message, steps in plans:
        touched: dict[str, object] = {}
        for step in steps:
            try:
                if not can_move(message.status, step.status):
                    continue
            except IllegalTransition as exc:
                if strict:
                    raise
                logger.warning("message %s: %s", message.handle, exc)
                continue
            previous = message.status
            _move(message, step, now, touched)
            events.append((message.pk, step.status, step.source or source, step.detail, now))
            emits.append(status_items(message, previous))
            changes.append((message, step.status))
        if touched:
            changed.append(message)
            groups[tuple(sorted(touched.items()))].append(message.pk)
    for values, ids in groups.items():
        Message.objects.filter(pk__in=ids).update(updated_at=now, **dict(values))
    copy_rows(MessageEvent, ("message_id", "status", "source", "detail", "created_at"), events)
    emit_items(emits)
    _signal(changes)
    return changed


def _signal(changes: list[tuple[Message, str]]) -> None:
    if not changes:
        return
    signals.statuses_changed.send(sender=Message, changes=changes)
    # Per-message listeners still hear every step (a query each: prefer statuses_changed).
    if signals.status_changed.has_listeners(Message):
        for message, status in changes:
            signals.status_changed.send(sender=Message, message=message, status=status)


def _move(message: Message, step: Step, now, touched: dict) -> None:
    message.status = step.status
    message.updated_at = now
    touched["status"] = step.status
    stamp = STATUS_TIMESTAMPS.get(step.status)
    if stamp and getattr(message, stamp) is None:
        setattr(message, stamp, now)
        touched[stamp] = now
    # A READ implies delivery; a network may skip the step.
    if step.status == Status.READ and message.delivered_at is None:
        message.delivered_at = touched["delivered_at"] = now
    for name, value in step.fields.items():
        setattr(message, name, value)
        touched[name] = value


def emit_status(message: Message, previous: str | None = None) -> None:
    """The webhook events of ``message``'s step from ``previous`` (None: just created)."""
    emit_items([status_items(message, previous)])


def status_items(message: Message, previous: str | None) -> tuple[tuple, tuple | None]:
    """The webhook events of ``message``'s step from ``previous`` (None: just created) to
    its status, as (account, type, payload, extra_urls): one for the account's endpoints
    (and the status_callback when it gets that very body), and one for the status_callback
    alone when its body differs (its dialect's words; ``payloads.callback_body``) or None.
    Built at the step: the bodies must show this step, not the message's last one."""
    event = EventType.MESSAGE_RECEIVED if message.status == Status.RECEIVED else EventType.MESSAGE_STATUS_UPDATED
    body = message_body(message)
    url = message.status_callback
    own = callback_body(message, previous, body) if url else None
    if own is body:
        return (message.account, event, body, [url]), None
    return (message.account, event, body, []), (None if own is None else (message.account, event, own, [url]))


def emit_items(items: Iterable[tuple[tuple, tuple | None]]) -> None:
    """Emit ``status_items``' events through the webhooks app's bulk entry point."""
    shared, own = [], []
    for common, callback in items:
        shared.append(common)
        if callback is not None:
            own.append(callback)
    if shared:
        webhooks.emit_many(shared, returning=False)
    if own:
        webhooks.emit_many(own, returning=False, to_endpoints=False)
