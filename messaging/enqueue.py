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
from django.db.models import BooleanField, Count, F, Func, Q
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
    conversations, existing = _conversations(account, items, picker, now)
    lines = {line.pk: line for line in Line.objects.filter(pk__in={c[1] for c in conversations.values()})}
    rows = []
    account_id, kind, queued, rank = account.pk, MessageType.MESSAGE.value, Status.QUEUED.value, bulk_priority(priority)
    numbers = {pk: line.number for pk, line in lines.items()}
    for item in items:
        conversation_id, line_id = conversations[item.address]
        rows.append({
            "account_id": account_id, "handle": uuid.uuid4(), "line_id": line_id,
            "conversation_id": conversation_id, "is_outbound": True, "number": item.address,
            "from_number": numbers[line_id], "to_number": item.address,
            "content": item.content, "media_url": media_url, "send_style": send_style,
            "message_type": kind, "status": queued, "priority": rank, "next_attempt_at": item.next_attempt_at,
            "created_at": now, "updated_at": now, "queued_at": now,
        })
    ids = insert_rows(Message, rows)
    insert_columns(MessageEvent, {"message_id": ids},
                   {"status": Status.QUEUED.value, "source": str(source), "created_at": now})
    if existing:  # new conversations were written with it
        Conversation.objects.filter(pk__in=existing).update(last_message_at=now)
    wake_dispatcher()
    return ids


