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

import heapq
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q
from django.utils import timezone

from contacts.models import Contact
from outreach.models import Account

from .choices import EventSource, MessageType, Status
from .models import Conversation, Line, Message, MessageEvent
from .sendpath import line_loads
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
        loads = line_loads([line.pk for line in lines])
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
    returns the message ids in the same order."""
    if not items:
        return []
    now = timezone.now()
    routes = _routes(account, items, picker)
    numbers = dict(Line.objects.filter(pk__in={line_id for _, line_id in routes.values()}).values_list("pk", "number"))
    rows = []
    account_id, kind, queued, rank = account.pk, MessageType.MESSAGE.value, Status.QUEUED.value, bulk_priority(priority)
    for item in items:
        conversation_id, line_id = routes[item.address]
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
    wake_dispatcher()
    return ids


def _routes(account: Account, items: Sequence[Outgoing], picker: LinePicker) -> dict[str, tuple[int | None, int]]:
    """address -> (conversation id or None, line id): an existing direct conversation and
    its line when that is active (else the least-loaded line of the pool); for an address
    with none, no conversation and the least-loaded line (an address twice: the same one)."""
    found = _direct_conversations(account.pk, [item.address for item in items])
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


def _direct_conversations(account_id, addresses: list[str]) -> dict[str, tuple[int, int, bool]]:
    """address -> (conversation id, line id, line active) of the direct conversations that
    exist for these addresses."""
    return {
        address: (pk, line_id, active)
        for address, pk, line_id, active in Conversation.objects.filter(
            account_id=account_id, message_type=MessageType.MESSAGE
        ).filter(any_of("address", addresses)).values_list("address", "pk", "line_id", "line__active")
    }


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
        found = _direct_conversations(account_id, addresses)
        missing = [a for a in addresses if a not in found]
        if missing:
            contacts: dict[str, object] = {}
            for number, pk in Contact.objects.filter(account_id=account_id).filter(
                any_of("e164_number", missing)
            ).order_by("created_at").values_list("e164_number", "pk"):
                contacts.setdefault(number, pk)
            created = insert_columns(
                Conversation,
                {"line_id": [first[a].line_id for a in missing], "address": missing,
                 "contact_id": [contacts.get(a) for a in missing]},
                {"account_id": account_id, "message_type": MessageType.MESSAGE.value, "created_at": now,
                 "last_message_at": now},
                ignore_conflicts=True, returning=("address", "id"),
            )
            made = dict(created)
            for address in missing:
                if address in made:
                    found[address] = (made[address], first[address].line_id, True)
            lost = [a for a in missing if a not in made]
            if lost:  # a concurrent claim or send created these first: theirs
                found.update(_direct_conversations(account_id, lost))
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


def update_columns(model: type[models.Model], pks: list, columns: dict[str, list]) -> int:
    """Set per-row values (attname -> values, in the order of ``pks``) in one statement:
    ``UPDATE ... FROM unnest(arrays)`` on PostgreSQL, ``bulk_update`` elsewhere."""
    if not pks:
        return 0
    if connection.vendor != "postgresql":
        objs = [model(pk=pk, **{c: values[i] for c, values in columns.items()}) for i, pk in enumerate(pks)]
        return model.objects.bulk_update(objs, list(columns), batch_size=500)
    meta, qn = model._meta, connection.ops.quote_name
    packed = [packed_array(list(pks), _array_type(meta.pk))]
    packed += [packed_array(values, _array_type(meta.get_field(c))) for c, values in columns.items()]
    sets = ", ".join(f"{qn(meta.get_field(c).column)} = u.c{i + 1}" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(len(packed)))
    sql = (f"UPDATE {qn(meta.db_table)} AS t SET {sets} "
           f"FROM unnest({', '.join(sql for sql, _ in packed)}) AS u({aliases}) WHERE t.{qn(meta.pk.column)} = u.c0")
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, param in packed])
        return cursor.rowcount


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
