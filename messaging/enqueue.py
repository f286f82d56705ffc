"""Queue many messages at once: the fan-out of campaigns and bulk jobs (owned by campaigns).

``send()`` costs a handful of queries per message; a 100,000-recipient campaign cannot
afford that. ``enqueue_many`` materialises a chunk of QUEUED messages, the direct
conversations they need (sticky lines honoured, new ones spread over the pool by load)
and their QUEUED events in a few statements: on PostgreSQL with ``COPY`` (psycopg 3
``cursor.copy``), elsewhere (embedded SQLite) with ``bulk_create``.

Unlike ``send()``, it emits no ``message.status_updated`` webhook for QUEUED (that would
be an outbox row per recipient at campaign start); every later transition is emitted as
usual by the code that makes it. Callers validate and scope everything they pass in.
"""
from __future__ import annotations

import heapq
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models
from django.db.models import Count
from django.utils import timezone

from outreach.models import Account

from .choices import EventSource, MessageType, Status
from .models import Conversation, Line, Message, MessageEvent
from .services import wake_dispatcher

#: Fan-out traffic is queued this far below its nominal priority, so any single send
#: (priority 0-100) is claimed before the campaigns and bulk jobs (-101..-1) it overtakes,
#: while their relative order is kept: a 100,000-message campaign never delays a send.
BULK_PRIORITY_OFFSET = 101


def bulk_priority(priority: int) -> int:
    return priority - BULK_PRIORITY_OFFSET


@dataclass(slots=True)
class Outgoing:
    """One message to queue: a normalised address, its text, and when it may leave."""

    address: str
    content: str
    next_attempt_at: datetime
    contact_id: uuid.UUID | None = None


def pool_lines(account: Account, line_ids: Sequence[int] = ()) -> list[Line]:
    """The active lines to spread new conversations over (all active lines if none named)."""
    qs = Line.objects.filter(account=account, active=True)
    if line_ids:
        qs = qs.filter(pk__in=line_ids)
    return list(qs.order_by("number"))


class LinePicker:
    """Least-loaded line of the pool for each new conversation (load = conversations)."""

    def __init__(self, lines: Sequence[Line]):
        loads = dict(
            Conversation.objects.filter(line__in=lines).values_list("line").annotate(n=Count("id"))
        )
        self.lines = {line.pk: line for line in lines}
        self.heap = [(loads.get(line.pk, 0), line.number, line.pk) for line in lines]
        heapq.heapify(self.heap)

    def pick(self) -> Line:
        load, number, pk = heapq.heappop(self.heap)
        heapq.heappush(self.heap, (load + 1, number, pk))
        return self.lines[pk]


def enqueue_many(
    account: Account,
    items: Sequence[Outgoing],
    picker: LinePicker,
    *,
    priority: int = 0,
    media_url: str = "",
    send_style: str = "",
    source: str = EventSource.CAMPAIGN,
) -> list[int]:
    """Queue ``items`` (one chunk, in the caller's transaction) at ``bulk_priority(priority)``;
    returns the message ids in
    the same order. An address may appear twice: both messages share its conversation."""
    if not items:
        return []
    now = timezone.now()
    conversations = _conversations(account, items, picker, now)
    lines = {line.pk: line for line in Line.objects.filter(pk__in={c[1] for c in conversations.values()})}
    rows = []
    for item in items:
        conversation_id, line_id = conversations[item.address]
        rows.append({
            "account_id": account.pk, "handle": uuid.uuid4(), "line_id": line_id,
            "conversation_id": conversation_id, "is_outbound": True, "number": item.address,
            "from_number": lines[line_id].number, "to_number": item.address,
            "content": item.content, "media_url": media_url, "send_style": send_style,
            "message_type": MessageType.MESSAGE.value, "status": Status.QUEUED.value,
            "priority": bulk_priority(priority), "next_attempt_at": item.next_attempt_at,
            "created_at": now, "updated_at": now, "queued_at": now,
        })
    ids = insert_rows(Message, rows)
    insert_rows(
        MessageEvent,
        [{"message_id": pk, "status": Status.QUEUED.value, "source": source, "created_at": now} for pk in ids],
        returning=False,
    )
    Conversation.objects.filter(pk__in={c[0] for c in conversations.values()}).update(last_message_at=now)
    wake_dispatcher()
    return ids