def _conversations(
    account: Account, items: Sequence[Outgoing], picker: LinePicker, now: datetime
) -> tuple[dict[str, tuple[int, int]], set[int]]:
    """address -> (conversation id, line id): the sticky line when the conversation's line
    is active, else the least-loaded line of the pool; missing conversations created.
    Also the ids of the conversations that already existed."""
    addresses = [item.address for item in items]
    found = {
        address: (pk, line_id, active)
        for address, pk, line_id, active in Conversation.objects.filter(
            account=account, message_type=MessageType.MESSAGE
        ).filter(any_of("address", addresses)).values_list("address", "pk", "line_id", "line__active")
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
    existing = {pk for pk, _, _ in found.values()}
    if missing:
        new = {item.address: item for item in missing}  # an address twice in a chunk: one conversation
        chosen = {address: picker.pick().pk for address in new}
        created = insert_columns(
            Conversation,
            {"line_id": list(chosen.values()), "address": list(chosen),
             "contact_id": [item.contact_id for item in new.values()]},
            {"account_id": account.pk, "message_type": MessageType.MESSAGE.value, "created_at": now,
             "last_message_at": now},
            ignore_conflicts=True, returning=("address", "id"),
        )
        result.update({address: (pk, chosen[address]) for address, pk in created})
        lost = [address for address in new if address not in result]
        if lost:  # a concurrent send() created these first: use its conversations
            result.update({
                address: (pk, line_id)
                for address, pk, line_id in Conversation.objects.filter(
                    account=account, message_type=MessageType.MESSAGE, address__in=lost,
                ).values_list("address", "pk", "line_id")
            })
    return result, existing


def packed_array(values: list, pg_type: str) -> tuple[str, object]:
    """SQL and parameter for an array of ``values``: one comma-joined string split by the
    server when that is safe (ids, numbers, E.164 addresses), else a list parameter.

    Adapting a list checks every element with a regular expression in Python; for the
    5,000-element arrays of a chunk that cost more than the INSERT they feed.
    """
    if pg_type != "text":
        # None -> "" -> NULL (string_to_array's third argument).
        text = ",".join("" if v is None else str(v) for v in values)
        return f"string_to_array(%s, ',', '')::{pg_type}[]", text
    if all(v and "," not in v and "\\" not in v and '"' not in v for v in values):
        return "string_to_array(%s, ',')", ",".join(values)
    return "%s::text[]", list(values)


def any_of(field: str, values: list, pg_type: str = "text") -> Q:
    """``field IN values`` as one array parameter on PostgreSQL (``= ANY(...)``): a chunk's
    5,000 values would otherwise be 5,000 placeholders to build, send and plan."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    sql, param = packed_array(list(values), pg_type)
    return Q(AnyOf(F(field), sql=sql, param=param))


class AnyOf(Func):
    output_field = BooleanField()

    def __init__(self, expression, *, sql: str, param):
        super().__init__(expression)
        self.array_sql, self.param = sql, param

    def as_sql(self, compiler, connection, **extra):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"{lhs} = ANY({self.array_sql})", [*params, self.param]


# --- inserting rows fast ----------------------------------------------------------------------

PG_ARRAY_TYPES = {
    models.BigAutoField: "bigint", models.BigIntegerField: "bigint", models.AutoField: "integer",
    models.IntegerField: "integer", models.PositiveIntegerField: "integer",
    models.SmallIntegerField: "smallint", models.UUIDField: "uuid", models.CharField: "text",
    models.TextField: "text", models.DateTimeField: "timestamptz", models.BooleanField: "boolean",
}


def _array_type(field) -> str:
    target = field.target_field if field.is_relation else field
    for cls in type(target).__mro__:
        if cls in PG_ARRAY_TYPES:
            return PG_ARRAY_TYPES[cls]
    raise TypeError(f"no array type for {field}")


def insert_columns(
    model: type[models.Model],
    columns: dict[str, list],
    constants: dict[str, object],
    *,
    ignore_conflicts: bool = False,
    returning: tuple[str, ...] = (),
) -> list[tuple]:
    """Insert one row per position of the ``columns`` lists (attname -> values), every row
    with the same ``constants``. On PostgreSQL one ``INSERT ... SELECT FROM unnest(arrays)``:
    the rows are built by the server, not row by row in Python (COPY's cost is mostly the
    per-row adapting). Returns the ``returning`` columns of the rows inserted."""
    length = len(next(iter(columns.values())))
    if not length:
        return []
    if connection.vendor != "postgresql":
        rows = [dict(zip(columns, values, strict=True)) | constants for values in zip(*columns.values(), strict=True)]
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=500,
                                         ignore_conflicts=ignore_conflicts)
        if not returning:
            return []
        if ignore_conflicts:  # no ids back from bulk_create: read the rows by their first column
            first = returning[0]
            return list(model.objects.filter(**{f"{first}__in": columns[first]}).values_list(*returning))
        return [tuple(getattr(o, model._meta.get_field(c).attname) for c in returning) for o in objs]
    meta, qn = model._meta, connection.ops.quote_name
    defaults = _defaults(model, set(columns) | set(constants))
    fixed = {**constants, **defaults}
    names = [qn(meta.get_field(c).column) for c in (*columns, *fixed)]
    packed = [packed_array(values, _array_type(meta.get_field(c))) for c, values in columns.items()]
    arrays = ", ".join(sql for sql, _ in packed)
    select = ", ".join([*(f"u.c{i}" for i in range(len(columns))), *["%s"] * len(fixed)])
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(names)}) "
           f"SELECT {select} FROM unnest({arrays}) AS u({aliases})")
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(qn(meta.get_field(c).column) for c in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fixed.values(), *(param for _, param in packed)])  # constants come first
        return cursor.fetchall() if returning else []


def relax_commit() -> None:
    """Let this transaction's COMMIT return before its WAL reaches disk (PostgreSQL only).

    For fan-out chunks only: a chunk lost in a crash was never acknowledged to anyone, and
    its cursor is lost with it, so the resumed fan-out simply writes it again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


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


def insert_rows(model: type[models.Model], rows: list[dict], *, returning: bool = True) -> list[int]:
    """Insert ``rows`` (dicts of attname -> value, all with the same keys); returns the new
    primary keys in order when ``returning``. COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, rows, returning=returning)
    objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
    return [obj.pk for obj in objs] if returning else []


def _copy(model: type[models.Model], rows: list[dict], *, returning: bool) -> list[int]:
    """COPY the rows in. Ids are drawn from the table's sequence first, so the caller gets
    them in order without reading anything back."""
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
        column_sql = ", ".join(qn(meta.get_field(c).column) if c != pk_column else qn(c) for c in columns)
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with connection.wrap_database_errors, raw.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
            if returning:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row.values(), *constant))
            else:
                for row in rows:
                    copy.write_row((*row.values(), *constant))
    return ids
