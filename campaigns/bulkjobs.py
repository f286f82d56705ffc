"""Bulk message jobs (seed 004): ``messages: [{to, body}]`` checked whole in the request,
queued chunk by chunk in Celery.

The request checks every item's shape and length as a single ``POST /api/v1/messages``
does (NUL and lone surrogates never get this far: the API's JSON parser refuses them for
every body, naming the field path), so a malformed request is refused whole, naming every
index at fault, and stores the list; the worker resolves each address. A recipient that cannot be messaged (invalid, blacklisted,
opted out) becomes a failed result row with the reason, never a failed job; so does an
item that could not be stored (one that reached the payload without the request's check),
so no item can wedge a job.
"""
from __future__ import annotations

import json
import re
import time
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from contacts.models import Contact
from messaging import validation
from messaging.choices import EventSource, Status
from messaging.lines import LinePicker, pool_lines
from messaging.models import Message
from messaging.services.enqueue import Outgoing, enqueue_many
from messaging.status import SETTLED
from outreach.db import any_of, insert_columns, relax_commit
from outreach.exceptions import Conflict, InvalidInput, NotFound
from outreach.models import Account

from .choices import BulkStatus, ResultStatus
from .models import BulkJob, BulkJobSlice, BulkResult

MAX_MESSAGES = 100_000
#: +1, an area code and an exchange that cannot start with 0 or 1: a possible number, never
#: an emergency one.
NANP_E164 = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
#: How many faulty indexes a refusal lists (the count says how many there were).
MAX_REPORTED = 50
#: The longest address a message row holds.
MAX_ADDRESS = 254
# Chunks of ``settings.FANOUT_CHUNK`` messages; below ``settings.FANOUT_SLICE_MIN``
# messages a job is one slice (both read when used).
TASK_BUDGET_SECONDS = 60.0
UNSETTLED = [s for s in Status.values if s not in SETTLED]
RESULT_STATUS = {
    Status.REGISTERED: ResultStatus.QUEUED, Status.PENDING: ResultStatus.QUEUED,
    Status.QUEUED: ResultStatus.QUEUED, Status.ACCEPTED: ResultStatus.PROCESSING,
    Status.SENT: ResultStatus.SENT, Status.DELIVERED: ResultStatus.DELIVERED, Status.READ: ResultStatus.READ,
    Status.DECLINED: ResultStatus.FAILED, Status.ERROR: ResultStatus.FAILED,
}


class BadMessages(InvalidInput):
    """The request's ``messages`` is malformed; ``errors`` maps ``messages.<i>.<field>``."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message, field="messages")
        self.errors = errors


def check_messages(raw) -> list[dict]:
    """The request's ``messages``, or BadMessages naming the indexes at fault."""
    if not isinstance(raw, list) or not raw:
        raise BadMessages("messages must be a non-empty array of {to, body} objects.",
                          {"messages": ["Send a non-empty array of {to, body} objects."]})
    if len(raw) > MAX_MESSAGES:
        raise BadMessages(f"At most {MAX_MESSAGES:,} messages per job; got {len(raw):,}. Split the job.",
                          {"messages": [f"At most {MAX_MESSAGES} items."]})
    errors: dict[str, list[str]] = {}
    bad = 0
    for i, item in enumerate(raw):
        problems = _item_problems(item)
        if problems:
            bad += 1
            if len(errors) < MAX_REPORTED:
                for field, text in problems:
                    errors.setdefault(f"messages.{i}.{field}", []).append(text)
    if bad:
        indexes = sorted({int(k.split(".")[1]) for k in errors})
        shown = ", ".join(map(str, indexes)) + (" ..." if bad > len(indexes) else "")
        raise BadMessages(f"{bad} of {len(raw)} messages are malformed (indexes {shown}); nothing was queued.", errors)
    return [{"to": item["to"].strip(), "body": item["body"]} for item in raw]


def _item_problems(item) -> list[tuple[str, str]]:
    if not isinstance(item, dict):
        return [("item", "Each item must be an object {to, body}.")]
    problems = []
    to, body = item.get("to"), item.get("body")
    if not isinstance(to, str) or not to.strip():
        problems.append(("to", "to is required: a phone number (E.164) or an Apple ID email."))
    if not isinstance(body, str) or not body.strip():
        problems.append(("body", "body is required: the message text."))
    elif len(body) >= validation.MAX_CONTENT_LENGTH:
        problems.append(("body", f"body must be shorter than {validation.MAX_CONTENT_LENGTH} characters."))
    unknown = set(item) - {"to", "body"}
    if unknown:
        problems.append(("item", f"Unknown field(s) {', '.join(sorted(unknown))}; an item has only to and body."))
    return problems


