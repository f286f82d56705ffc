"""The hot path of ``services.send``: a bounded, constant number of SQL statements.

A send costs, whatever the account's size:
1. one SELECT for everything known about the recipient (contact, opt-out, its direct
   conversation and that conversation's line);
   for a new contact without ``from_number``, the least busy line comes from the cached
   line loads (``least_busy_line_id``; counted again at most every 30 s per account);
2. one statement that upserts the direct conversation (``last_message_at``), inserts the
   message and its QUEUED/DECLINED event (PostgreSQL: a data-modifying CTE; SQLite, the
   embedded mode, falls back to a few ORM statements);
then the webhook outbox (``webhooks.emit``). The account's lines come from the Django
cache (Redis in production), cleared whenever a line is saved or deleted.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contacts.models import Contact
from outreach.models import Account

from .choices import MessageType
from .models import Conversation, Line, Message, MessageEvent

LINES_CACHE_SECONDS = 300
LINE_FIELDS = ("id", "account_id", "number", "name", "active")


def _lines_key(account_id) -> str:
    return f"messaging:lines:{account_id}"


def account_lines(account: Account) -> list[Line]:
    """The account's lines (active or not), from the cache when it has them (deferred
    instances: only ``LINE_FIELDS`` are loaded)."""
    key = _lines_key(account.pk)
    lines = cache.get(key)
    if lines is None:
        # Only what choosing a line needs: provider settings (credentials) stay out of
        # the cache, and any other field is loaded from the database if ever read.
        lines = list(Line.objects.filter(account=account).only(*LINE_FIELDS).order_by("number"))
        cache.set(key, lines, LINES_CACHE_SECONDS)
    return lines


@receiver([post_save, post_delete], sender=Line, dispatch_uid="messaging-lines-cache")
def _forget_lines(sender, instance: Line, **kwargs) -> None:
    # After commit too: a concurrent reader may re-cache the old rows before we commit.
    cache.delete(_lines_key(instance.account_id))
    transaction.on_commit(lambda: cache.delete(_lines_key(instance.account_id)))


@dataclass(frozen=True)
class Recipient:
    contact_id: object | None
    opted_out: bool
    conversation_id: int | None
    conversation_line_id: int | None


#: How old the counted line loads may get before a send counts them again.
LOADS_SECONDS = 30


def line_loads(line_ids: list[int]) -> dict[int, int]:
    """Direct and group conversations per line (lines with none are left out)."""
    return dict(Conversation.objects.filter(line_id__in=line_ids).values_list("line_id").annotate(n=Count("pk")))


def least_busy_line_id(account: Account, lines=None, *, claim: bool = True) -> int | None:
    """The active line with the fewest direct conversations (ties: lowest number).

    Counting an account's conversations per line scans them all (70 ms at 100,000), too
    much for every send to a new contact: the counts are cached per account for
    ``LOADS_SECONDS`` and each pick adds one to its line there, so a burst of new contacts
    still spreads over the lines (``claim=False``: a look that opens no conversation, and
    adds nothing). Two sends picking at the same moment may both miss the
    other's increment: the balance is approximate, as the recount every 30 s corrects.
    """
    active = {line.pk: line for line in (lines if lines is not None else account_lines(account)) if line.active}
    if not active:
        return None
    key = f"messaging:line-loads:{account.pk}"
    now = time.time()
    cached = cache.get(key)
    if cached is None or now - cached["at"] > LOADS_SECONDS or set(cached["loads"]) != set(active):
        counted = line_loads(list(active))
        cached = {"at": now, "loads": {pk: counted.get(pk, 0) for pk in active}}
    loads = cached["loads"]
    pick = min(active, key=lambda pk: (loads[pk], active[pk].number))
    loads[pick] += int(claim)
    cache.set(key, cached, LOADS_SECONDS * 2)
    return pick


def lookup_recipient(account: Account, address: str) -> Recipient:
    """Contact, opt-out and direct conversation of ``address`` in one query."""
    contact = Contact.objects.filter(account=account, e164_number=address)
    conversation = Conversation.objects.filter(
        account=account, address=address, message_type=MessageType.MESSAGE
    )
    fields = ["contact_id", "opted_out_at", "conversation_id", "conversation_line_id"]
    query = Account.objects.filter(pk=account.pk).annotate(
        contact_id=Subquery(contact.values("pk")[:1]),
        opted_out_at=Subquery(contact.values("opted_out_at")[:1]),
        conversation_id=Subquery(conversation.values("pk")[:1]),
        conversation_line_id=Subquery(conversation.values("line_id")[:1]),
    )
    row = query.values(*fields).first() or {}
    return Recipient(
        contact_id=row.get("contact_id"),
        opted_out=row.get("opted_out_at") is not None,
        conversation_id=row.get("conversation_id"),
        conversation_line_id=row.get("conversation_line_id"),
    )


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
    """Write ``message`` (its direct conversation upserted) and ``event`` at once.

    ``message.line`` and ``message.account`` are set; ``message.conversation`` is set on
    return (a minimal instance: the direct conversation with the ids that matter).
    """
    if connection.vendor != "postgresql":
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
    conv_table = Conversation._meta.db_table
    sql = f"""
        WITH conv AS (
            INSERT INTO {conv_table} ({", ".join(conv_cols)}) VALUES ({", ".join(["%s"] * len(conv_vals))})
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
    conversation = Conversation.objects.filter(
        account=message.account, address=message.number, message_type=MessageType.MESSAGE
    ).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    account=message.account, line=message.line, address=message.number,
                    contact_id=contact_id, last_message_at=now,
                )
        except IntegrityError:  # created by a concurrent send
            conversation = Conversation.objects.get(
                account=message.account, address=message.number, message_type=MessageType.MESSAGE
            )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    message.conversation = conversation
    message.save(force_insert=True)
    event.message = message
    event.save(force_insert=True)
    return message
