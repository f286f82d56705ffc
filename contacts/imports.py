"""CSV import: read an upload, map its columns, and run it in chunks on a worker.

The file and its progress live in an ``ImportJob`` row. Each chunk's contacts and the job's
counters commit together, so a worker killed mid-import resumes at the first chunk that
did not commit (nothing counted twice, nothing half-written), and the console's progress
bar reads committed numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from outreach import csvfiles
from outreach.exceptions import Conflict, InvalidInput
from outreach.models import Account

from .choices import ContactField, ImportRowKind, ImportStatus
from .ingest import IngestResult, ingest
from .models import ContactList, ImportJob, ImportRow

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 5000
CUSTOM_PREFIX = "custom:"
#: Header spellings recognised when proposing a mapping.
GUESSES = {
    ContactField.PHONE_NUMBER: {"phone", "phone_number", "phonenumber", "number", "mobile", "cell", "telephone", "tel"},
    ContactField.FIRST_NAME: {"first_name", "firstname", "first", "given_name", "name"},
    ContactField.LAST_NAME: {"last_name", "lastname", "last", "surname", "family_name"},
    ContactField.EMAIL: {"email", "e_mail", "email_address", "mail"},
    ContactField.COMPANY_NAME: {"company", "company_name", "organization", "organisation"},
    ContactField.TIMEZONE: {"timezone", "time_zone", "tz"},
    ContactField.TAGS: {"tags", "tag", "labels"},
}


def decode_upload(raw: bytes) -> str:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"The file is {len(raw) // 1024 // 1024} MB; split it into files under 20 MB.", field="file")
    # A spreadsheet saved as .xlsx/.numbers is a zip: binary, full of NUL bytes.
    if b"\x00" in raw[:65536] or raw[:4] == b"PK\x03\x04":
        raise InvalidInput("This is not a CSV file (a spreadsheet?); save it as CSV UTF-8 and upload that.",
                           field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The file is not text in UTF-8 or Windows-1252; save it as CSV UTF-8.", field="file")


def read_header(text: str, preview_rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """-> (column names, the first rows) for the mapping step; refuses what is not a CSV."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput("The file is empty; it needs a header row and at least one contact.", field="file") from None
    header = [h.strip() for h in header]
    if not any(header) or len(header) < 1:
        raise InvalidInput("The first row must name the columns (e.g. phone_number,first_name).", field="file")
    if len(set(header)) != len(header):
        raise InvalidInput("Two columns have the same name; rename one of them.", field="file")
    preview = []
    try:
        for row in reader:
            preview.append(row)
            if len(preview) >= preview_rows:
                break
    except csv.Error as exc:
        raise InvalidInput(f"The file is not valid CSV: {exc}.", field="file") from None
    if not preview:
        raise InvalidInput("The file has a header but no contacts.", field="file")
    return header, preview


