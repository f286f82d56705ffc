"""The dashboard's rollups: an account's messages counted per quarter hour of their
``created_at`` (``MessageRollup``), each conversation's newest inbound and sent message
(``Conversation.last_inbound_at`` / ``last_sent_at``), and per quarter hour the
conversations whose newest one falls in it (``replied`` / ``messaged``). The dashboard
reads only the rollup rows, never the messages (``messaging/dashboard.py``).

Why quarter hours: the dashboard's days are the account's, and the account may change its
zone; every UTC offset in use is a multiple of 15 minutes (India +5:30, Nepal +5:45), so
quarter hours add up exactly to any zone's days, and a zone change rewrites nothing.

How they are kept: every new message and every status change writes a ``MessageEvent``
(``sending.insert_message``, ``enqueue.enqueue_many``, ``transitions.apply_steps``). The
beat task ``messaging.tasks.roll_up`` (``refresh``) reads the events past its watermark
(by primary key, at most ``BATCH`` a run) and recounts, from the messages themselves
(``msg_account_recent``), every quarter hour those events' messages were *created* in: a
receipt that arrives days later recounts its message's own quarter hour. The send path
writes nothing more, so there is no hot row per account; the figures lag by one run.

Event ids are handed out before commit, so a higher id can be visible before a lower one:
a run reads only events older than ``SETTLE`` (the writers' transactions are short) and
stops at the first younger one. Deleted messages (retention) take their events with them
and write none: their counts stay until their quarter hour is recounted for another of its
messages. ``rebuild`` recounts everything (the migration's backfill, ``manage.py
rebuild_rollups``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from itertools import takewhile

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import ExtractMinute, Floor, TruncHour
from django.utils import timezone

from .. import models
from ..choices import Status

QUARTER = timedelta(minutes=15)
#: Events read per run at most: the run's work is bounded whatever the backlog.
BATCH = 5000
#: Events younger than this are left to the next run (their transaction may still be open).
SETTLE = timedelta(seconds=20)
FAILED = [Status.ERROR, Status.DECLINED]
SENT = Q(is_outbound=True, sent_at__isnull=False)

#: How each count is counted, over the messages created in a quarter hour.
COUNTS = {
    "sent": Count("id", filter=SENT),
    "delivered": Count("id", filter=Q(is_outbound=True, delivered_at__isnull=False)),
    "read": Count("id", filter=Q(is_outbound=True, read_at__isnull=False)),
    "replies": Count("id", filter=Q(is_outbound=False)),
    "failed": Count("id", filter=Q(is_outbound=True, status__in=FAILED)),
}
#: The conversations whose newest inbound / sent message was created in a quarter hour: the
#: sum since T is the number of conversations that replied / were messaged since T (each
#: conversation counts once, in the quarter hour of its newest such message).
CONVERSATION_COUNTS = {"last_inbound_at": ("replied", Count("id")), "last_sent_at": ("messaged", Count("id"))}


@dataclass(frozen=True)
class Tables:
    """The models this module writes (a migration passes its historical ones)."""

    message: type = models.Message
    event: type = models.MessageEvent
    conversation: type = models.Conversation
    rollup: type = models.MessageRollup
    watermark: type = models.RollupWatermark

    @classmethod
    def of(cls, apps) -> Tables:
        return cls(**{f.name: apps.get_model("messaging", f.default._meta.object_name) for f in fields(cls)})


LIVE = Tables()
EPOCH = datetime.min.replace(tzinfo=UTC)


def period_of(at: datetime) -> datetime:
    """The quarter hour (UTC) ``at`` falls in."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def refresh(now: datetime | None = None, limit: int | None = None, tables: Tables = LIVE) -> int:
    """One run of the task: the settled events past the watermark, at most ``limit``
    (``BATCH``), recounted; -> how many events were read."""
    cutoff, limit = (now or timezone.now()) - SETTLE, limit or BATCH
    with transaction.atomic():
        mark, _ = tables.watermark.objects.select_for_update().get_or_create(pk=1)
        events = list(
            tables.event.objects.filter(pk__gt=mark.event_id).order_by("pk")
            .values_list("pk", "message_id", "created_at")[:limit]
        )
        settled = list(takewhile(lambda e: e[2] < cutoff, events))
        if settled:
            recount({message_id for _, message_id, _ in settled}, tables)
            mark.event_id = settled[-1][0]
        caught_up = len(settled) < len(events) or len(events) < limit
        mark.as_of = cutoff if caught_up else settled[-1][2]
        mark.save(update_fields=["event_id", "as_of"])
    return len(settled)


