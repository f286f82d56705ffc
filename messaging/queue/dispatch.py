"""The dispatcher: PostgreSQL is the queue, Celery only carries wake-ups.

One chunk is three steps:

1. **claim** (one transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` the due QUEUED
   messages, highest priority then oldest; lock their lines and ask ``limits.admit`` which
   may go now; mark those ACCEPTED with ``claimed_at`` and a short lease (``lease_until``,
   kept alive by the worker: see lease.py); push the others' ``next_attempt_at``.
2. **send** (no transaction, no row locks held): each line's provider gets its messages,
   but for those whose ``expires_at`` passed since the claim (recorded EXPIRED in 3).
   A provider must be idempotent per message handle (the sandbox ledger is; BlueBubbles
   uses the handle as tempGuid), because a claim can outlive its worker.
3. **record** (one transaction): SENT (plus whatever the network already reported),
   back to QUEUED with a backoff, or ERROR (dead letter) once attempts run out. A result
   is recorded only if the claim is still ours (same ``claimed_at``).

A worker killed between 1 and 3 leaves ACCEPTED rows whose lease runs out within seconds:
the limiter stops counting them at once, ``reconcile`` returns them to QUEUED, and the
re-send meets the network's idempotency, so every message is sent once and reaches one
final state.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from outreach.db import relax_commit
from outreach.models import Account

from .. import metrics, redact
from ..choices import ErrorCode, ErrorKey, EventSource, Status
from ..models import Line, Message
from ..providers.base import PermanentProviderError, ProviderError, ProviderEvent, SendResult
from ..providers.registry import provider_for
from ..services.enqueue import attach_conversations
from ..services.expiry import expired_steps, expiry_step
from ..services.reports import apply_event, receive_inbound
from ..services.scheduled import opted_out_steps
from ..services.transitions import Step, apply_steps
from . import lease, limits
from .limits import backoff
from .order import INTERACTIVE_MIN, due_filter

logger = logging.getLogger(__name__)

#: How long a message of an inactive or unhealthy line waits before the claim looks again.
LINE_WAIT_SECONDS = 60


@dataclass
class Chunk:
    claimed: list[Message] = field(default_factory=list)
    #: As many candidates as asked for: more are probably due.
    full: bool = False
    #: The earliest time a message held or retried by this chunk falls due.
    wake_at: datetime | None = None
    inbound: list[tuple[Line, ProviderEvent]] = field(default_factory=list)


def _earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def claim(batch_size: int | None = None, *, interactive: bool = False) -> Chunk:
    """Take the next due messages (step 1); the interactive lane (``interactive``) takes
    single sends only, never campaign or bulk work (see order.py)."""
    batch_size = batch_size or settings.DISPATCH_BATCH_SIZE
    now = timezone.now()
    due = due_filter(now) & Q(priority__gte=INTERACTIVE_MIN) if interactive else due_filter(now)
    with transaction.atomic():
        if not interactive:
            # Bulk claims release the lines' row locks without waiting for the disk (a
            # single send's claim may be waiting for them). A claim lost in a crash leaves
            # its messages QUEUED, and sending one again meets the provider's idempotency
            # by handle, as after a killed worker.
            relax_commit()
        # The lane reads a short range at the top of the index (priority >= 0): no backlog
        # to sort, and two round trips saved.
        with nullcontext() if interactive else index_order():
            candidates = list(
                Message.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("conversation", *(("account",) if interactive else ()))
                .filter(due)
                .order_by("-priority", "created_at")[:batch_size]
            )
        if not candidates:
            return Chunk()
        chunk = Chunk(full=len(candidates) >= batch_size)
        attach_conversations(candidates, now)  # campaign and bulk messages are queued without one
        candidates = _decline_opted_out(_expire(candidates, now))
        admitted, held = _admit(candidates, now)
        # A held message with a deadline is looked at again by then, to expire it on time.
        deadlines = {m.pk: m.expires_at for m in candidates if m.expires_at is not None}
        held = {pk: min(until, deadlines.get(pk, until)) for pk, until in held.items()}
        _hold(held)
        chunk.wake_at = _earliest(*held.values())
        metrics.claimed([m for m, _ in admitted], now)
        claimed = {"claimed_at": now, "lease_until": lease.expires(now)}
        apply_steps(
            [
                (m, [Step(Status.ACCEPTED, {**claimed, "attempts": m.attempts + 1, "new_contact": new})])
                for m, new in admitted
            ],
            source=EventSource.DISPATCHER,
        )
        chunk.claimed = [m for m, _ in admitted]
    return chunk


def _expire(candidates: list[Message], now: datetime) -> list[Message]:
    """Messages past their ``expires_at`` are withdrawn here (EXPIRED), never sent late."""
    expired = expired_steps(candidates, now)
    if not expired:
        return candidates
    apply_steps(expired, source=EventSource.DISPATCHER)
    gone = {m.pk for m, _ in expired}
    return [m for m in candidates if m.pk not in gone]


def _decline_opted_out(candidates: list[Message]) -> list[Message]:
    """Scheduled messages meet opt-outs at send time: those whose recipient opted out since
    are DECLINED here, the rest go on (no query unless the chunk holds scheduled ones)."""
    declined = opted_out_steps(candidates)
    if not declined:
        return candidates
    apply_steps(declined, source=EventSource.DISPATCHER)
    gone = {m.pk for m, _ in declined}
    return [m for m in candidates if m.pk not in gone]


def _admit(candidates: list[Message], now: datetime) -> tuple[list[tuple[Message, bool]], dict[int, datetime]]:
    """Lock the candidates' lines and ask the limiter which messages may go now: (admitted
    with their new-contact flag, held message id -> when to look again)."""
    # Lines locked in id order: two workers claiming for the same line take turns, so
    # they never both spend the same allowance, and never deadlock.
    lines = {
        line.pk: line
        for line in Line.objects.select_for_update().filter(
            pk__in=sorted({m.line_id for m in candidates if m.line_id})
        ).order_by("pk")
    }
    _share(candidates, lines)
    lineless = {
        m.pk for m in candidates
        if m.line_id not in lines or not lines[m.line_id].active or not lines[m.line_id].healthy
    }
    admitted, held = limits.admit([m for m in candidates if m.pk not in lineless], lines, now)
    for pk in lineless:
        # An inactive line's messages wait for it to come back (or to be withdrawn); an
        # unhealthy line's wait for its provider to find it healthy again (messaging/services/
        # health.py puts them back at once), spending no attempt meanwhile.
        held[pk] = now + timedelta(seconds=LINE_WAIT_SECONDS)
    return admitted, held


@contextmanager
def index_order():
    """Walk the queue index in its order for the claim (PostgreSQL: sorting forbidden).

    Right after a campaign queues 100,000 messages the table's statistics still say
    QUEUED rows are rare, so the planner would fetch every due row and sort them for each
    chunk (24 ms at 26,000 rows, growing with the backlog), and autovacuum refreshes them
    late or, on a large table, never. Read in index order, a claim reads its chunk's rows
    whatever the backlog.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort TO off")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL enable_sort TO on")


