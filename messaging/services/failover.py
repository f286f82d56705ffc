"""Failover between lines: the direct conversations waiting on an unhealthy line move to a
healthy line of the account once the account's ``failover_after_minutes`` have passed.

Until then (or when the account sets no delay) a contact stuck to an unhealthy line waits for
it: the claim holds its messages. A move changes the conversation's line (so the contact
sticks to the new one), gives its queued messages the new line and ``from_number``, makes
them due at once, and records a ``MessageEvent`` on each saying from where to where and why.
Groups do not move: a group lives on its line's Apple ID.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..choices import EventSource, MessageType, Status
from ..lines import LinePicker, forget_lines
from ..models import Conversation, Line, Message, MessageEvent
from ..queue.wake import wake_dispatcher


def move_stuck_contacts(line: Line, *, now: datetime | None = None) -> int:
    """Move ``line``'s waiting direct conversations if its account's delay has passed;
    returns how many moved."""
    now = now or timezone.now()
    line = Line.objects.select_related("account").get(pk=line.pk)
    delay = line.account.failover_after_minutes
    if line.healthy or delay is None or line.unhealthy_since is None:
        return 0
    if line.unhealthy_since > now - timedelta(minutes=delay):
        return 0
    targets = list(
        Line.objects.filter(account=line.account, active=True, healthy=True).exclude(pk=line.pk).order_by("number")
    )
    if not targets:
        return 0
    waiting = set(
        Message.objects.filter(
            line=line, is_outbound=True, status=Status.QUEUED, conversation__message_type=MessageType.MESSAGE,
        ).values_list("conversation_id", flat=True)
    )
    if not waiting:
        return 0
    picker = LinePicker(targets)
    since = line.unhealthy_since.isoformat().replace("+00:00", "Z")
    moved = 0
    with transaction.atomic():
        for conversation in Conversation.objects.select_for_update().filter(pk__in=waiting, line=line).order_by("pk"):
            target = picker.pick()
            Conversation.objects.filter(pk=conversation.pk).update(line=target)
            queued = Message.objects.filter(conversation=conversation, is_outbound=True, status=Status.QUEUED)
            detail = (
                f"Moved from line {line.number} to {target.number}: {line.number} unhealthy since {since} "
                f"({line.health_error}), longer than the account's {delay} minutes."
            )
            MessageEvent.objects.bulk_create(
                MessageEvent(message_id=pk, status=Status.QUEUED, source=EventSource.SYSTEM, detail=detail)
                for pk in queued.values_list("pk", flat=True)
            )
            queued.update(line=target, from_number=target.number, next_attempt_at=timezone.now())
            moved += 1
        if moved:
            forget_lines(line.account_id)
            wake_dispatcher()
    return moved
