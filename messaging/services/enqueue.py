"""Queue many messages at once: the fan-out of campaigns and bulk jobs (owned by campaigns).

``send()`` costs a handful of queries per message; a 100,000-recipient campaign cannot
afford that. ``enqueue_many`` materialises a chunk of QUEUED messages and their QUEUED
events in a few statements: on PostgreSQL with ``COPY`` (psycopg 3 ``cursor.copy``),
elsewhere (embedded SQLite) with ``bulk_create``. A message to an address that already
has a direct conversation joins it (and its sticky line); the others get the least-loaded
line of the pool and no conversation yet: ``attach_conversations`` finds or creates it
when the dispatcher claims the message, so a campaign writes one row per contact fewer,
and its contacts' threads appear in the inbox as their messages go out.

Unlike ``send()``, it emits no ``message.status_updated`` webhook for QUEUED (that would
be an outbox row per recipient at campaign start); every later transition is emitted as
usual by the code that makes it. Callers validate and scope everything they pass in.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from contacts.models import Contact
from outreach.db import any_of, copy_rows, insert_columns, update_columns
from outreach.models import Account

from ..choices import EventSource, MessageType, Status
from ..lines import LinePicker, direct_conversations
from ..models import Conversation, Line, Message, MessageEvent
from ..queue.order import bulk_priority
from ..queue.wake import wake_dispatcher

#: The columns ``enqueue_many`` writes, in the order of its rows (the others get defaults).
MESSAGE_COLUMNS = (
    "account_id", "handle", "line_id", "conversation_id", "is_outbound", "number", "from_number", "to_number",
    "content", "media_url", "send_style", "message_type", "status", "priority", "next_attempt_at",
    "created_at", "updated_at", "queued_at", "expires_at",
)


@dataclass(slots=True)
class Outgoing:
    """One message to queue: a normalised address, its text, and when it may leave."""

    address: str
    content: str
    next_attempt_at: datetime
    contact_id: uuid.UUID | None = None


def enqueue_many(
    account: Account,
    items: Sequence[Outgoing],
    picker: LinePicker,
    *,
    priority: int = 0,
    media_url: str = "",
    send_style: str = "",
    source: str = EventSource.CAMPAIGN,
    expires_at: datetime | None = None,
) -> list[int]:
    """Queue ``items`` (one chunk, in the caller's transaction) at ``bulk_priority(priority)``,
    withdrawn if not sent by ``expires_at``; returns the message ids in the same order."""
    if not items:
        return []
    now = timezone.now()
    routes = _routes(account, items, picker)
    numbers = dict(Line.objects.filter(pk__in={line_id for _, line_id in routes.values()}).values_list("pk", "number"))
    account_id, kind, queued, rank = account.pk, MessageType.MESSAGE.value, Status.QUEUED.value, bulk_priority(priority)
    rows = []
    for item in items:
        conversation_id, line_id = routes[item.address]
        rows.append((
            account_id, uuid.uuid4(), line_id, conversation_id, True, item.address, numbers[line_id], item.address,
            item.content, media_url, send_style, kind, queued, rank, item.next_attempt_at, now, now, now, expires_at,
        ))
    ids = copy_rows(Message, MESSAGE_COLUMNS, rows, returning=True)
    insert_columns(MessageEvent, {"message_id": ids},
                   {"status": Status.QUEUED.value, "source": str(source), "created_at": now})
    wake_dispatcher()
    return ids


def _routes(account: Account, items: Sequence[Outgoing], picker: LinePicker) -> dict[str, tuple[int | None, int]]:
    """address -> (conversation id or None, line id): an existing direct conversation and
    its line when that is active (else the least-loaded line of the pool); for an address
    with none, no conversation and the least-loaded line (an address twice: the same one)."""
    found = direct_conversations(account.pk, [item.address for item in items])
    routes: dict[str, tuple[int | None, int]] = {}
    for item in items:
        if item.address in routes:
            continue
        hit = found.get(item.address)
        if hit is None:
            routes[item.address] = (None, picker.pick().pk)
        else:
            pk, line_id, active = hit
            routes[item.address] = (pk, line_id if active else picker.pick().pk)
    return routes


def attach_conversations(messages: Sequence[Message], now: datetime) -> None:
    """Give the claimed direct messages that have none their conversation (the
    dispatcher's claim, which holds their rows): the address's conversation if one exists
    now (a reply or a single send may have opened it since the fan-out; its sticky line,
    when active, then carries the message), else a new one on the message's line. Every
    conversation touched moves to the top of the inbox. A few statements per chunk."""
    lazy = [m for m in messages if m.conversation_id is None and m.message_type == MessageType.MESSAGE]
    if not lazy:
        return
    by_account: dict = {}
    for message in lazy:
        by_account.setdefault(message.account_id, []).append(message)
    touched: set[int] = set()
    for account_id, group in by_account.items():
        first = {}
        for message in group:
            first.setdefault(message.number, message)
        addresses = sorted(first)  # one order for every claim: concurrent inserts never deadlock
        found = direct_conversations(account_id, addresses)
        missing = [a for a in addresses if a not in found]
        if missing:
            found.update(_create_conversations(account_id, missing, first, now))
        for message in group:
            pk, line_id, active = found[message.number]
            message.conversation_id = pk
            if active and line_id != message.line_id:
                message.line_id = line_id  # the sticky line
            touched.add(pk)
    lines = dict(Line.objects.filter(pk__in={m.line_id for m in lazy}).values_list("pk", "number"))
    for message in lazy:
        message.from_number = lines[message.line_id]
        message._state.fields_cache.pop("line", None)
    conversations = Conversation.objects.in_bulk(touched)
    for message in lazy:
        message._state.fields_cache["conversation"] = conversations[message.conversation_id]
    update_columns(Message, [m.pk for m in lazy], {
        "conversation_id": [m.conversation_id for m in lazy], "line_id": [m.line_id for m in lazy],
        "from_number": [m.from_number for m in lazy],
    })
    Conversation.objects.filter(pk__in=touched, last_message_at__lt=now).update(last_message_at=now)


def _create_conversations(account_id, missing: list[str], first: dict[str, Message], now: datetime) -> dict:
    """Direct conversations for ``missing`` addresses (each on its first message's line,
    with its contact when one exists): address -> (id, line id, line active). An address
    a concurrent claim or send created first gets theirs."""
    contacts: dict[str, object] = {}
    for number, pk in Contact.objects.filter(account_id=account_id).filter(
        any_of("e164_number", missing)
    ).order_by("created_at").values_list("e164_number", "pk"):
        contacts.setdefault(number, pk)
    made = dict(insert_columns(
        Conversation,
        {"line_id": [first[a].line_id for a in missing], "address": missing,
         "contact_id": [contacts.get(a) for a in missing]},
        {"account_id": account_id, "message_type": MessageType.MESSAGE.value, "created_at": now,
         "last_message_at": now},
        ignore_conflicts=True, returning=("address", "id"),
    ))
    found = {a: (made[a], first[a].line_id, True) for a in missing if a in made}
    lost = [a for a in missing if a not in made]
    if lost:
        found.update(direct_conversations(account_id, lost))
    return found
