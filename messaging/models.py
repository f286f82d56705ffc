"""Sending lines, handles, conversations, messages and their events."""
from __future__ import annotations

import hashlib
import uuid

from django.db import models
from django.db.models import F, Q

from contacts.models import Contact
from outreach.choices import Dialect
from outreach.models import Account

from .choices import (
    ErrorKey,
    EventSource,
    MessageType,
    Provider,
    SendStyle,
    Service,
    Status,
    Tapback,
)
from .providers import registry
from .status import is_scheduled


class Line(models.Model):
    """One of an account's sending numbers, and the provider that carries it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lines")
    number = models.CharField(max_length=32, unique=True, help_text="E.164")
    name = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=32, choices=registry.choices, default=Provider.SANDBOX)
    #: Provider settings (server URL, credentials...). Never rendered back in full.
    provider_settings = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    #: Per-line limits; defaults from the Sendblue/Arnio guidance.
    burst_per_second = models.PositiveIntegerField(default=10)
    new_contacts_per_hour = models.PositiveIntegerField(default=15)
    new_contacts_per_day = models.PositiveIntegerField(default=50)
    healthy = models.BooleanField(default=True)
    health_error = models.TextField(blank=True)
    #: When the line last went from healthy to unhealthy (None while healthy).
    unhealthy_since = models.DateTimeField(null=True, blank=True)
    #: When the line's state (``lines_v2.line_status``: online, degraded, offline) last
    #: changed: health flipped, or the line was deactivated or reactivated.
    state_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name or self.number


class Handle(models.Model):
    """What one provider told one account about an address (E.164 or Apple ID email): the
    service it last supported (see handle_cache.py)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="handles")
    provider = models.CharField(max_length=32, choices=registry.choices)
    address = models.CharField(max_length=254)
    service = models.CharField(max_length=16, choices=Service.choices, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "provider", "address"], name="one_handle_per_provider_address"),
        ]

    def __str__(self) -> str:
        return self.address


def participants_key(participants) -> str:
    """The canonical key of a set of participants (order and repeats do not matter)."""
    return hashlib.sha256("\n".join(sorted(set(participants))).encode()).hexdigest()