@transaction.atomic
def create_job(account: Account, raw_messages, *, priority: int = 0) -> BulkJob:
    items = check_messages(raw_messages)
    validation.validate_priority(priority)
    if not pool_lines(account):
        raise Conflict("Your account has no active line to send from; add one before a bulk job.")
    job = BulkJob.objects.create(
        account=account, total_recipients=len(items), payload=json.dumps(items, separators=(",", ":")),
        priority=priority,
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.run_bulk_job.delay(str(job.pk)))
    return job


def get(account: Account, job_id: str) -> BulkJob:
    """``bulk_<32 hex>`` (or the bare UUID) of one of the account's jobs."""
    text = job_id[5:] if job_id.startswith("bulk_") else job_id
    try:
        return BulkJob.objects.get(account=account, pk=UUID(text))
    except (ValueError, BulkJob.DoesNotExist):
        raise NotFound("Bulk job not found.") from None


def plan_slices(job: BulkJob) -> list[int]:
    """Cut the job's indexes into slices (once: a repeated call finds them); -> the indexes
    of the slices not done yet. A job queued partly before slices existed goes on as one."""
    total, begun = job.total_recipients, job.processed
    count = max(settings.FANOUT_SLICES, 1) if total >= settings.FANOUT_SLICE_MIN and not begun else 1
    bounds = [begun + (total - begun) * i // count for i in range(count + 1)]
    BulkJobSlice.objects.bulk_create(
        [BulkJobSlice(job=job, index=i, position=bounds[i], end=bounds[i + 1]) for i in range(count)],
        ignore_conflicts=True,
    )
    return list(BulkJobSlice.objects.filter(job=job, done_at__isnull=True).values_list("index", flat=True))


def run(job_id, index: int | None = None, budget: float = TASK_BUDGET_SECONDS) -> bool:
    """Queue the messages of slice ``index`` (of every slice in turn if None) chunk by
    chunk; True if time ran out with more to do."""
    job = BulkJob.objects.select_related("account").get(pk=job_id)
    if job.fanout_done_at:
        return False
    items = json.loads(job.payload)  # parsed once per task, not per chunk
    indexes = plan_slices(job) if index is None else [index]
    deadline = time.monotonic() + budget
    picker = LinePicker(pool_lines(job.account))
    for i in indexes:
        while run_chunk(job.pk, i, items, picker):
            if time.monotonic() > deadline:
                return True
    finish(job.pk)
    return False


def run_chunk(job_id, index: int, items: list[dict], picker: LinePicker) -> bool:
    """One chunk of slice ``index`` in one transaction. True if the slice has more."""
    with transaction.atomic():
        relax_commit()
        part = (
            BulkJobSlice.objects.select_for_update(of=("self",)).select_related("job__account")
            .filter(job_id=job_id, index=index).first()
        )
        if part is None or part.done_at:
            return False
        job, start = part.job, part.position
        chunk = items[start:min(start + settings.FANOUT_CHUNK, part.end)]
        results, outgoing, failed = _resolve(job, start, chunk)
        ids = enqueue_many(job.account, outgoing, picker, priority=job.priority,
                           source=EventSource.API) if outgoing else []
        for row, pk in zip((r for r in results if r["message_id"] is None and not r["error"]), ids, strict=True):
            row["message_id"] = pk
        insert_columns(BulkResult, {name: [r[name] for r in results] for name in ("index", "to", "message_id", "error")},
                       {"job_id": job.pk})
        part.position = start + len(chunk)
        part.done_at = timezone.now() if part.position >= part.end else None
        part.save(update_fields=["position", "done_at", "updated_at"])
        # Last, so the job's row is locked only for the moment before this chunk commits.
        BulkJob.objects.filter(pk=job.pk).update(processed=F("processed") + len(chunk), failed=F("failed") + failed)
        return part.done_at is None


def finish(job_id) -> bool:
    """Once every slice is done: the job's fan-out is (and its payload can go)."""
    if BulkJobSlice.objects.filter(job_id=job_id, done_at__isnull=True).exists():
        return False
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        slices = BulkJobSlice.objects.filter(job_id=job_id)
        if job.fanout_done_at or not slices.exists() or slices.filter(done_at__isnull=True).exists():
            return False
        job.fanout_done_at = timezone.now()
        job.payload = ""  # done with it; the results hold what is left to know
        job.save(update_fields=["fanout_done_at", "payload"])
    return True


def unstorable(item) -> str:
    """Why ``item`` cannot become a message row ("" if it can). The request refuses such
    items, so only a payload that skipped its check holds one; the worker makes it a
    failed row instead of a chunk that fails on every retry."""
    if not isinstance(item, dict) or not isinstance(item.get("to"), str) or not isinstance(item.get("body"), str):
        return "Not a {to, body} object of strings; nothing was sent."
    for name in ("to", "body"):
        text = item[name]
        if "\x00" in text:
            return f"{name} contains a NUL character; nothing was sent."
        if not text.isascii():
            try:
                text.encode()
            except UnicodeEncodeError:
                return f"{name} contains a lone surrogate character; nothing was sent."
    return ""


def _stored_to(item) -> str:
    """The item's ``to`` as text a result row can hold, whatever the item is."""
    to = item.get("to") if isinstance(item, dict) else item
    text = to if isinstance(to, str) else json.dumps(to)
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode()[:254]


def _address(to: str) -> str:
    # Already E.164 NANP (the usual bulk input): what normalize_address would return,
    # without its three phonenumbers parses (they were most of a chunk's time).
    address = to if NANP_E164.match(to) else validation.normalize_address(to, field="to")
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"to is longer than {MAX_ADDRESS} characters.", field="to")
    return address