def _conversations(
    account: Account, items: Sequence[Outgoing], picker: LinePicker, now: datetime
) -> dict[str, tuple[int, int]]:
    """address -> (conversation id, line id): the sticky line when the conversation's line
    is active, else the least-loaded line of the pool; missing conversations created."""
    addresses = [item.address for item in items]
    found = {
        address: (pk, line_id, active)
        for address, pk, line_id, active in Conversation.objects.filter(
            account=account, message_type=MessageType.MESSAGE, address__in=addresses
        ).values_list("address", "pk", "line_id", "line__active")
    }
    result: dict[str, tuple[int, int]] = {}
    missing = []
    for item in items:
        hit = found.get(item.address)
        if hit is None:
            missing.append(item)
        else:
            pk, line_id, active = hit
            result[item.address] = (pk, line_id if active else picker.pick().pk)
    if missing:
        rows = [
            {"account_id": account.pk, "line_id": picker.pick().pk, "message_type": MessageType.MESSAGE.value,
             "address": item.address, "contact_id": item.contact_id, "created_at": now}
            for item in missing
        ]
        insert_rows(Conversation, rows, returning=False, ignore_conflicts=True)
        # Read back rather than trust our rows: a concurrent send() may have won the race.
        result.update({
            address: (pk, line_id)
            for address, pk, line_id in Conversation.objects.filter(
                account=account, message_type=MessageType.MESSAGE,
                address__in=[item.address for item in missing],
            ).values_list("address", "pk", "line_id")
        })
    return result


# --- inserting rows fast ----------------------------------------------------------------------

def _defaults(model: type[models.Model], given: set[str]) -> dict[str, object]:
    """Database values for the columns the caller does not set (fields other engineers may
    add later included), computed once per chunk rather than per row."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[field.attname] = timezone.now()
            continue
        out[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    return out


def insert_rows(
    model: type[models.Model], rows: list[dict], *, returning: bool = True, ignore_conflicts: bool = False
) -> list[int]:
    """Insert ``rows`` (dicts of attname -> value, all with the same keys); returns the new
    primary keys in order when ``returning``. COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, rows, returning=returning, ignore_conflicts=ignore_conflicts)
    objs = model.objects.bulk_create(
        [model(**row) for row in rows], batch_size=500, ignore_conflicts=ignore_conflicts
    )
    return [obj.pk for obj in objs] if returning else []


def _copy(model: type[models.Model], rows: list[dict], *, returning: bool, ignore_conflicts: bool) -> list[int]:
    """COPY the rows in. Ids are drawn from the table's sequence first so the caller gets
    them in order; with ``ignore_conflicts`` the rows go through a temporary table and an
    ``INSERT ... ON CONFLICT DO NOTHING``, since COPY itself cannot skip duplicates."""
    meta = model._meta
    table, qn = meta.db_table, connection.ops.quote_name
    given = list(rows[0])
    defaults = _defaults(model, set(given))
    columns = given + list(defaults)
    constant = tuple(defaults.values())
    pk_column = meta.pk.column
    with connection.cursor() as cursor:
        ids: list[int] = []
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns = [pk_column, *columns]
        target = table
        column_sql = ", ".join(qn(meta.get_field(c).column) if c != pk_column else qn(c) for c in columns)
        if ignore_conflicts:
            target = f"tmp_enqueue_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {qn(target)}")
            cursor.execute(
                f"CREATE TEMP TABLE {qn(target)} ON COMMIT DROP AS SELECT {column_sql} FROM {qn(table)} WITH NO DATA"
            )
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {qn(target)} ({column_sql}) FROM STDIN") as copy:
            if returning:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row.values(), *constant))
            else:
                for row in rows:
                    copy.write_row((*row.values(), *constant))
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {qn(table)} ({column_sql}) SELECT {column_sql} FROM {qn(target)} ON CONFLICT DO NOTHING"
            )
    return ids