def _share(messages: list[Message], lines: dict[int, Line]) -> None:
    """One Account and one Line object per chunk instead of one per row (a chunk has few
    of each): set straight into Django's relation cache, as select_related would."""
    loaded = {m.account_id: m.account for m in messages if "account" in m._state.fields_cache}
    wanted = {m.account_id for m in messages} - set(loaded)
    accounts = {**loaded, **{a.pk: a for a in Account.objects.filter(pk__in=wanted)}} if wanted else loaded
    for message in messages:
        cache = message._state.fields_cache
        cache["account"] = accounts[message.account_id]
        if message.line_id in lines:
            cache["line"] = lines[message.line_id]


def _hold(held: dict[int, datetime]) -> None:
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for pk, until in held.items():
        by_time[until].append(pk)
    for until, ids in by_time.items():
        Message.objects.filter(pk__in=ids).update(next_attempt_at=until)


class NotSentInTime(ProviderError):
    """A claimed message whose ``expires_at`` passed before it reached the network (a slow
    machine, a bulk chunk held back for single sends): recorded EXPIRED, never sent late."""

    retryable = False


def send(messages: list[Message]) -> dict[int, SendResult | ProviderError]:
    """Hand each line's messages to its provider (step 2), outside any transaction; those
    past their deadline by now stay off the network."""
    now = timezone.now()
    outcomes: dict[int, SendResult | ProviderError] = {}
    by_line: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.expires_at is not None and message.expires_at <= now:
            outcomes[message.pk] = NotSentInTime("its expires_at passed before the send")
        else:
            by_line[message.line_id].append(message)
    for group in by_line.values():
        try:
            outcomes.update(provider_for(group[0].line).send_many(group))
        except LookupError as exc:  # the line names a provider that is not installed
            outcomes.update({m.pk: PermanentProviderError(str(exc)) for m in group})
        metrics.answered(group, timezone.now())
    return outcomes


def record(chunk: Chunk, outcomes: dict[int, SendResult | ProviderError]) -> None:
    """Write what the network said (step 3)."""
    if not chunk.claimed:
        return
    now = timezone.now()
    with transaction.atomic():
        current = {
            pk: (status, claimed_at)
            for pk, status, claimed_at in Message.objects.select_for_update()
            .filter(pk__in=[m.pk for m in chunk.claimed])
            .values_list("pk", "status", "claimed_at")
        }
        plans = []
        for message in chunk.claimed:
            status, claimed_at = current.get(message.pk, (None, None))
            if claimed_at != message.claimed_at or status in (None, Status.QUEUED):
                continue  # the claim expired; whoever holds it now records it
            # A provider report may have moved it already (delivered before we said sent).
            message.status = status
            outcome = outcomes.get(message.pk) or ProviderError("The provider gave no answer for this message.")
            steps = _steps(message, outcome, now)
            if steps[0].status == Status.QUEUED:
                chunk.wake_at = _earliest(chunk.wake_at, steps[0].fields["next_attempt_at"])
            plans.append((message, steps))
            metrics.recorded(message, steps[0].status)
            if isinstance(outcome, SendResult):
                chunk.inbound += [(message.line, r) for r in outcome.reports if r.kind in ("inbound", "reaction")]
        apply_steps(plans, source=EventSource.DISPATCHER)