def recount(message_ids: set[int], tables: Tables = LIVE) -> None:
    """Recount the quarter hours these messages were created in, and move their
    conversations' last inbound / sent times forward (recounting the quarter hours those
    left and entered)."""
    rows = list(tables.message.objects.filter(pk__in=message_ids).values_list(
        "account_id", "conversation_id", "is_outbound", "sent_at", "created_at"))
    periods = defaultdict(set)
    for account_id, _, _, _, created_at in rows:
        periods[account_id].add(period_of(created_at))
    write(tables.message.objects.filter(scope(periods, "created_at")), "created_at", COUNTS, periods, tables)
    for field, moved in move_conversations(tables, rows).items():
        key, count = CONVERSATION_COUNTS[field]
        write(tables.conversation.objects.filter(scope(moved, field)), field, {key: count}, moved, tables)


def scope(periods: dict[int, set[datetime]], field: str) -> Q:
    """Rows of these accounts whose ``field`` falls in their quarter hours."""
    q = Q(pk__in=[])
    for account_id, starts in periods.items():
        q |= Q(account_id=account_id) & spans(starts, field)
    return q


def spans(starts: set[datetime], field: str) -> Q:
    """``field`` within these quarter hours, adjacent ones merged into one range."""
    q, ordered = Q(pk__in=[]), sorted(starts)
    begin = end = ordered[0]
    for start in [*ordered[1:], None]:
        if start is not None and start == end + QUARTER:
            end = start
            continue
        q |= Q(**{f"{field}__gte": begin, f"{field}__lt": end + QUARTER})
        if start is not None:
            begin = end = start
    return q


def write(rows, field: str, counts: dict, periods: dict[int, set[datetime]], tables: Tables) -> None:
    """Count ``rows`` per account and quarter hour of ``field`` into the rollups' ``counts``
    columns, for every one of ``periods`` (zero where none is left)."""
    grouped = (
        rows.exclude(**{f"{field}__isnull": True})
        .annotate(hour=TruncHour(field, tzinfo=UTC), quarter=Floor(ExtractMinute(field, tzinfo=UTC) / 15))
        .values("account_id", "hour", "quarter").annotate(**counts).order_by()
    )
    found = {(r["account_id"], r["hour"] + int(r["quarter"]) * QUARTER): r for r in grouped}
    found.update({(a, p): {} for a, starts in periods.items() for p in starts if (a, p) not in found})
    tables.rollup.objects.bulk_create(
        [tables.rollup(account_id=a, period=p, **{k: r.get(k, 0) for k in counts}) for (a, p), r in found.items()],
        update_conflicts=True, unique_fields=["account", "period"], update_fields=list(counts), batch_size=1000,
    )


def move_conversations(tables: Tables, rows: list[tuple]) -> dict[str, dict[int, set[datetime]]]:
    """Each conversation's newest inbound and newest sent ``created_at``, never moved back;
    -> per field, the quarter hours (per account) a conversation left or entered."""
    newest: dict[int, dict[str, datetime]] = defaultdict(dict)
    for _, conversation_id, is_outbound, sent_at, created_at in rows:
        field = "last_inbound_at" if not is_outbound else "last_sent_at" if sent_at is not None else None
        if conversation_id is not None and field and created_at > newest[conversation_id].get(field, EPOCH):
            newest[conversation_id][field] = created_at
    changed, touched = [], {field: defaultdict(set) for field in CONVERSATION_COUNTS}
    for conversation in tables.conversation.objects.filter(pk__in=list(newest)).only(
            "account_id", *CONVERSATION_COUNTS):
        for field, at in newest[conversation.pk].items():
            was = getattr(conversation, field)
            if was is None or at > was:
                touched[field][conversation.account_id].update(
                    {period_of(at)} | ({period_of(was)} if was else set()))
                setattr(conversation, field, at)
                changed.append(conversation)
    tables.conversation.objects.bulk_update(set(changed), list(CONVERSATION_COUNTS), batch_size=1000)
    return {field: moved for field, moved in touched.items() if moved}


def rebuild(tables: Tables = LIVE, now: datetime | None = None) -> None:
    """Recount every quarter hour and conversation from the messages (the backfill):
    the watermark is taken first, so events written meanwhile are read again."""
    with transaction.atomic():
        mark, _ = tables.watermark.objects.select_for_update().get_or_create(pk=1)
        mark.event_id = tables.event.objects.aggregate(last=Max("pk"))["last"] or 0
        mark.as_of = now or timezone.now()
        mark.save(update_fields=["event_id", "as_of"])
        tables.rollup.objects.all().delete()
        write(tables.message.objects.all(), "created_at", COUNTS, {}, tables)
        newest = tables.message.objects.filter(conversation=OuterRef("pk")).order_by().values("conversation")
        tables.conversation.objects.update(
            last_inbound_at=Subquery(newest.filter(is_outbound=False).annotate(at=Max("created_at")).values("at")),
            last_sent_at=Subquery(newest.filter(SENT).annotate(at=Max("created_at")).values("at")),
        )
        for field, (key, count) in CONVERSATION_COUNTS.items():
            write(tables.conversation.objects.all(), field, {key: count}, {}, tables)
