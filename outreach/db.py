"""The one SQL toolkit: fast bulk writes and array filters, with an ORM fallback.

On PostgreSQL, many rows go in by ``COPY`` (``copy_rows``, ~7x faster than bulk_create)
or by one ``INSERT ... SELECT FROM unnest(arrays)`` (``insert_columns``); many per-row
values are set by one ``UPDATE ... FROM unnest(arrays)`` (``update_columns``); ``any_of``
is ``IN`` as one array parameter. Embedded mode (SQLite) runs the same calls through the
ORM. ``relax_commit`` lets a transaction's COMMIT return before its WAL is on disk, for
work that is safe to redo after a crash. Callers validate and scope what they pass in:
table and column names come from the models, values are always parameters.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q
from django.utils import timezone

PG_ARRAY_TYPES = {
    models.BigAutoField: "bigint", models.BigIntegerField: "bigint", models.AutoField: "integer",
    models.IntegerField: "integer", models.PositiveIntegerField: "integer",
    models.SmallIntegerField: "smallint", models.UUIDField: "uuid", models.CharField: "text",
    models.TextField: "text", models.DateTimeField: "timestamptz", models.BooleanField: "boolean",
}


def postgres() -> bool:
    return connection.vendor == "postgresql"


def relax_commit() -> None:
    """Let this transaction's COMMIT return before its WAL reaches disk (PostgreSQL only).

    Only for work whose loss in a database crash is harmless: redone from a cursor (a
    fan-out chunk), or met by idempotency (a dispatcher claim, a webhook delivery claim).
    """
    if postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# --- arrays ------------------------------------------------------------------------------------

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
    if not postgres():
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


def _array_type(field) -> str:
    target = field.target_field if field.is_relation else field
    for cls in type(target).__mro__:
        if cls in PG_ARRAY_TYPES:
            return PG_ARRAY_TYPES[cls]
    raise TypeError(f"no array type for {field}")


def column_defaults(model: type[models.Model], given: set[str]) -> dict[str, object]:
    """Database values for the columns the caller does not set (fields added later
    included), computed once per chunk rather than per row."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[field.attname] = timezone.now()
            continue
        out[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    return out


# --- writes ------------------------------------------------------------------------------------

def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples in the order of ``columns``, attnames) with COPY on
    PostgreSQL, bulk_create elsewhere; columns not given get their default. With
    ``returning`` the new primary keys come back in order: on PostgreSQL they are drawn
    from the table's sequence first, so nothing is read back."""
    if not rows:
        return []
    if not postgres():
        objs = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return [obj.pk for obj in objs] if returning else []
    meta, qn = model._meta, connection.ops.quote_name
    defaults = column_defaults(model, set(columns))
    names = [*columns, *defaults]
    constant = tuple(defaults.values())
    with connection.cursor() as cursor:
        ids: list[int] = []
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            names = [meta.pk.attname, *names]
        column_sql = ", ".join(qn(meta.get_field(c).column) for c in names)
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with connection.wrap_database_errors, raw.copy(f"COPY {qn(meta.db_table)} ({column_sql}) FROM STDIN") as copy:
            if returning:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row, *constant))
            else:
                for row in rows:
                    copy.write_row((*row, *constant))
    return ids


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
    if not postgres():
        return _insert_columns_orm(model, columns, constants, ignore_conflicts, returning)
    meta, qn = model._meta, connection.ops.quote_name
    fixed = {**constants, **column_defaults(model, set(columns) | set(constants))}
    names = [qn(meta.get_field(c).column) for c in (*columns, *fixed)]
    packed = [packed_array(values, _array_type(meta.get_field(c))) for c, values in columns.items()]
    arrays = ", ".join(sql for sql, _ in packed)
    select = ", ".join([*(f"u.c{i}" for i in range(len(columns))), *["%s"] * len(fixed)])
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(names)}) "  # noqa: S608 - names from the model
           f"SELECT {select} FROM unnest({arrays}) AS u({aliases})")
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(qn(meta.get_field(c).column) for c in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fixed.values(), *(param for _, param in packed)])  # constants come first
        return cursor.fetchall() if returning else []


def _insert_columns_orm(model, columns: dict, constants: dict, ignore_conflicts: bool, returning) -> list[tuple]:
    rows = [dict(zip(columns, values, strict=True)) | constants for values in zip(*columns.values(), strict=True)]
    objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=500, ignore_conflicts=ignore_conflicts)
    if not returning:
        return []
    if ignore_conflicts:  # no ids back from bulk_create: read the rows by their first column
        first = returning[0]
        return list(model.objects.filter(**{f"{first}__in": columns[first]}).values_list(*returning))
    return [tuple(getattr(o, model._meta.get_field(c).attname) for c in returning) for o in objs]


def update_columns(model: type[models.Model], pks: list, columns: dict[str, list]) -> int:
    """Set per-row values (attname -> values, in the order of ``pks``) in one statement:
    ``UPDATE ... FROM unnest(arrays)`` on PostgreSQL, ``bulk_update`` elsewhere."""
    if not pks:
        return 0
    if not postgres():
        objs = [model(pk=pk, **{c: values[i] for c, values in columns.items()}) for i, pk in enumerate(pks)]
        return model.objects.bulk_update(objs, list(columns), batch_size=500)
    meta, qn = model._meta, connection.ops.quote_name
    packed = [packed_array(list(pks), _array_type(meta.pk))]
    packed += [packed_array(values, _array_type(meta.get_field(c))) for c, values in columns.items()]
    sets = ", ".join(f"{qn(meta.get_field(c).column)} = u.c{i + 1}" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(len(packed)))
    sql = (f"UPDATE {qn(meta.db_table)} AS t SET {sets} "  # noqa: S608 - names from the model
           f"FROM unnest({', '.join(sql for sql, _ in packed)}) AS u({aliases}) WHERE t.{qn(meta.pk.column)} = u.c0")
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, param in packed])
        return cursor.rowcount
