"""Sending one message: validate, pick the line, write it QUEUED (or DECLINED), wake the
queue after commit. Nothing is sent here: a worker does that (messaging/queue/).

A single send costs a bounded number of statements whatever the account's size:
1. one SELECT for everything known about the recipient (contact, opt-out, its direct
   conversation and that conversation's line: ``lines.lookup_recipient``); a new
   contact's line comes from the cached line loads (``lines.least_busy_line_id``);
2. one statement that upserts the direct conversation (``last_message_at``), inserts the
   message and its QUEUED/DECLINED event (PostgreSQL: a data-modifying CTE; SQLite, the
   embedded mode, falls back to a few ORM statements: ``insert_message``);
then the webhook outbox (``webhooks.emit``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Contact
from outreach.choices import Dialect
from outreach.exceptions import InvalidInput
from outreach.models import Account

from .. import lines as line_choice
from .. import signals, validation
from ..choices import ErrorCode, ErrorKey, EventSource, MessageType, Status
from ..models import Conversation, Line, Message, MessageEvent
from ..queue.foreground import raise_flag
from ..queue.wake import wake_dispatcher, wake_dispatcher_at
from .transitions import emit_status


@dataclass(frozen=True)
class Body:
    """What a send says and how, whoever it goes to: the keywords ``send`` and
    ``send_group`` share, checked once and written onto the new message."""

    content: str = ""
    media_url: str = ""
    send_style: str = ""
    status_callback: str = ""
    priority: int = 0
    source: str = EventSource.API
    dialect: str = Dialect.SENDBLUE
    #: A scheduled send: due then, not now (1 minute to 35 days ahead).
    send_at: datetime | None = None
    #: The handle of the message this one answers inline (same conversation and line).
    reply_to: str = ""
    #: Withdrawn (EXPIRED) if not sent by then; in the future, after ``send_at``.
    expires_at: datetime | None = None

    def validated(self) -> Body:
        content = self.content or ""
        validation.validate_content(content, self.media_url)
        validation.validate_media_url(self.media_url)
        validation.validate_send_style(self.send_style)
        validation.validate_priority(self.priority)
        validation.validate_callback(self.status_callback)
        if self.send_at is not None:
            validation.validate_send_at(self.send_at, timezone.now())
        if self.expires_at is not None:
            validation.validate_expires_at(self.expires_at, timezone.now(), self.send_at)
        return replace(self, content=content)

    def message(self, account: Account, line: Line, now: datetime, **fields) -> Message:
        """A new outbound message of this body on ``line``, due ``now`` or at ``send_at``
        (``fields``: the rest)."""
        return Message(
            account=account, line=line, is_outbound=True, from_number=line.number, content=self.content,
            media_url=self.media_url, send_style=self.send_style, priority=self.priority,
            status_callback=self.status_callback, dialect=self.dialect,
            next_attempt_at=self.send_at or now, scheduled_for=self.send_at, expires_at=self.expires_at, **fields,
        )


@transaction.atomic
def send(account: Account, *, to: str, from_number: str | None = None, **body) -> Message:
    """Validate and queue one 1:1 message (``body``: the fields of ``Body``). Nothing is
    sent here: a worker does that.

    An opted-out recipient gives a DECLINED message (error_key OPTED_OUT), not an error.
    """
    body = Body(**body).validated()
    address = validation.normalize_address(to, field="number")
    if body.send_at is None:
        raise_flag()  # bulk dispatch holds back from here until the lane has sent it

    recipient = line_choice.lookup_recipient(account, address)
    line = _send_line(account, recipient, from_number)
    now = timezone.now()
    message = body.message(account, line, now, number=address, to_number=address)
    message.reply_to = reply_target(account, body.reply_to, recipient.conversation_id, line)
    message.thread_originator = originator(message.reply_to)
    if recipient.opted_out:
        message.status, detail = Status.DECLINED, "recipient opted out"
        message.error_code = ErrorCode.VALIDATION
        message.error_key = ErrorKey.OPTED_OUT
        message.error_message = f"{address} has opted out of messages from this account."
    else:
        message.status, detail, message.queued_at = Status.QUEUED, "", now
    event = MessageEvent(status=message.status, source=body.source, detail=detail)
    return queue_new(message, event, recipient.contact_id, now)


def send_keyword_reply(inbound: Message, text: str) -> Message:
    """The account's automatic answer to a keyword reply (contacts.keywords): queued on the
    line ``inbound`` came in on, in its conversation. It goes out even to a contact that has
    just opted out: that one confirmation is what the opt-out asks for."""
    now = timezone.now()
    message = Body(content=text, source=EventSource.SYSTEM).message(
        inbound.account, inbound.line, now, number=inbound.number, to_number=inbound.number,
        conversation=inbound.conversation,
    )
    message.status, message.queued_at = Status.QUEUED, now
    event = MessageEvent(status=Status.QUEUED, source=EventSource.SYSTEM, detail="keyword reply")
    return queue_new(message, event, None, now)


def reply_target(account: Account, handle: str, conversation_id, line: Line) -> Message | None:
    """The message a send answers inline: the account's, in the conversation the send goes
    to, on the same line (an inline reply lives in one thread)."""
    if not handle:
        return None
    try:
        target = Message.objects.filter(account=account, handle=uuid.UUID(str(handle))).first()
    except ValueError:
        target = None
    if target is None:
        raise InvalidInput(f"reply_to: no message {handle} in your account.", field="reply_to")
    if target.conversation_id is None or target.conversation_id != conversation_id or target.line_id != line.pk:
        raise InvalidInput(
            "reply_to must be a message of the conversation this send goes to, on the same line.", field="reply_to"
        )
    return target


def originator(parent: Message | None):
    """The handle of the thread a reply to ``parent`` is in: the root of the reply chain."""
    return (parent.thread_originator or parent.handle) if parent is not None else None


def queue_new(message: Message, event: MessageEvent, contact_id, now: datetime) -> Message:
    """Write a message born QUEUED (or DECLINED) with its first event, and tell the world as
    a transition would: webhook outbox, ``status_changed``, and (QUEUED) a wake-up after commit."""
    insert_message(message, event, contact_id, now)
    emit_status(message)
    # created=True: a message born here belongs to no campaign (they queue via enqueue_many).
    signals.status_changed.send(sender=Message, message=message, status=message.status, created=True)
    if message.status == Status.QUEUED and message.scheduled_for is not None:
        wake_dispatcher_at(message.scheduled_for)
    elif message.status == Status.QUEUED:
        wake_dispatcher(interactive=True)
    return message


def _send_line(account: Account, recipient: line_choice.Recipient, from_number: str | None) -> Line:
    """``from_number``'s line, else the recipient's sticky line, else the least busy one."""
    lines = {line.pk: line for line in line_choice.account_lines(account)}
    if from_number:
        return line_choice.resolve_from_line(account, from_number, lines.values())
    sticky = lines.get(recipient.conversation_line_id)
    if sticky is not None and sticky.active:
        return sticky
    line_id = line_choice.least_busy_line_id(account, lines.values())
    if line_id is None:
        raise line_choice.no_line()
    return lines.get(line_id) or Line.objects.get(pk=line_id)


def is_opted_out(account: Account, address: str) -> bool:
    return Contact.objects.filter(
        Q(account=account) & Q(e164_number=address) & Q(opted_out_at__isnull=False)
    ).exists()


# --- the insert -----------------------------------------------------------------------------------

def _columns(instance) -> tuple[list[str], list]:
    """Column names and database values of a new model instance (auto_now fields set)."""
    names, values = [], []
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.pre_save(instance, add=True)
        names.append(connection.ops.quote_name(field.column))
        values.append(field.get_db_prep_save(value, connection))
    return names, values


def insert_message(message: Message, event: MessageEvent, contact_id, now: datetime) -> Message:
    """The one way a single message is born (a send, a group send, an inbound message):
    ``message`` and its first ``event`` written at once, in the message's conversation
    (the one ``message.conversation`` names, else the address's direct conversation,
    upserted), which moves to the top of the inbox (``last_message_at``). A fan-out chunk
    is the other way, in bulk: ``enqueue.enqueue_many``.

    ``message.line`` and ``message.account`` are set; ``message.conversation`` is set on
    return (for an upserted one, a minimal instance with the ids that matter).
    """
    if message.conversation_id is not None or connection.vendor != "postgresql":
        return _insert_with_orm(message, event, contact_id, now)
    conversation = Conversation(
        account=message.account, line=message.line, address=message.number, contact_id=contact_id,
        message_type=MessageType.MESSAGE, last_message_at=now,
    )
    conv_cols, conv_vals = _columns(conversation)
    message.conversation_id = 0  # placeholder, replaced by the upserted id below
    msg_cols, msg_vals = _columns(message)
    conv_fk = connection.ops.quote_name("conversation_id")
    msg_select = ", ".join("conv.id" if c == conv_fk else "%s" for c in msg_cols)
    msg_vals = [v for c, v in zip(msg_cols, msg_vals, strict=True) if c != conv_fk]
    event.message_id = 0
    ev_cols, ev_vals = _columns(event)
    msg_fk = connection.ops.quote_name("message_id")
    ev_select = ", ".join("msg.id" if c == msg_fk else "%s" for c in ev_cols)
    ev_vals = [v for c, v in zip(ev_cols, ev_vals, strict=True) if c != msg_fk]
    sql = f"""
        WITH conv AS (
            INSERT INTO {Conversation._meta.db_table} ({", ".join(conv_cols)}) VALUES ({", ".join(["%s"] * len(conv_vals))})
            ON CONFLICT (account_id, address) WHERE message_type = '{MessageType.MESSAGE.value}'
            DO UPDATE SET last_message_at = EXCLUDED.last_message_at
            RETURNING id, line_id
        ), msg AS (
            INSERT INTO {Message._meta.db_table} ({", ".join(msg_cols)}) SELECT {msg_select} FROM conv
            RETURNING id
        ), ev AS (
            INSERT INTO {MessageEvent._meta.db_table} ({", ".join(ev_cols)}) SELECT {ev_select} FROM msg
        )
        SELECT msg.id, conv.id, conv.line_id FROM msg, conv
    """  # noqa: S608 - table and column names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*conv_vals, *msg_vals, *ev_vals])
        message.pk, conversation.pk, conversation.line_id = cursor.fetchone()
    message.conversation = conversation
    event.message = message
    return message


def _insert_with_orm(message: Message, event: MessageEvent, contact_id, now: datetime) -> Message:
    conversation = message.conversation if message.conversation_id is not None else direct_conversation(
        message.account, message.line, message.number, contact_id, now=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    message.conversation = conversation
    message.save(force_insert=True)
    event.message = message
    event.save(force_insert=True)
    return message


def direct_conversation(account: Account, line: Line, address: str, contact, *, now: datetime | None = None) -> Conversation:
    """The address's direct conversation, created on ``line`` if it has none (``contact``:
    a Contact, its id, or None)."""
    lookup = {"account": account, "address": address, "message_type": MessageType.MESSAGE}
    conversation = Conversation.objects.filter(**lookup).first()
    if conversation is None:
        contact_id = getattr(contact, "pk", contact)
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    account=account, line=line, address=address, contact_id=contact_id, last_message_at=now
                )
        except IntegrityError:  # created by a concurrent send
            conversation = Conversation.objects.get(**lookup)
    return conversation
