"""The fan-out service on the database (no worker): what it writes, and that it is
idempotent. The same paths run in a worker in test_api_campaigns."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns import fanout, services
from campaigns.choices import CampaignStatus
from campaigns.models import CampaignRecipient, FanoutSlice
from contacts.models import Contact
from messaging.choices import Status
from messaging.models import Conversation, Message, MessageEvent
from messaging.services import send

from . import factories as f

pytestmark = pytest.mark.django_db


def make(account, numbers, **extra):
    lst = f.audience(account, numbers)
    data = {"name": "Spring", "body": "Hi {first_name|there}", "window_start": dt.time(0),
            "window_end": dt.time(0), **extra}
    return services.create_campaign(account, data, list_ids=[lst.pk]), lst


def started(account, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.start(account, campaign.pk)
    campaign.refresh_from_db()
    return campaign


def test_it_queues_one_personalised_message_per_contact(account, django_capture_on_commit_callbacks):
    f.lines(account, 2)
    campaign, lst = make(account, ["+15125550111", "+15125550112", "+15125550113"])
    Contact.objects.filter(e164_number="+15125550111").update(first_name="Ann")
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.ACTIVE and campaign.audience_count == 3

    assert fanout.run(campaign.pk) is False
    messages = Message.objects.filter(campaign_recipient__campaign=campaign)
    assert messages.count() == 3
    assert set(messages.values_list("status", flat=True)) == {Status.QUEUED}
    assert sorted(messages.values_list("content", flat=True)) == ["Hi Ann", "Hi there", "Hi there"]
    # Each has its line (spread over both) and its QUEUED event; no conversation yet.
    assert len(set(messages.values_list("line_id", flat=True))) == 2
    assert MessageEvent.objects.filter(message__in=messages, status=Status.QUEUED).count() == 3
    assert not Conversation.objects.filter(account=account).exists()
    campaign.refresh_from_db()
    assert campaign.fanout_done_at is not None and campaign.fanout_count == 3

    # Claimed, each joins a conversation of its own, on the line it was given.
    from messaging.queue import dispatch

    dispatch.run_chunk()
    rows = list(messages.values_list("conversation__address", "conversation__line_id", "line_id",
                                     "conversation__contact__e164_number"))
    assert sorted(r[0] for r in rows) == ["+15125550111", "+15125550112", "+15125550113"]
    assert all(conv_line == line for _, conv_line, line, _ in rows)
    assert all(address == contact for address, _, _, contact in rows)


def test_a_repeated_fanout_creates_no_second_message(account, django_capture_on_commit_callbacks, settings):
    f.lines(account, 1)
    campaign, lst = make(account, [f"+151255502{i:02d}" for i in range(10, 15)])
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    settings.FANOUT_CHUNK = 2
    assert fanout.plan_slices(campaign) == [0]
    assert fanout.fan_out_chunk(campaign.pk, 0) is True
    # A crash lost the cursor (or a redelivered task starts from scratch): run it all again.
    FanoutSlice.objects.filter(campaign=campaign).update(cursor=None, count=0, done_at=None)
    fanout.run(campaign.pk)
    fanout.run(campaign.pk)
    assert Message.objects.filter(campaign_recipient__campaign=campaign).count() == 5
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 5


def test_opted_out_contacts_are_left_out_and_sticky_lines_kept(account, django_capture_on_commit_callbacks):
    one, two = f.lines(account, 2)
    campaign, lst = make(account, ["+15125550121", "+15125550122"], )
    Contact.objects.filter(e164_number="+15125550122").update(opted_out_at=timezone.now())
    # The first contact already talks to line two.
    earlier = send(account, to="+15125550121", content="hello", from_number=two.number)
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    assert campaign.audience_count == 1
    fanout.run(campaign.pk)
    message = Message.objects.get(campaign_recipient__campaign=campaign)
    assert message.to_number == "+15125550121" and message.line_id == two.pk
    assert message.conversation_id == earlier.conversation_id


def test_a_conversation_opened_after_the_fanout_carries_the_message_on_its_line(
    account, django_capture_on_commit_callbacks
):
    """Queued without a conversation, the message meets the one the contact opened since
    (a reply to another line): it joins it and leaves from that line, the sticky one."""
    from messaging.providers.base import ProviderEvent
    from messaging.queue import dispatch
    from messaging.services import receive_inbound

    one, two = f.lines(account, 2)
    campaign, _ = make(account, ["+15125550141"])
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)
    message = Message.objects.get(campaign_recipient__campaign=campaign)
    assert message.conversation_id is None
    other = two if message.line_id == one.pk else one
    reply = receive_inbound(other, ProviderEvent(kind="inbound", from_address="+15125550141", to_number=other.number, content="hello?"))

    assert [m.pk for m in dispatch.run_chunk().claimed] == [message.pk]
    message.refresh_from_db()
    assert message.conversation_id == reply.conversation_id
    assert message.line_id == other.pk and message.from_number == other.number
    assert Conversation.objects.filter(account=account).count() == 1


def test_quiet_hours_hold_each_contact_until_its_own_morning(account, django_capture_on_commit_callbacks, monkeypatch):
    f.lines(account, 1)
    account.default_timezone = "Asia/Tokyo"
    account.save()
    lst = f.audience(account, [])
    f.contact(account, "+15125550131", lists=[lst], timezone="America/Los_Angeles")
    f.contact(account, "+15125550132", lists=[lst])  # no timezone: the account's (Tokyo)
    campaign = services.create_campaign(account, {"name": "Q", "body": "Hi"}, list_ids=[lst.pk])
    # 07:00 UTC: 23:00 the evening before in Los Angeles, 16:00 in Tokyo.
    now = dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)
    due = dict(Message.objects.filter(campaign_recipient__campaign=campaign).values_list("to_number", "next_attempt_at"))
    la = ZoneInfo("America/Los_Angeles")
    assert due["+15125550131"].astimezone(la) == dt.datetime(2026, 3, 11, 9, 0, tzinfo=la)
    assert due["+15125550132"] == now


def test_pace_spreads_due_times(account, django_capture_on_commit_callbacks):
    f.lines(account, 1)
    campaign, lst = make(account, [f"+151255501{i}0" for i in range(4)], pace_per_minute=20)
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)
    due = sorted(Message.objects.filter(campaign_recipient__campaign=campaign).values_list("next_attempt_at", flat=True))
    gaps = {(b - a).total_seconds() for a, b in zip(due, due[1:], strict=False)}
    assert gaps == {3.0}
    assert due[0] == campaign.started_at


def test_pause_holds_unclaimed_messages_and_resume_releases_them(account, django_capture_on_commit_callbacks):
    from campaigns.schedule import HELD_UNTIL

    f.lines(account, 1)
    campaign, lst = make(account, ["+15125550151", "+15125550152"])
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)
    messages = Message.objects.filter(campaign_recipient__campaign=campaign)
    claimed = messages.first()
    Message.objects.filter(pk=claimed.pk).update(status=Status.ACCEPTED)  # a worker has it
    services.pause(account, campaign.pk)
    assert messages.get(pk=claimed.pk).next_attempt_at != HELD_UNTIL
    assert messages.exclude(pk=claimed.pk).get().next_attempt_at == HELD_UNTIL
    with django_capture_on_commit_callbacks(execute=False):
        services.resume(account, campaign.pk)
    assert messages.exclude(pk=claimed.pk).get().next_attempt_at <= timezone.now()


def test_engagement_of_a_dispatched_chunk_costs_the_same_queries_whatever_its_size(
    account, django_capture_on_commit_callbacks
):
    """The dispatcher's chunks move 100s of campaign messages at once (queued, sent,
    delivered, read: each READ completes an engagement): the recipients are followed in a
    constant number of statements, not a few per message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.choices import Outcome
    from messaging.queue import dispatch

    f.lines(account, 1)
    line = account.lines.get()
    line.burst_per_second = line.new_contacts_per_hour = line.new_contacts_per_day = 1000
    line.save()
    # Numbers ending in 00: the sandbox reports delivered and read with the send.
    campaign, _ = make(account, [f"+151255{i:03d}00" for i in range(30)])
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)

    def chunk_queries(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(dispatch.run_chunk(size).claimed) == size
        return len(ctx.captured_queries)

    chunk_queries(2)  # the first of the minute also creates the line's usage bucket
    assert chunk_queries(3) == chunk_queries(20)
    recipients = CampaignRecipient.objects.filter(campaign=campaign, message__status=Status.READ)
    assert recipients.count() == 25
    assert set(recipients.values_list("outcome", flat=True)) == {Outcome.READ}
    assert not recipients.filter(completed_at__isnull=True).exists()
    from webhooks.models import Event

    assert Event.objects.filter(account=account, type="campaign_engagement_completed").count() == 25


def test_a_large_audience_is_cut_into_slices_that_together_queue_each_contact_once(
    account, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.FANOUT_SLICES = 3
    settings.FANOUT_SLICE_MIN = 10
    settings.FANOUT_CHUNK = 4
    f.lines(account, 2)
    numbers = [f"+15125553{i:03d}" for i in range(30)]
    campaign, _ = make(account, numbers)
    campaign = started(account, campaign, django_capture_on_commit_callbacks)

    assert fanout.plan_slices(campaign) == [0, 1, 2]
    assert fanout.plan_slices(campaign) == [0, 1, 2]  # planned once
    slices = list(FanoutSlice.objects.filter(campaign=campaign))
    # Adjacent ranges of the id space: (None, a], (a, b], (b, None].
    assert slices[0].cursor is None and slices[-1].end is None
    assert [s.end for s in slices[:-1]] == [s.cursor for s in slices[1:]]

    # Slices run one chunk at a time in turn, as two workers would interleave them.
    while any(fanout.fan_out_chunk(campaign.pk, i) for i in (0, 1, 2)):
        pass
    assert fanout.finish(campaign.pk) is True
    campaign.refresh_from_db()
    assert campaign.fanout_done_at is not None and campaign.fanout_count == 30
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    assert sorted(recipients.values_list("message__to_number", flat=True)) == numbers
    seqs = list(recipients.values_list("seq", flat=True))
    assert len(set(seqs)) == 30  # slice i gives n * 3 + i to its n-th recipient
    for part in FanoutSlice.objects.filter(campaign=campaign):
        mine = CampaignRecipient.objects.filter(campaign=campaign, seq__in=[n * 3 + part.index for n in range(30)])
        assert mine.count() == part.count
        ids = [r.contact_id for r in mine]
        assert all((part.end is None or i <= part.end) for i in ids)
    assert fanout.finish(campaign.pk) is False  # once


def test_a_paused_campaign_stops_every_slice_and_resuming_finishes_them(
    account, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.FANOUT_SLICES = 2
    settings.FANOUT_SLICE_MIN = 10
    settings.FANOUT_CHUNK = 3
    f.lines(account, 1)
    campaign, _ = make(account, [f"+15125554{i:03d}" for i in range(20)])
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.plan_slices(campaign)
    assert fanout.fan_out_chunk(campaign.pk, 0) is True
    with django_capture_on_commit_callbacks(execute=False):
        services.pause(account, campaign.pk)
    assert fanout.fan_out_chunk(campaign.pk, 0) is False
    assert fanout.fan_out_chunk(campaign.pk, 1) is False
    assert fanout.finish(campaign.pk) is False
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3
    with django_capture_on_commit_callbacks(execute=False):
        services.resume(account, campaign.pk)
    assert fanout.run(campaign.pk) is False
    campaign.refresh_from_db()
    assert campaign.fanout_done_at is not None
    assert Message.objects.filter(campaign_recipient__campaign=campaign).count() == 20