def guess_mapping(header: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        key = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
        for field, names in GUESSES.items():
            if key in names and field not in taken:
                mapping[column] = field.value
                taken.add(field)
                break
        else:
            mapping[column] = ""
    return mapping


def check_mapping(header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    fields = set(ContactField.values)
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column in header:
        target = (mapping.get(column) or "").strip()
        if target.startswith(CUSTOM_PREFIX):
            name = target[len(CUSTOM_PREFIX):].strip()
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", name):
                raise InvalidInput(f"Custom variable name {name!r} for column {column!r} must use letters, digits and _.",
                                   field="mapping")
            target = CUSTOM_PREFIX + name
        elif target and target not in fields:
            raise InvalidInput(f"Column {column!r} maps to unknown field {target!r}.", field="mapping")
        if target:
            if target in used:
                raise InvalidInput(f"Columns {used[target]!r} and {column!r} both map to {target}; pick one.",
                                   field="mapping")
            used[target] = column
        clean[column] = target
    if ContactField.PHONE_NUMBER not in used:
        raise InvalidInput("Map one column to Phone number: every contact needs one.", field="mapping")
    return clean


def upload(account: Account, *, filename: str, raw: bytes, user=None) -> ImportJob:
    """Keep an uploaded file as a draft job, to be mapped and then started."""
    text = decode_upload(raw)
    read_header(text)
    return ImportJob.objects.create(
        account=account, created_by=user, filename=(filename or "upload.csv")[:255], content=text,
        total_rows=sum(1 for _ in _data_rows(text)), status=ImportStatus.DRAFT,
    )


@transaction.atomic
def start_import(account: Account, job: ImportJob, *, mapping: dict[str, str], lists: list[ContactList]) -> ImportJob:
    """Fix the mapping and hand the job to a worker once this transaction commits."""
    from .tasks import import_contacts

    job = ImportJob.objects.select_for_update().get(account=account, pk=job.pk)
    if job.status != ImportStatus.DRAFT:
        raise Conflict("This import has already started.")
    header, _ = read_header(job.content)
    job.mapping = check_mapping(header, mapping)
    if any(lst.account_id != account.pk for lst in lists):
        raise InvalidInput("A chosen list belongs to another account.", field="lists")
    job.status = ImportStatus.PENDING
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["mapping", "status", "heartbeat_at"])
    job.lists.set(lists)
    transaction.on_commit(lambda: import_contacts.delay(str(job.pk)))
    return job


def stale_jobs(quiet_for: timedelta = timedelta(minutes=2)) -> list[str]:
    """Started imports with no committed chunk for a while: their wake-up or worker was lost."""
    cutoff = timezone.now() - quiet_for
    return [
        str(pk) for pk in ImportJob.objects.filter(
            status__in=[ImportStatus.PENDING, ImportStatus.RUNNING], heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)[:100]
    ]


def _data_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank row after the header."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    for row in reader:
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def _to_contact(header: list[str], mapping: dict[str, str], row: list[str]) -> dict:
    data: dict = {}
    variables: dict[str, str] = {}
    for column, value in zip(header, row, strict=False):  # short rows: missing cells are empty
        target = mapping.get(column.strip())
        if not target:
            continue
        if target.startswith(CUSTOM_PREFIX):
            if value.strip():
                variables[target[len(CUSTOM_PREFIX):]] = value.strip()
        else:
            data[target] = value
    if variables:
        data["custom_variables"] = variables
    return data


def run_import(job_id: str) -> None:
    """Import the job's remaining rows, one committed chunk at a time (idempotent)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished or not job.started:
        return
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    try:
        _import_chunks(job)
    except SoftTimeLimitExceeded:  # not a failure: the task re-sends itself and resumes
        raise
    except Exception as exc:  # a bug or a lost database: say so on the job, keep what committed
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, failure=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now())


def _import_chunks(job: ImportJob) -> None:
    lists = list(job.lists.all())
    header = [h.strip() for h in next(csv.reader(io.StringIO(job.content)))]
    reader = _data_rows(job.content)
    done = job.processed_rows
    for _ in range(done):  # rows a previous run already committed
        next(reader, None)
    while True:
        chunk = list(islice(reader, CHUNK_ROWS))
        if not chunk:
            return
        rows = [_to_contact(header, job.mapping, cells) for _, cells in chunk]
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.processed_rows != done:  # another delivery of this task got here first
                return
            result = ingest(job.account, rows, lists=lists, source_import=job.pk)
            ImportRow.objects.bulk_create(_import_rows(job, chunk, result), batch_size=1000)
            locked.rejected_csv += _rejected_rows(header, chunk, result.errors, first=not locked.rejected_csv)
            locked.processed_rows = done + len(chunk)
            locked.heartbeat_at = timezone.now()
            locked.created_count += result.created
            locked.duplicate_count += result.duplicates
            locked.error_count += len(result.errors)
            locked.save(update_fields=[
                "processed_rows", "created_count", "duplicate_count", "error_count", "rejected_csv", "heartbeat_at",
            ])
        done += len(chunk)


def _import_rows(job: ImportJob, chunk: list[tuple[int, list[str]]], result: IngestResult) -> list[ImportRow]:
    """The chunk's rows that created no contact, for the result page."""
    rows = [
        ImportRow(job=job, kind=ImportRowKind.REJECTED, line=chunk[err.index][0], cells=chunk[err.index][1],
                  reason=err.reason)
        for err in result.errors
    ]
    rows += [
        ImportRow(job=job, kind=ImportRowKind.DUPLICATE, line=chunk[index][0], cells=chunk[index][1],
                  e164_number=e164)
        for index, e164 in result.duplicate_rows
    ]
    return rows


def _rejected_rows(header: list[str], chunk: list[tuple[int, list[str]]], errors, *, first: bool) -> str:
    """The rejected rows as CSV: the line (as a spreadsheet numbers it), the row, the reason."""
    if not errors:
        return ""
    out = io.StringIO()
    writer = csvfiles.writer(out)
    if first:
        writer.writerow(["line", *header, "error"])
    for err in errors:
        line, cells = chunk[err.index]
        writer.writerow([line, *cells, err.reason])
    return out.getvalue()
