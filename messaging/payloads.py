"""The Sendblue/Arnio message body (seeds 000-002): status callbacks, webhook events and
the API responses of both dialects use it.

The two dialects differ only in status words. Sendblue shows the canonical statuses; Arnio
(seed 000) has five words, QUEUED, SENT, DELIVERED, READ and FAILED: ``ARNIO_STATUS`` maps
every canonical status to one of them for a response, and ``callback_body`` decides which
steps an Arnio message's ``status_callback`` hears about at all. Account-wide webhook
endpoints always get the canonical body: they subscribe per account, not per key.
"""
from __future__ import annotations

from outreach.choices import Dialect, Plan

from .choices import OPT_OUT_KEYWORDS, ErrorKey, MessageType, Provider, Status, keyword
from .models import Message
from .status import wire_status


def iso(dt) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def opted_out(message: Message) -> bool:
    """A send declined because the contact opted out, or a reply that opts them out."""
    if message.is_outbound:
        return message.error_key == ErrorKey.OPTED_OUT
    return message.status == Status.RECEIVED and keyword(message.content) in OPT_OUT_KEYWORDS


def plan_of(message: Message) -> str:
    """The account's plan, except that a message on a real line (BlueBubbles) never says
    "sandbox": an account on the default plan sending through its own Mac is on a
    dedicated line."""
    plan = message.account.plan
    line = message.line if message.line_id else None
    if plan == Plan.SANDBOX and line is not None and line.provider != Provider.SANDBOX:
        return Plan.DEDICATED.value
    return plan


def message_body(message: Message, dialect: str = Dialect.SENDBLUE) -> dict:
    """The body, every field from the message itself (so the API answer, the webhook and
    the status callback of one step always agree), with ``dialect``'s status word."""
    conversation = message.conversation
    is_group = message.message_type == MessageType.GROUP
    return {
        "accountEmail": message.account.email,
        "content": message.content,
        "is_outbound": message.is_outbound,
        "status": ARNIO_STATUS[message.status] if dialect == Dialect.ARNIO else wire_status(message),
        "error_code": message.error_code,
        "error_message": message.error_message or None,
        "error_reason": message.error_key or None,
        "error_detail": message.last_error or None,
        "message_handle": str(message.handle),
        "date_sent": iso(message.created_at),
        "date_updated": iso(message.updated_at),
        "from_number": message.from_number,
        "number": message.number,
        "to_number": message.to_number,
        "was_downgraded": message.was_downgraded,
        "plan": plan_of(message),
        "media_url": message.media_url,
        "message_type": message.message_type,
        "group_id": (conversation.group_id if conversation and is_group else ""),
        "participants": (conversation.participants if conversation and is_group else []),
        "send_style": message.send_style,
        "opted_out": opted_out(message),
        "sendblue_number": message.line.number if message.line_id else None,
        "service": message.service or None,
        "group_display_name": (conversation.group_display_name or None) if conversation and is_group else None,
        "send_at": iso(message.scheduled_for),
        # The message this one answers inline (no query unless it answers one).
        "reply_to": {"message_handle": str(message.reply_to.handle)} if message.reply_to_id else None,
        "thread_originator": {"message_handle": str(message.thread_originator)} if message.thread_originator else None,
        "expires_at": iso(message.expires_at),
        "redacted_at": iso(message.redacted_at),
    }


S = Status
#: Arnio's word (seed 000) for each canonical status, as a response shows it: the steps
#: before the network has the message are all QUEUED; a decline or an error is FAILED (its
#: error_code and error_message say why); a message received is DELIVERED (to your line).
ARNIO_STATUS = {
    S.REGISTERED: "QUEUED", S.PENDING: "QUEUED", S.QUEUED: "QUEUED", S.ACCEPTED: "QUEUED",
    S.SENT: "SENT", S.DELIVERED: "DELIVERED", S.READ: "READ",
    S.ERROR: "FAILED", S.DECLINED: "FAILED", S.RECEIVED: "DELIVERED", S.EXPIRED: "FAILED",
}
ARNIO_WORDS = ["QUEUED", "SENT", "DELIVERED", "READ", "FAILED"]
#: The statuses an Arnio status_callback is told about (others have no callback of their own).
ARNIO_CALLBACK = {s: ARNIO_STATUS[s] for s in (S.QUEUED, S.SENT, S.DELIVERED, S.READ, S.ERROR, S.DECLINED, S.EXPIRED)}
#: The word an Arnio client last heard by callback while a message is in a status: ACCEPTED
#: follows QUEUED, so QUEUED again (a transient failure, retried) is nothing new.
ARNIO_HEARD = ARNIO_CALLBACK | {S.ACCEPTED: "QUEUED"}


def callback_body(message: Message, previous: str | None, body: dict) -> dict | None:
    """What the message's ``status_callback`` gets for its step from ``previous`` (None: it
    was just created) to its current status, given the canonical ``body``; None: nothing.

    Sendblue: the canonical body itself, every step. Arnio: the body in Arnio's words (the
    canonical body itself where the words agree), and only when the client would hear a
    new word."""
    if message.dialect != Dialect.ARNIO:
        return body
    word = ARNIO_CALLBACK.get(message.status)
    if word is None or ARNIO_HEARD.get(previous) == word:
        return None
    return body if word == body["status"] else {**body, "status": word}
