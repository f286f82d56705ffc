"""The numbers of the console dashboard and the lines page (read only).

The figures are read from the rollups (``services/rollups.py``): quarter hours of counts
per account, and each conversation's newest inbound and sent message, kept by a beat task
about half a minute behind the events. The dashboard never reads the messages' history, so it
costs the same at any size; its figures are as of the rollups' watermark (shown). Days
are the account's own (``Account.default_timezone``): "Today" starts at its midnight,
whoever looks.

Definitions, counted over messages *created* in the window:
- sent: outbound messages that reached the network (``sent_at`` set);
- delivered / read: outbound messages with ``delivered_at`` / ``read_at`` set;
- failed: outbound messages that ended ERROR (dead letter) or DECLINED (opted out...);
- replies: inbound messages; replied: conversations with at least one inbound message;
- delivery rate: delivered / sent; reply rate: replied conversations / conversations
  that were sent a message;
- opted out: contacts whose ``opted_out_at`` falls in the window.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from contacts.models import Contact
from outreach.models import Account
from outreach.timezones import is_zone

from .choices import Status
from .models import Conversation, Line, Message, MessageRollup, RollupWatermark
from .queue.limits import line_windows

PENDING = [Status.REGISTERED, Status.PENDING, Status.QUEUED]
#: The live queue's statuses (``msg_account_queue``'s condition: keep them equal).
QUEUE = [*PENDING, Status.ACCEPTED]


def zone_of(account: Account) -> tzinfo:
    """The account's time zone: its days are the dashboard's (UTC if it names none)."""
    name = account.default_timezone
    return zoneinfo.ZoneInfo(name) if name and is_zone(name) else zoneinfo.ZoneInfo("UTC")


def day_start(now: datetime | None = None, zone: tzinfo | None = None) -> datetime:
    """Midnight of today in ``zone`` (default: the active time zone)."""
    local = timezone.localtime(now or timezone.now(), zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Window:
    label: str
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    replies: int = 0
    replied: int = 0
    messaged: int = 0
    opted_out: int = 0

    @property
    def delivery_rate(self) -> int | None:
        return round(100 * self.delivered / self.sent) if self.sent else None

    @property
    def reply_rate(self) -> int | None:
        return round(100 * self.replied / self.messaged) if self.messaged else None


COUNTS = ("sent", "delivered", "read", "replies", "failed")
#: Conversations that replied / were messaged (``MessageRollup.replied`` / ``messaged``).
CONVERSATIONS = ("replied", "messaged")


def windows(account: Account, now: datetime | None = None, series: dict | None = None) -> list[Window]:
    """Today and the last 7 days (today included).

    The counts are sums of the chart's days (``series``), the conversations for the reply
    rate as well (each counts once, in the day of its newest reply / send); the opt-outs
    are one indexed query.
    """
    series = series or daily_series(account, now=now)
    today = day_start(now, zone_of(account))
    week = today - timedelta(days=6)
    opted = Contact.objects.filter(account=account, opted_out_at__gte=week).aggregate(
        today=Count("id", filter=Q(opted_out_at__gte=today)), week=Count("id")
    )
    result = []
    for prefix, label, days in (("today", "Today", 1), ("week", "Last 7 days", 7)):
        counts = {key: sum(series["series"][key][-days:]) for key in COUNTS}
        result.append(Window(label=label, opted_out=opted[prefix], **counts, **{
            key: sum(series["conversations"][key][-days:]) for key in CONVERSATIONS}))
    return result


def queue_stats(account: Account) -> dict[str, int]:
    """The queue by state, in the words of ``GET /api/v1/messages/queue/stats``: the live
    queue and the dead letters, each through its partial index, never the history."""
    live = Q(status__in=QUEUE) | Q(status=Status.ERROR, discarded_at__isnull=True)
    return Message.objects.filter(live, account=account, is_outbound=True).aggregate(
        pending=Count("id", filter=Q(status__in=PENDING, attempts=0)),
        processing=Count("id", filter=Q(status=Status.ACCEPTED)),
        failed=Count("id", filter=Q(status__in=PENDING, attempts__gt=0)),
        dead_letter=Count("id", filter=Q(status=Status.ERROR, discarded_at__isnull=True)),
    )


def _count(qs) -> Coalesce:
    return Coalesce(
        Subquery(qs.order_by().values("line").annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def lines_with_usage(account: Account, now: datetime | None = None, *, conversations: bool = True) -> list[Line]:
    """The account's lines, each with today's usage next to its limits (two queries), and
    its number of conversations unless ``conversations`` is False (the dashboard shows none:
    a count that grows with the account).

    New contacts are counted as the dispatcher's limiter counts them (``limits.
    line_windows``: sends that opened a conversation quiet for 30 days, over the last hour
    and the last 24 hours), so the bars show what actually holds sends back.
    """

    now = now or timezone.now()
    sent = Message.objects.filter(line=OuterRef("pk"), is_outbound=True, sent_at__gte=day_start(now, zone_of(account)))
    counts = {"sent_today": _count(sent)}  # msg_line_sent (line, sent_at): today's sends only
    if conversations:
        counts["conversation_count"] = _count(Conversation.objects.filter(line=OuterRef("pk")))
    lines = list(Line.objects.filter(account=account).annotate(**counts).order_by("number"))
    windows = line_windows([line.pk for line in lines], now) if lines else {}
    for line in lines:
        window = windows[line.pk]
        line.in_flight = window.inflight
        line.new_day = window.new_day
        line.new_hour = window.new_hour
        line.day_percent = percent(line.new_day, line.new_contacts_per_day)
        line.hour_percent = percent(line.new_hour, line.new_contacts_per_hour)
    return lines


def percent(used: int, limit: int) -> int:
    return min(100, round(100 * used / limit)) if limit else 0


def daily_series(account: Account, days: int = 14, now: datetime | None = None) -> dict:
    """Per day (the account's days) for the chart: sent, delivered, read, replies and
    failed, the sums of the day's quarter hours (one query); and the conversations that
    replied / were messaged, last, that day (``conversations``: not charted)."""
    zone = zone_of(account)
    today = day_start(now, zone)
    start = today - timedelta(days=days - 1)
    rows = (
        MessageRollup.objects.filter(account=account, period__gte=start)
        .annotate(day=TruncDate("period", tzinfo=zone))
        .values("day")
        .annotate(**{key: Sum(key) for key in COUNTS + CONVERSATIONS})
        .order_by("day")
    )
    by_day = {r["day"]: r for r in rows}
    dates = [(start + timedelta(days=i)).date() for i in range(days)]

    def column(key: str) -> list[int]:
        return [by_day.get(day, {}).get(key, 0) for day in dates]

    return {"labels": [day.isoformat() for day in dates], "series": {key: column(key) for key in COUNTS},
            "conversations": {key: column(key) for key in CONVERSATIONS}}


def as_of() -> datetime | None:
    """Up to when the rollups count (None: they never ran)."""
    return RollupWatermark.objects.filter(pk=1).values_list("as_of", flat=True).first()


def context(account: Account) -> dict:
    """Everything the dashboard template shows: constant queries at any size (the rollups,
    the live queue, the lines)."""
    now = timezone.now()
    chart = daily_series(account, now=now)
    today, week = windows(account, now=now, series=chart)
    return {"today": today, "week": week, "queue": queue_stats(account), "chart": chart, "as_of": as_of(),
            "chart_rows": chart_rows(chart), "lines": lines_with_usage(account, now, conversations=False)}


def chart_rows(chart: dict) -> list[tuple]:
    """The chart's days as table rows (day, then each count): its text alternative."""
    return list(zip(chart["labels"], *(chart["series"][key] for key in COUNTS), strict=True))
