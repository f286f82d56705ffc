"""Per-line sending limits: a burst per second, and new contacts per hour and per day.

The dispatcher asks ``admit`` which of the messages it is claiming may go now, while it
holds the lines' rows locked (so two workers never both spend the same allowance). A
message that may not go yet is held: it stays QUEUED with a later ``next_attempt_at``.

The burst is a sliding one-second window over the times sends *completed* (``sent_at``,
written after the network answered) plus every send still in flight (ACCEPTED under a
live lease: a claim whose lease ran out is a dead worker's, see lease.py). Counting
completion times rather than claim times is what makes the limit hold as the network
sees it: of any two sends the network saw less than a second apart, the one claimed later
counted the other, whatever the lag between claiming and sending.

A new contact is a conversation with no activity (a send, a send in flight, a reply) in
the last 30 days; the claim marks such a message ``new_contact`` and adds it to the line's
per-minute ``LineUsage`` bucket, which the hourly/daily windows sum.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Min, Q, Sum

from ..choices import Status
from ..models import Line, LineUsage, Message

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: A conversation quiet this long makes its next send a new contact.
NEW_CONTACT_AFTER = timedelta(days=30)
#: How soon to look again when only sends in flight block a line.
INFLIGHT_RECHECK = timedelta(milliseconds=200)


@dataclass
class LineWindow:
    inflight: int = 0
    recent: int = 0
    oldest_recent: datetime | None = None
    new_hour: int = 0
    oldest_new_hour: datetime | None = None
    new_day: int = 0
    oldest_new_day: datetime | None = None


def line_windows(line_ids, now: datetime) -> dict[int, LineWindow]:
    """What each line has spent of its limits at ``now`` (two small queries for all lines)."""
    sec = now - SECOND
    recent = Q(sent_at__gt=sec)
    inflight = Q(status=Status.ACCEPTED, lease_until__gt=now)
    windows: dict[int, LineWindow] = defaultdict(LineWindow)
    rows = (
        Message.objects.filter(line_id__in=line_ids)
        .filter(inflight | recent)
        .values("line_id")
        .annotate(
            inflight=Count("pk", filter=inflight),
            recent=Count("pk", filter=recent),
            oldest_recent=Min("sent_at", filter=recent),
        )
        .order_by()
    )
    for row in rows:
        window = windows[row["line_id"]]
        window.inflight, window.recent, window.oldest_recent = row["inflight"], row["recent"], row["oldest_recent"]
    # A minute bucket that overlaps the window counts whole: the limit errs on the safe side.
    hour, day = _minute(now) - HOUR, _minute(now) - DAY
    in_hour = Q(minute__gte=hour)
    usage = (
        LineUsage.objects.filter(line_id__in=line_ids, minute__gte=day)
        .values("line_id")
        .annotate(
            new_hour=Sum("new_contacts", filter=in_hour, default=0),
            oldest_new_hour=Min("minute", filter=in_hour),
            new_day=Sum("new_contacts", default=0),
            oldest_new_day=Min("minute"),
        )
        .order_by()
    )
    for row in usage:
        window = windows[row["line_id"]]
        window.new_hour, window.new_day = row["new_hour"], row["new_day"]
        # The bucket of minute m leaves the window once m + 1 min is an hour (a day) ago.
        window.oldest_new_hour = row["oldest_new_hour"] and row["oldest_new_hour"] + MINUTE
        window.oldest_new_day = row["oldest_new_day"] and row["oldest_new_day"] + MINUTE
    return windows


def record_new_contacts(counts: dict[int, int], now: datetime) -> None:
    """Add the new contacts a claim opened to each line's bucket of this minute."""
    if not counts:
        return
    minute = _minute(now)
    if connection.vendor == "postgresql":
        # One statement for every line of the claim: the claim holds the lines' row locks
        # until it commits, and a single send's claim may be waiting for one of them.
        table = LineUsage._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (line_id, minute, new_contacts) "
                "SELECT u.line_id, %s, u.n FROM unnest(%s::bigint[], %s::integer[]) AS u(line_id, n) "
                f"ON CONFLICT (line_id, minute) DO UPDATE SET new_contacts = {table}.new_contacts + EXCLUDED.new_contacts",
                [minute, list(counts), list(counts.values())],
            )
        return
    for line_id, count in counts.items():
        updated = LineUsage.objects.filter(line_id=line_id, minute=minute).update(
            new_contacts=F("new_contacts") + count
        )
        if not updated:
            # The claim holds the line's row lock: no one else creates this bucket meanwhile.
            LineUsage.objects.create(line_id=line_id, minute=minute, new_contacts=count)


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def active_conversations(conversation_ids, now: datetime) -> set[int]:
    """Those of these conversations with activity in the last 30 days."""
    since = now - NEW_CONTACT_AFTER
    return set(
        Message.objects.filter(conversation_id__in=conversation_ids)
        .filter(
            Q(status=Status.ACCEPTED)
            | Q(sent_at__gt=since)
            | Q(status=Status.RECEIVED, created_at__gt=since)
        )
        .values_list("conversation_id", flat=True)
        .distinct()
    )


