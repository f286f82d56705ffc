"""The dashboard's rollups (messaging/services/rollups.py) give the figures a scan of the
messages gives: for a mixed history in a zone of quarter-hour offset, after a late
receipt, and after the account changes its zone; a run is bounded and leaves young events
to the next one."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from messaging import dashboard, tasks
from messaging.choices import EventSource, Status
from messaging.models import Conversation, Message, MessageEvent, MessageRollup, RollupWatermark
from messaging.services import record_transition, rollups
from messaging.services.retention import delete_messages, redact_messages

from . import console_data as d

pytestmark = pytest.mark.django_db

#: Each kind of message: its direction and the steps it takes after QUEUED.
KINDS = {
    "queued": (True, []),
    "sent": (True, [Status.ACCEPTED, Status.SENT]),
    "delivered": (True, [Status.ACCEPTED, Status.SENT, Status.DELIVERED]),
    "read": (True, [Status.ACCEPTED, Status.SENT, Status.DELIVERED, Status.READ]),
    "error": (True, [Status.ACCEPTED, Status.ERROR]),
    "declined": (True, [Status.DECLINED]),
    "reply": (False, []),
}


def scan(account, now) -> dict:
    """The figures as the dashboard computed them before the rollups: every message of
    the last 14 days, grouped by the account's day (the reference)."""
    zone = dashboard.zone_of(account)
    today = dashboard.day_start(now, zone)
    start, week = today - timedelta(days=13), today - timedelta(days=6)
    rows = Message.objects.filter(account=account, created_at__gte=start).annotate(
        day=TruncDate("created_at", tzinfo=zone)).values("day").annotate(**rollups.COUNTS)
    by_day = {r["day"]: r for r in rows}
    days = [(start + timedelta(days=i)).date() for i in range(14)]
    series = {key: [by_day.get(day, {}).get(key, 0) for day in days] for key in rollups.COUNTS}
    out, inbound = Q(is_outbound=True, sent_at__isnull=False), Q(is_outbound=False)
    distinct = Message.objects.filter(account=account, created_at__gte=week).aggregate(
        today_replied=Count("conversation", distinct=True, filter=inbound & Q(created_at__gte=today)),
        today_messaged=Count("conversation", distinct=True, filter=out & Q(created_at__gte=today)),
        week_replied=Count("conversation", distinct=True, filter=inbound),
        week_messaged=Count("conversation", distinct=True, filter=out),
    )
    return {"labels": [day.isoformat() for day in days], "series": series, **distinct}


def shown(account, now) -> dict:
    chart = dashboard.daily_series(account, now=now)
    today, week = dashboard.windows(account, now=now, series=chart)
    return {"labels": chart["labels"], "series": chart["series"], "today_replied": today.replied, "today_messaged": today.messaged,
            "week_replied": week.replied, "week_messaged": week.messaged}


def make(conv, kind: str, at) -> Message:
    """A message born ``at`` with its QUEUED (or RECEIVED) event, moved through the status
    machine as the dispatcher and the network would move it."""
    outbound, steps = KINDS[kind]
    m = d.message(conv, kind, outbound=outbound, status=Status.QUEUED if outbound else Status.RECEIVED,
                  at=at, events=True)
    with transaction.atomic():
        for status in steps:
            record_transition(m, status, source=EventSource.DISPATCHER)
    return m


def history(account, line, now) -> list[Message]:
    """Two hundred messages over 15 days in a dozen conversations, and some on each side of
    the account's midnights (a quarter hour either way)."""
    rng = random.Random(18)
    convs = [d.conversation(account, line, f"+1512555{i:04d}") for i in range(12)]
    made = [make(rng.choice(convs), rng.choice(list(KINDS)), now - timedelta(minutes=rng.randrange(15 * 1440)))
            for _ in range(200)]
    midnight = dashboard.day_start(now, dashboard.zone_of(account))
    for days in (0, 1, 6, 7, 13):
        for minutes in (-16, -1, 0, 14, 15):
            made.append(make(rng.choice(convs), rng.choice(list(KINDS)), midnight - timedelta(days=days, minutes=minutes)))
    return made


def roll(now=None) -> None:
    while rollups.refresh(now=(now or timezone.now()) + rollups.SETTLE) == rollups.BATCH:
        pass


