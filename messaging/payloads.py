"""The Sendblue/Arnio message body (seeds 000-002): status callbacks, webhook events and
the Sendblue dialect's API responses all use it."""
from __future__ import annotations

from .choices import OPT_OUT_KEYWORDS, ErrorKey, MessageType, Status, keyword
from .models import Message


def iso(dt) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def opted_out(message: Message) -> bool:
    """A send declined because the contact opted out, or a reply that opts them out."""
    if message.is_outbound:
        return message.error_key == ErrorKey.OPTED_OUT
    return message.status == Status.RECEIVED and keyword(message.content) in OPT_OUT_KEYWORDS


def message_body(message: Message) -> dict:
    """The body, every field from the message itself (so the API answer, the webhook and
    the status callback of one step always agree)."""
    conversation = message.conversation
    is_group = message.message_type == MessageType.GROUP
    return {
        "accountEmail": message.account.email,
        "content": message.content,
        "is_outbound": message.is_outbound,
        "status": message.status,
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
        "plan": message.account.plan,
        "media_url": message.media_url,
        "message_type": message.message_type,
        "group_id": (conversation.group_id if conversation and is_group else ""),
        "participants": (conversation.participants if conversation and is_group else []),
        "send_style": message.send_style,
        "opted_out": opted_out(message),
        "sendblue_number": message.line.number if message.line_id else None,
        "service": message.service or None,
        "group_display_name": (conversation.group_display_name or None) if conversation and is_group else None,
    }


#: Arnio's words (seed 000) for the canonical statuses; others pass through.
ARNIO_STATUS = {Status.ERROR: "FAILED", Status.DECLINED: "FAILED"}
