"""Many contacts at once: the batch endpoint and the CSV import both land here.

Rows are validated one by one (a bad row is reported with its index and reason, the rest
go in), duplicates by E.164 number are skipped (within the rows and against the account's
contacts), and the good rows are written in one statement: on PostgreSQL a COPY into a
temporary table and one ``INSERT ... ON CONFLICT DO NOTHING`` (the same cost class as a
plain COPY, see bench/contacts_import.py); elsewhere (SQLite) ``bulk_create``.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from outreach.exceptions import InvalidInput
from outreach.models import Account

from .models import Contact, ContactList
from .validation import clean_fields, search_text

#: Columns written per contact, in COPY order.
COLUMNS = (
    "id", "phone_number", "e164_number", "first_name", "last_name", "email", "company_name",
    "timezone", "tags", "custom_variables", "search_text",
)


@dataclass
class RowError:
    index: int
    reason: str
    phone_number: str = ""


@dataclass
class IngestResult:
    submitted: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: (index, E.164) of each duplicate row, in row order.
    duplicate_rows: list[tuple[int, str]] = field(default_factory=list)


def prepare(data: dict[str, Any]) -> tuple:
    """One row -> the COLUMNS tuple; raises InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput("Each contact must be an object with at least phone_number.")
    f = clean_fields(data, require_phone=True)
    first, last = f.get("first_name", ""), f.get("last_name", "")
    email, company = f.get("email", ""), f.get("company_name", "")
    return (
        uuid.uuid4(), f["phone_number"], f["e164_number"], first, last, email, company,
        f.get("timezone", ""), f.get("tags", []), f.get("custom_variables", {}),
        search_text(first, last, email, company, f["e164_number"]),
    )


def ingest(
    account: Account, rows: Sequence[dict[str, Any]], *, lists: Iterable[ContactList] = (), first_index: int = 0,
    source_import: Any = None,
) -> IngestResult:
    """Create the valid, new rows; the caller chooses the transaction (one per chunk).
    ``source_import`` (an ImportJob's id) is recorded on the contacts created."""
    result = IngestResult(submitted=len(rows))
    prepared: list[tuple] = []
    indexes: list[int] = []
    seen: set[str] = set()
    for i, data in enumerate(rows, first_index):
        try:
            row = prepare(data)
        except InvalidInput as exc:
            raw = data.get("phone_number") if isinstance(data, dict) else None
            result.errors.append(RowError(i, exc.message, str(raw or "")))
            continue
        if row[2] in seen:
            result.duplicate_rows.append((i, row[2]))
            continue
        seen.add(row[2])
        prepared.append(row)
        indexes.append(i)
    with transaction.atomic():
        created_ids = _insert(account, prepared, source_import) if prepared else []
        if created_ids:
            _add_memberships(created_ids, [lst.pk for lst in lists])
    result.created = len(created_ids)
    created = set(created_ids)
    # A prepared row that did not go in matched a number the account already has.
    result.duplicate_rows += [(i, row[2]) for i, row in zip(indexes, prepared, strict=True) if row[0] not in created]
    result.duplicate_rows.sort()
    result.duplicates = len(result.duplicate_rows)
    return result


def _insert(account: Account, rows: list[tuple], source_import: Any) -> list:
    if connection.vendor == "postgresql":
        return _insert_copy(account, rows, source_import)
    return _insert_bulk(account, rows, source_import)


def _insert_copy(account: Account, rows: list[tuple], source_import: Any) -> list:
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS contacts_ingest (id uuid, phone_number text, e164_number text, "
            "first_name text, last_name text, email text, company_name text, timezone text, "
            "tags jsonb, custom_variables jsonb, search_text text) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY contacts_ingest ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:8], json.dumps(row[8]), json.dumps(row[9]), row[10]))
        cols = ", ".join(COLUMNS)
        # ON CONFLICT skips numbers the account already has; RETURNING tells which went in.
        cur.execute(
            f"INSERT INTO contacts_contact ({cols}, account_id, source_import_id, created_at, updated_at) "
            f"SELECT {cols}, %s, %s, now(), now() FROM contacts_ingest "
            "ON CONFLICT (account_id, e164_number) DO NOTHING RETURNING id",
            [account.pk, source_import],
        )
        created = [r[0] for r in cur.fetchall()]
        cur.execute("TRUNCATE contacts_ingest")
    return created


def _insert_bulk(account: Account, rows: list[tuple], source_import: Any) -> list:
    now = timezone.now()
    objs = [
        Contact(account=account, source_import_id=source_import, created_at=now, updated_at=now,
                **dict(zip(COLUMNS, row, strict=True)))
        for row in rows
    ]
    existing = set()
    numbers = [row[2] for row in rows]
    for start in range(0, len(numbers), 500):
        existing.update(
            Contact.objects.filter(account=account, e164_number__in=numbers[start : start + 500])
            .values_list("e164_number", flat=True)
        )
    new = [obj for obj in objs if obj.e164_number not in existing]
    Contact.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return [obj.pk for obj in new]


def _add_memberships(contact_ids: list, list_ids: list) -> None:
    if not list_ids:
        return
    through = Contact.lists.through
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {through._meta.db_table} (contact_id, contactlist_id) "
                "SELECT c, l FROM unnest(%s::uuid[]) AS c CROSS JOIN unnest(%s::uuid[]) AS l "
                "ON CONFLICT DO NOTHING",
                [contact_ids, list_ids],
            )
        return
    through.objects.bulk_create(
        [through(contact_id=c, contactlist_id=lst) for c in contact_ids for lst in list_ids],
        batch_size=500, ignore_conflicts=True,
    )