class Conversation(models.Model):
    """A thread on one line: 1:1 with an address, or a group with a ``group_id``.

    A direct conversation also makes the line sticky: once a contact talked to a line,
    later messages to that contact leave from the same line.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversations")
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="conversations")
    message_type = models.CharField(max_length=16, choices=MessageType.choices, default=MessageType.MESSAGE)
    #: The other party's address, for 1:1 threads ("" for groups).
    address = models.CharField(max_length=254, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    group_id = models.CharField(max_length=64, blank=True, db_index=True)
    group_display_name = models.CharField(max_length=200, blank=True)
    #: The group chat's photo (``POST /api/v2/groups/{id}/photo``); None: no photo.
    group_photo = models.ForeignKey(
        "MediaObject", null=True, blank=True, on_delete=models.SET_NULL, related_name="group_photo_of"
    )
    participants = models.JSONField(default=list, blank=True)
    #: Groups: sha256 of the sorted participants (``participants_key``), unique per line,
    #: so one set of people has one group per line however many sends race to create it.
    participants_key = models.CharField(max_length=64, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    #: The ``created_at`` of its newest inbound message, and of its newest outbound one
    #: that was sent: the dashboard's replied / messaged conversations. Kept by the rollup
    #: task (``services/rollups.py``), as of its watermark, never by the send path.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "address"],
                condition=Q(message_type=MessageType.MESSAGE),
                name="one_direct_conversation_per_address",
            ),
            models.UniqueConstraint(
                fields=["account", "line", "participants_key"],
                condition=Q(message_type=MessageType.GROUP) & ~Q(participants_key=""),
                name="one_group_per_line_and_participants",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-last_message_at"], name="conv_recent"),
            # The dashboard's distinct conversations (replied / messaged since a day's start).
            models.Index(F("account"), F("last_inbound_at"), name="conv_last_inbound",
                         condition=Q(last_inbound_at__isnull=False)),
            models.Index(F("account"), F("last_sent_at"), name="conv_last_sent",
                         condition=Q(last_sent_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.group_display_name or self.address or self.group_id


class Message(models.Model):
    """One message, in or out. Its status moves only through ``messaging.status``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    #: ``message_handle`` in the Sendblue dialect, ``id`` in the v1 dialect.
    handle = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    is_outbound = models.BooleanField(default=True)
    #: The end user's address (the recipient when outbound, the sender when inbound).
    number = models.CharField(max_length=254, blank=True)
    from_number = models.CharField(max_length=254, blank=True)
    to_number = models.CharField(max_length=254, blank=True)
    content = models.TextField(blank=True)
    media_url = models.URLField(max_length=2000, blank=True)
    send_style = models.CharField(max_length=32, choices=SendStyle.choices, blank=True)
    message_type = models.CharField(max_length=16, choices=MessageType.choices, default=MessageType.MESSAGE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    service = models.CharField(max_length=16, choices=Service.choices, blank=True)
    was_downgraded = models.BooleanField(null=True)
    priority = models.SmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: When the dispatcher may next take it (retry backoff, quiet hours, limits, pace).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: A scheduled send's time (``send_at``): it waits QUEUED until then, shown as SCHEDULED.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    #: Not sent by then: EXPIRED, never sent late (decided at claim time and by a sweep).
    expires_at = models.DateTimeField(null=True, blank=True)
    #: The message this one answers inline (an iMessage reply), in the same conversation.
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    #: The handle of the message that started the inline-reply thread this one is in (the
    #: root of its ``reply_to`` chain; Sendblue's ``thread_originator``); None: no reply.
    thread_originator = models.UUIDField(null=True, blank=True)
    #: Set when a worker claims the message (ACCEPTED): identifies the claim.
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: The claim holds until then; its live worker keeps pushing it on (messaging/queue/lease.py).
    #: An expired lease is a dead worker's: not in flight, and re-queued by the reconciler.
    lease_until = models.DateTimeField(null=True, blank=True)
    #: Set at claim: this send opened a conversation idle for 30 days (counts against the
    #: line's new-contacts-per-hour/day limits).
    new_contact = models.BooleanField(default=False)
    #: Body and media blanked (data retention, or a DELETE): status and timestamps stay.
    redacted_at = models.DateTimeField(null=True, blank=True)
    #: A dead letter (ERROR) someone chose to drop: it leaves the dead-letter queue.
    discarded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    error_key = models.CharField(max_length=32, choices=ErrorKey.choices, blank=True)
    status_callback = models.URLField(max_length=2000, blank=True)
    #: The wire dialect it was sent in: its status callbacks speak it (payloads.py).
    dialect = models.CharField(max_length=16, choices=Dialect.choices, default=Dialect.SENDBLUE)
    #: The provider's own id (BlueBubbles guid).
    provider_message_id = models.CharField(max_length=128, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The dispatcher's queue: due QUEUED messages, highest priority, then oldest.
            models.Index(
                F("priority").desc(), F("created_at"), name="msg_queue",
                condition=Q(status=Status.QUEUED),
            ),
            models.Index(fields=["account", "-created_at"], name="msg_account_recent"),
            # The dashboard's queue figures: an account's live queue (dashboard.QUEUE).
            models.Index(F("account"), F("status"), name="msg_account_queue", condition=Q(status__in=[
                Status.REGISTERED, Status.PENDING, Status.QUEUED, Status.ACCEPTED])),
            # The expiry sweep: queued messages with a deadline, soonest first.
            models.Index(F("expires_at"), name="msg_expiring",
                         condition=Q(status=Status.QUEUED, expires_at__isnull=False)),
            models.Index(fields=["conversation", "-created_at"], name="msg_thread"),
            models.Index(fields=["account", "number"], name="msg_account_number"),
            # The dead-letter view: an account's undiscarded ERROR messages, newest first.
            models.Index(
                F("account"), F("updated_at").desc(), F("id").desc(), name="msg_dead_letters",
                condition=Q(status=Status.ERROR, discarded_at__isnull=True),
            ),
            # The limiter's windows (messages in flight, sent in the last second, new
            # contacts in the last hour/day) and the reconciler's stale claims.
            models.Index(
                F("line"), F("sent_at"), name="msg_line_sent", condition=Q(sent_at__isnull=False)
            ),
            models.Index(
                F("line"), F("lease_until"), name="msg_line_inflight", condition=Q(status=Status.ACCEPTED)
            ),
        ]

    @property
    def is_scheduled(self) -> bool:
        """Waiting for its own time (``send_at``): shown as SCHEDULED, cancellable."""
        return is_scheduled(self)

    def __str__(self) -> str:
        return f"{self.handle} {self.status}"


class MessageEvent(models.Model):
    """Every status change of a message, with where it came from."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=Status.choices)
    source = models.CharField(max_length=16, choices=EventSource.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Attachment(models.Model):
    """A file on a message (outbound media, or media received)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    url = models.URLField(max_length=2000)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class MediaObject(models.Model):
    """A file uploaded through ``/api/upload-media-object``, served by an unguessable URL."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media_objects")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to="media/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)


class LineUsage(models.Model):
    """New contacts a line opened, per minute: the hourly and daily windows of its limits
    are sums over the last 60 minutes / 1,440 minutes (kept small, unlike a count of
    messages, which grows with every send of the day)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="usage")
    minute = models.DateTimeField()
    new_contacts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "minute"], name="one_usage_row_per_line_minute")]


class MessageRollup(models.Model):
    """An account's messages created in one quarter hour (``period``, UTC), counted as the
    dashboard counts them, and its conversations whose newest reply / send is in it. Quarter hours add up to any zone's days (every offset in use is
    a multiple of 15 minutes), so a zone change needs no rewrite. Written only by
    ``services/rollups.py``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="message_rollups")
    period = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    #: Conversations whose newest inbound / sent message was created in this quarter hour:
    #: summed since T, the conversations that replied / were messaged since T.
    replied = models.PositiveIntegerField(default=0)
    messaged = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="one_rollup_per_account_period")]


class RollupWatermark(models.Model):
    """How far the rollup task has read the events (one row): every event up to
    ``event_id`` is counted, and the figures are as of ``as_of``."""

    event_id = models.BigIntegerField(default=0)
    as_of = models.DateTimeField(null=True, blank=True)


class Reaction(models.Model):
    """A tapback on a message, ours or a customer's: one per person and part of a message
    (a new one replaces it, as on the phone)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reactions")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Tapback.choices)
    #: Who reacted: one of our lines (``is_outbound``) or the customer's address.
    from_address = models.CharField(max_length=254)
    is_outbound = models.BooleanField(default=False)
    part_index = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["message", "from_address", "part_index"], name="one_reaction_per_person_and_part",
        )]


class InboxSettings(models.Model):
    """An account's inbox choices (Settings → Inbox); an account without a row has the defaults."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="inbox_settings")
    #: Staff opening a thread with unread messages sends a read receipt where the line's
    #: network can (``mark_read``); off: the thread is read here only.
    mark_read_on_open = models.BooleanField(default=True)


# The sandbox carrier's tables belong to its provider package (same app, same tables).
from .providers.sandbox.models import SandboxAction, SandboxReport, SandboxSend  # noqa: E402, F401