def test_the_rollups_give_the_scans_figures_through_late_receipts_and_zone_changes(account, other_account, line):
    account.default_timezone = "Asia/Kathmandu"  # UTC+5:45: whole hours would not do
    account.save()
    # Yesterday's local noon: "five minutes ago" is the same local day whatever the time of
    # the run (just after Kathmandu's midnight it would not be).
    now = dashboard.day_start(timezone.now(), dashboard.zone_of(account)) - timedelta(hours=12)
    made = history(account, line, now)
    history(other_account, d.line(other_account, "+15125550900"), now)  # never counted for us
    roll()
    assert shown(account, now) == scan(account, now)
    assert sum(scan(account, now)["series"]["sent"]) > 50  # a history worth comparing

    # Receipts for messages the last run counted: each lands in its message's own day.
    late = [m for m in made if m.status == Status.SENT][:5]
    with transaction.atomic():
        for m in late:
            record_transition(m, Status.READ, source=EventSource.PROVIDER)
    before = shown(account, now)
    roll()
    assert shown(account, now) == scan(account, now) != before

    # New messages in old conversations: each conversation's newest reply / send moves from
    # an earlier day to today (counted once, in its new day).
    for conv in {m.conversation_id: m.conversation for m in made}.values():
        make(conv, "reply", now - timedelta(minutes=5))
        make(conv, "delivered", now - timedelta(minutes=4))
    before = shown(account, now)
    roll()
    assert shown(account, now) == scan(account, now) != before
    assert shown(account, now)["today_replied"] == 12

    account.default_timezone = "America/St_Johns"  # UTC-3:30: the same quarter hours, regrouped
    account.save()
    assert shown(account, now) == scan(account, now)


def test_a_run_is_bounded_and_leaves_young_events_to_the_next(account, line):
    conv = d.conversation(account, line, "+15125550101")
    rollups.rebuild()
    for days in (1, 2, 3):  # three quarter hours
        make(conv, "reply", timezone.now() - timedelta(days=days))
    now = timezone.now()
    assert rollups.refresh(now=now) == 0  # younger than SETTLE: their transactions may be open
    assert rollups.refresh(now=now + rollups.SETTLE, limit=2) == 2
    mark = RollupWatermark.objects.get()
    assert mark.as_of < now  # behind: the batch was full
    assert MessageRollup.objects.filter(account=account, replies=1).count() == 2
    assert rollups.refresh(now=now + rollups.SETTLE, limit=2) == 1
    assert MessageRollup.objects.filter(account=account, replies=1).count() == 3
    assert RollupWatermark.objects.get().as_of == now


def test_the_last_inbound_and_sent_times_never_move_back(account, line):
    conv = d.conversation(account, line, "+15125550101")
    now = timezone.now()
    rollups.rebuild()
    newest = make(conv, "sent", now - timedelta(days=1))
    make(conv, "reply", now - timedelta(days=2))
    roll()
    older = make(conv, "sent", now - timedelta(days=3))
    roll()
    conv.refresh_from_db()
    assert (conv.last_sent_at, conv.last_inbound_at) == (newest.created_at, now - timedelta(days=2))
    assert older.created_at < conv.last_sent_at


def test_a_purged_messages_counts_stay_and_a_redacted_ones_do_not_change(account, line):
    conv = d.conversation(account, line, "+15125550101")
    now = timezone.now()
    rollups.rebuild()
    kept, gone = make(conv, "delivered", now - timedelta(days=2)), make(conv, "delivered", now - timedelta(days=2))
    roll()
    redact_messages([kept.pk], now)
    delete_messages([gone.pk])
    roll()
    assert sum(dashboard.daily_series(account, now=now)["series"]["delivered"]) == 2
    assert Conversation.objects.get(pk=conv.pk).last_sent_at is not None


def test_the_beat_task_drains_a_backlog_in_batches(account, line, monkeypatch):
    conv = d.conversation(account, line, "+15125550101")
    rollups.rebuild()
    for days in (1, 2, 3):
        make(conv, "reply", timezone.now() - timedelta(days=days))
    MessageEvent.objects.update(created_at=timezone.now() - rollups.SETTLE)  # settled
    monkeypatch.setattr(rollups, "BATCH", 2)
    assert tasks.roll_up() == 3  # a full batch, then the rest
    assert sum(dashboard.daily_series(account)["series"]["replies"]) == 3
    assert "messaging-roll-up" in settings.CELERY_BEAT_SCHEDULE
