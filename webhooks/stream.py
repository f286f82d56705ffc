"""The account's events as Server-Sent Events (``GET /api/v2/events``), read from the
webhook outbox (``Event``: every event of the account is written there, delivered or not,
and kept for the account's event retention, never less than ``REPLAY_WINDOW``:
webhooks/retention.py).

Beyond Sendblue's stream, which "is intentionally not a durable replay log", a client
that reconnects with ``Last-Event-ID`` gets what it missed:

- Events go out in id order. An id can become visible after a higher one (its transaction
  committed later), so the stream's cursor stops at the first missing id and waits for it
  up to ``STREAM_GAP_WAIT_SECONDS`` (a rolled-back transaction leaves a hole for good)
  while the events above it still go out. The SSE ``id:`` of each event is that cursor
  (every event up to it was sent), so a reconnect may repeat an event, never skip one;
  each event carries its own ``id`` to deduplicate by, as Sendblue asks consumers to.
- Each poll is one indexed query and then the database connection is closed, so an idle
  stream holds a thread but no connection; ``STREAM_MAX_PER_PROCESS`` bounds the threads a
  process gives to streams (503 with Retry-After beyond it). docs/operations.md says how to
  serve many streams.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from .choices import EventType
from .models import Event

#: Our event types under the names of the SDK's ``AccountEvent.type`` where one means the
#: same; the others keep their own names.
#: How far back a reconnecting client can always resume: no retention setting purges less.
REPLAY_WINDOW = timedelta(hours=24)

SDK_TYPES = {
    EventType.MESSAGE_RECEIVED: "message.received",
    EventType.MESSAGE_STATUS_UPDATED: "message.updated",
    EventType.CONTACT_CREATED: "contact.created",
    EventType.LINE_ASSIGNED: "line.assigned",
}
#: Which scope family an event belongs to: a key sees the events of the families it reads.
FAMILIES = {
    EventType.MESSAGE_RECEIVED: "messages",
    EventType.MESSAGE_STATUS_UPDATED: "messages",
    EventType.MESSAGE_REACTION: "messages",
    EventType.LINE_ASSIGNED: "messages",
    EventType.LINE_UNHEALTHY: "messages",
    EventType.LINE_HEALTHY: "messages",
    EventType.CONTACT_CREATED: "contacts",
    EventType.CONTACT_OPTED_OUT: "contacts",
    EventType.CAMPAIGN_ENGAGEMENT_COMPLETED: "campaigns",
    EventType.APPOINTMENT_SCHEDULED: "campaigns",
    EventType.CALL_COMPLETED: "campaigns",
    EventType.LINK_CLICKED: "campaigns",
    EventType.WEBHOOK_TEST: "webhooks",
    EventType.CONVERSATION_ASSIGNED: "messages",
    EventType.CONVERSATION_CLOSED: "messages",
    EventType.CONVERSATION_REOPENED: "messages",
}
PAGE = 200


def wire_type(event_type: str) -> str:
    return SDK_TYPES.get(event_type, event_type)


def types_for(readable: Callable[[str], bool], wanted: set[str] | None) -> list[str]:
    """Our event types this key may see (``readable(family)``), within the client's
    allowlist of wire names (``types=``), if any."""
    return [
        t for t in EventType.values
        if readable(FAMILIES.get(t, "account")) and (wanted is None or wire_type(t) in wanted)
    ]


@dataclass
class Cursor:
    """Every event up to ``at`` was sent; ``sent`` are those above it already sent, and
    ``waiting`` the missing ids below the highest sent one, with when they were noticed."""

    at: int
    sent: set[int] = field(default_factory=set)
    waiting: dict[int, float] = field(default_factory=dict)

    def take(self, ids: list[int], now: float, gap_wait: float) -> None:
        """Record the ids just sent and move ``at`` over every id sent or given up on."""
        self.sent.update(ids)
        top = max(self.sent, default=self.at)
        for missing in range(self.at + 1, top):
            if missing not in self.sent:
                self.waiting.setdefault(missing, now)
        while True:
            nxt = self.at + 1
            if nxt in self.sent:
                self.sent.discard(nxt)
            elif nxt in self.waiting and now - self.waiting[nxt] >= gap_wait:
                pass  # a hole for good (a rolled-back transaction), or a very late commit
            else:
                break
            self.waiting.pop(nxt, None)
            self.at = nxt


def frame(event: Event, cursor: int) -> str:
    body = {
        "id": str(event.pk), "type": wire_type(event.type), "version": 1,
        "occurred_at": event.created_at.isoformat().replace("+00:00", "Z"), "data": event.payload,
    }
    return f"id: {cursor}\nevent: {body['type']}\ndata: {json.dumps(body, cls=DjangoJSONEncoder)}\n\n"


def events(account_id, types: list[str], last_id: int | None, *, clock=time.monotonic,
           sleep=time.sleep) -> Iterator[str]:
    """The stream's text: events and heartbeats until it rotates."""
    poll, heartbeat = settings.STREAM_POLL_SECONDS, settings.STREAM_HEARTBEAT_SECONDS
    started = last_beat = clock()
    if last_id is None:  # a new client starts from now
        last_id = newest_id()
        connection.close()
    cursor = Cursor(last_id)
    # Comments (heartbeats too) are single lines with no blank line after them: a blank line
    # ends an event, and the SDK's decoder turns an empty one into a JSON error.
    yield ": connected\n"
    while clock() - started < settings.STREAM_MAX_SECONDS:
        floor = cursor.at
        rows = list(
            Event.objects.filter(account_id=account_id, pk__gt=floor, type__in=types)
            .exclude(pk__in=cursor.sent).order_by("pk")[:PAGE]
        ) if types else []
        # Ids of other accounts or types are no gaps to wait for: the cursor steps over them.
        others = _not_ours(floor, rows, account_id, types) if rows else []
        connection.close()  # idle streams hold no connection
        now = clock()
        cursor.take([e.pk for e in rows] + others, now, settings.STREAM_GAP_WAIT_SECONDS)
        for event in rows:
            # Its SSE id: what a client holding this event (and those before it) has whole.
            yield frame(event, min(cursor.at, event.pk))
            last_beat = now
        if clock() - last_beat >= heartbeat:
            yield ": heartbeat\n"
            last_beat = clock()
        if len(rows) < PAGE:
            sleep(poll)


def newest_id() -> int:
    """The last event id handed out, committed or not (PostgreSQL: the sequence), so a new
    stream does not wait on holes left below it (deleted or rolled-back events)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = "
                "split_part(pg_get_serial_sequence(%s, 'id'), '.', 2)",
                [Event._meta.db_table],
            )
            row = cursor.fetchone()
            return (row[0] or 0) if row else 0
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _not_ours(floor: int, rows: list[Event], account_id, types: list[str]) -> list[int]:
    """Ids between ``floor`` and the highest row that exist but are not this stream's
    (another account's event, a type the key may not see): never gaps to wait for."""
    top = rows[-1].pk
    mine = {e.pk for e in rows}
    return list(
        Event.objects.filter(pk__gt=floor, pk__lt=top).exclude(pk__in=mine)
        .exclude(account_id=account_id, type__in=types).values_list("pk", flat=True)
    )


class Slots:
    """At most ``STREAM_MAX_PER_PROCESS`` streams at once in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open = 0

    def take(self) -> bool:
        with self._lock:
            if self.open >= settings.STREAM_MAX_PER_PROCESS:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


slots = Slots()