def admit(
    candidates: list[Message], lines: dict[int, Line], now: datetime
) -> tuple[list[tuple[Message, bool]], dict[int, datetime]]:
    """Split claim candidates (in queue order) into those that go now, each with its
    new-contact flag, and those held: message id -> when to look again."""
    windows = line_windows(list(lines), now)
    active = active_conversations({m.conversation_id for m in candidates if m.conversation_id}, now)
    taken: dict[int, int] = defaultdict(int)
    taken_new: dict[int, int] = defaultdict(int)
    held_conversations: dict[int, datetime] = {}
    admitted: list[tuple[Message, bool]] = []
    held: dict[int, datetime] = {}
    for message in candidates:
        line, window = lines[message.line_id], windows[message.line_id]
        conv = message.conversation_id
        until = _burst_wait(line, window, taken[line.pk], now)
        is_new = bool(conv) and conv not in active
        if until is None and conv in held_conversations:
            # An earlier message to this contact is held: a later one must not overtake
            # it and open the conversation past the limit.
            until = held_conversations[conv]
        if until is None and is_new and not message.new_contact:
            until = _new_contact_wait(line, window, taken_new[line.pk], now)
        if until is not None:
            held[message.pk] = until
            if conv:
                held_conversations.setdefault(conv, until)
            continue
        taken[line.pk] += 1
        if is_new:
            if not message.new_contact:  # a retry of a counted first send is not counted twice
                taken_new[line.pk] += 1
            active.add(conv)
        admitted.append((message, is_new))
    record_new_contacts({k: v for k, v in taken_new.items() if v}, now)
    return admitted, held


def _burst_wait(line: Line, window: LineWindow, taken: int, now: datetime) -> datetime | None:
    if window.inflight + window.recent + taken < line.burst_per_second:
        return None
    if window.oldest_recent is not None and window.inflight + taken < line.burst_per_second:
        return max(window.oldest_recent + SECOND, now + timedelta(milliseconds=10))
    return now + INFLIGHT_RECHECK


def _new_contact_wait(line: Line, window: LineWindow, taken: int, now: datetime) -> datetime | None:
    if window.new_hour + taken >= line.new_contacts_per_hour:
        return (window.oldest_new_hour or now) + HOUR
    if window.new_day + taken >= line.new_contacts_per_day:
        return (window.oldest_new_day or now) + DAY
    return None


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1`` after a transient failure:
    ``MESSAGE_RETRY_BASE_SECONDS * 2**(attempts-1)``, at most ``MESSAGE_RETRY_MAX_SECONDS``."""
    seconds = settings.MESSAGE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.MESSAGE_RETRY_MAX_SECONDS))