def _steps(message: Message, outcome: SendResult | ProviderError, now: datetime) -> list[Step]:
    if isinstance(outcome, NotSentInTime):
        return [expiry_step(message)]
    if isinstance(outcome, SendResult):
        fields = {"service": outcome.service, "was_downgraded": outcome.was_downgraded, "last_error": ""}
        if outcome.provider_message_id:
            fields["provider_message_id"] = outcome.provider_message_id
        steps = [Step(outcome.status, fields)]
        for report in outcome.reports:
            if report.kind == "status":
                steps.append(Step(report.status, _report_fields(message, report), source=EventSource.PROVIDER))
        return steps
    error = redact.for_line(message.line, str(outcome) or type(outcome).__name__)
    if outcome.retryable and message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
        return [Step(Status.QUEUED, {"next_attempt_at": now + backoff(message.attempts), "last_error": error},
                     detail=f"attempt {message.attempts} failed: {error}")]
    return [Step(Status.ERROR, {
        "error_code": ErrorCode.SEND_FAILED,
        "error_key": outcome.error_key,
        "error_message": f"message failed to send: {error}",
        "last_error": error,
    }, detail=f"dead letter after {message.attempts} attempt(s)")]


def _report_fields(message: Message, report: ProviderEvent) -> dict:
    fields: dict = {}
    if report.service:
        fields["service"] = report.service
    if report.error_code is not None:
        fields["error_code"] = report.error_code
        fields["error_message"] = redact.for_line(message.line, report.error_message)
    return fields


def deliver_inbound(chunk: Chunk) -> None:
    """Replies and reactions the network reported with a send (the sandbox's 05, 06, 08,
    09), each on its own."""
    for line, event in chunk.inbound:
        try:
            if event.kind == "reaction":
                apply_event(line, event, provider_for(line))
            else:
                receive_inbound(line, event)
        except Exception:  # noqa: BLE001 - one bad reply must not stop the others
            logger.exception("could not record a reply on %s", line.number)


def run_chunk(
    batch_size: int | None = None, *, interactive: bool = False, on_full=None, pause=None
) -> Chunk:
    """Claim, send and record one chunk. ``on_full`` runs right after a full claim (the
    task publishes another wake-up there, so an idle worker joins in); ``pause`` before
    each step (bulk chunks hold back there for single sends: see foreground.py)."""
    pause = pause or (lambda: None)
    pause()
    chunk = claim(batch_size, interactive=interactive)
    if chunk.full and on_full is not None:
        on_full()
    if chunk.claimed:
        with lease.Heartbeat(chunk.claimed):  # the claim holds while this worker lives
            pause()
            outcomes = send(chunk.claimed)
            pause()
        record(chunk, outcomes)
        deliver_inbound(chunk)
    return chunk


# --- the reconciler -----------------------------------------------------------------------

@dataclass
class Reconciled:
    requeued: int = 0
    dead: int = 0
    due: bool = False


def reconcile(expired_before: datetime | None = None, limit: int = 1000) -> Reconciled:
    """Return claims whose lease ran out to the queue and say whether due work waits.

    A live worker keeps renewing its claims' leases (lease.py): an expired one's worker is
    gone. A message that used up its attempts this way becomes a dead letter with 10002
    (its status could not be resolved) instead of going round again. ``expired_before``
    (now) is what tests move to expire fresh leases.
    """
    now = timezone.now()
    expired_before = expired_before or now
    result = Reconciled()
    with transaction.atomic():
        stale = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "line", "conversation")
            .filter(status=Status.ACCEPTED)
            .filter(Q(lease_until__lt=expired_before) | Q(lease_until__isnull=True))
            .order_by("claimed_at")[:limit]
        )
        plans = []
        for message in stale:
            if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
                result.dead += 1
                plans.append((message, [Step(Status.ERROR, {
                    "error_code": ErrorCode.STATUS_UNRESOLVED,
                    "error_key": ErrorKey.SEND_FAILED,
                    "error_message": "failed to resolve message status",
                }, detail="claim expired after the last attempt")]))
            else:
                result.requeued += 1
                plans.append((message, [Step(Status.QUEUED, {"next_attempt_at": now}, detail="claim expired")]))
        apply_steps(plans, source=EventSource.SYSTEM)
    metrics.recovered(result.requeued, result.dead)
    result.due = Message.objects.filter(due_filter(now)).exists()
    return result