def _resolve(job: BulkJob, start: int, chunk: list[dict]):
    """Normalise each address; refuse unstorable items, invalid and opted-out addresses as
    failed rows."""
    results, outgoing, addresses = [], [], {}
    for offset, item in enumerate(chunk):
        row = {"index": start + offset, "to": _stored_to(item), "message_id": None, "error": unstorable(item)}
        results.append(row)
        if not row["error"]:
            try:
                addresses[offset] = _address(item["to"])
            except InvalidInput as exc:
                row["error"] = exc.message
    contacts = {
        number: (pk, opted_out_at)
        for number, pk, opted_out_at in Contact.objects.filter(account=job.account)
        .filter(any_of("e164_number", sorted(set(addresses.values()))))
        .values_list("e164_number", "pk", "opted_out_at")
    }
    now = timezone.now()
    failed = 0
    for row in results:
        offset = row["index"] - start
        if row["error"]:
            failed += 1
            continue
        address = addresses[offset]
        contact_id, opted_out_at = contacts.get(address, (None, None))
        if opted_out_at is not None:
            row["error"] = f"{address} has opted out of messages from this account."
            failed += 1
            continue
        outgoing.append(Outgoing(address=address, content=chunk[offset]["body"], next_attempt_at=now,
                                 contact_id=contact_id))
    return results, outgoing, failed


def counts(job: BulkJob) -> dict[str, int]:
    """Results by v1 status word (failed includes refused recipients)."""
    out = {s.value: 0 for s in ResultStatus}
    rows = BulkResult.objects.filter(job=job).values("message__status").annotate(n=Count("id"))
    for row in rows:
        status = row["message__status"]
        out[RESULT_STATUS.get(status, ResultStatus.FAILED) if status else ResultStatus.FAILED] += row["n"]
    return out


def status_of(job: BulkJob) -> str:
    """``processing`` until every message is queued and settled (sent, delivered, read or
    failed), then ``completed``. The read that first finds it completed records it (status
    and ``completed_at`` in one UPDATE, also on ``job``), so no reader ever sees a completed
    job without its completion time."""
    if job.completed_at:
        return BulkStatus.COMPLETED
    if job.fanout_done_at is None:
        return BulkStatus.PROCESSING
    pending = Message.objects.filter(bulk_result__job=job, status__in=UNSETTLED).exists()
    if pending:
        return BulkStatus.PROCESSING
    now = timezone.now()
    mine = BulkJob.objects.filter(pk=job.pk, completed_at__isnull=True).update(
        completed_at=now, status=BulkStatus.COMPLETED
    )
    # Another reader may have recorded it first: report the time stored.
    job.completed_at = now if mine else BulkJob.objects.values_list("completed_at", flat=True).get(pk=job.pk)
    job.status = BulkStatus.COMPLETED
    return BulkStatus.COMPLETED


def settle(job_id) -> bool:
    """Record completion (the sweep calls it), so status reads stop querying messages."""
    job = BulkJob.objects.get(pk=job_id)
    return not job.completed_at and status_of(job) == BulkStatus.COMPLETED


def result_status(result: BulkResult) -> str:
    if result.message_id is None:
        return ResultStatus.FAILED
    return RESULT_STATUS.get(result.message.status, ResultStatus.FAILED)
