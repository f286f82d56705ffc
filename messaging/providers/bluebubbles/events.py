"""What BlueBubbles reports, in our words: its webhook events and message payloads (the
server's MessageSerializer shape) mapped to ``ProviderEvent``s, each word through a dict."""
from __future__ import annotations

import re
import uuid

from django.db import models

from ...choices import ErrorCode, Service, Status, Tapback
from ..base import BadCallback, ProviderEvent


class WebhookEvent(models.TextChoices):
    """The BlueBubbles webhook events we subscribe to (their words)."""

    NEW_MESSAGE = "new-message"
    UPDATED_MESSAGE = "updated-message"
    SEND_ERROR = "message-send-error"


#: BlueBubbles' ``service`` words -> ours.
SERVICES: dict[str, str] = {"iMessage": Service.IMESSAGE, "SMS": Service.SMS, "RCS": Service.RCS}

#: Messages.app error codes on a message (``error``) -> what to tell the customer.
SEND_ERRORS: dict[int, str] = {
    4: "Messages.app timed out sending the message.",
    22: "The recipient is not registered with iMessage.",
}
NOT_ON_IMESSAGE = 22
#: Send errors worth another attempt (the next one first checks it did not go after all).
RETRYABLE_SEND_ERRORS = {4}


#: BlueBubbles' tapback words (``associatedMessageType``; "-love" takes a love back) -> ours.
TAPBACKS: dict[str, str] = {
    "love": Tapback.LOVE, "like": Tapback.LIKE, "dislike": Tapback.DISLIKE,
    "laugh": Tapback.LAUGH, "emphasize": Tapback.EMPHASIZE, "question": Tapback.QUESTION,
}
#: Messages.app's own numbers for them, as older servers (and a poll's raw rows) report:
#: 2000-2005 adds one, 3000-3005 removes it, in the order above.
TAPBACK_CODES: dict[int, str] = {2000 + i: kind for i, kind in enumerate(TAPBACKS)}
REMOVED_OFFSET = 1000
#: ``p:<part>/<guid>`` (a part of a message) or ``bp:<guid>`` (a balloon) on the target's guid.
_ASSOCIATED = re.compile(r"^(?:p:(?P<part>\d+)/|bp:)?(?P<guid>.+)$")


class BadPayload(BadCallback):
    """A webhook body that is not a BlueBubbles event; the view answers 400 with this text."""


def chat_service(chat_guid: str) -> str:
    return Service.SMS if chat_guid.startswith("SMS;") else Service.IMESSAGE


def our_handle(temp_guid: str | None) -> str:
    """Our message handle from a tempGuid we set (``<uuid>`` or ``<uuid>-media``), else ""."""
    try:
        return str(uuid.UUID((temp_guid or "")[:36]))
    except ValueError:
        return ""


def status_of(payload: dict) -> str:
    if payload.get("error"):
        return Status.ERROR
    if payload.get("dateRead"):
        return Status.READ
    if payload.get("dateDelivered"):
        return Status.DELIVERED
    return Status.SENT


def event_from_message(payload: dict, line_number: str) -> ProviderEvent | None:
    """One BlueBubbles message (webhook ``data`` or a query row) as our event (a tapback as a
    reaction), or None for what we do not track (group renames, our own tapbacks)."""
    if not isinstance(payload, dict) or not payload.get("guid"):
        raise BadPayload("A BlueBubbles message needs a 'guid'.")
    if payload.get("itemType", 0) not in (0, None):
        return None  # group events (renames, members) are not messages of ours
    if payload.get("associatedMessageGuid"):
        return tapback_event(payload)
    handle = payload.get("handle") or {}
    service = SERVICES.get(handle.get("service") or "", "")
    if payload.get("isFromMe"):
        code = int(payload.get("error") or 0)
        return ProviderEvent(
            kind="status",
            status=status_of(payload),
            message_handle=our_handle(payload.get("tempGuid")),
            provider_message_id=payload["guid"],
            service=service,
            error_code=ErrorCode.SEND_FAILED if code else None,
            error_message=(SEND_ERRORS.get(code, f"Messages.app reported error {code}.") if code else ""),
            raw=payload,
        )
    if not handle.get("address"):
        raise BadPayload("An incoming BlueBubbles message needs 'handle.address'.")
    chats = payload.get("chats") or []
    chat = chats[0] if chats else {}
    is_group = chat.get("style") == 43 or ";+;" in (chat.get("guid") or "")
    return ProviderEvent(
        kind="inbound",
        status=Status.RECEIVED,
        provider_message_id=payload["guid"],
        from_address=handle["address"],
        to_number=line_number,
        content=payload.get("text") or "",
        service=service or Service.IMESSAGE,
        group_id=chat.get("guid", "") if is_group else "",
        participants=[p.get("address", "") for p in chat.get("participants") or []] if is_group else [],
        reply_to_provider_id=payload.get("threadOriginatorGuid") or "",
        raw=payload,
    )


def tapback_event(payload: dict) -> ProviderEvent | None:
    """A customer's tapback (a message whose ``associatedMessageGuid`` names the one it
    reacts to) as a reaction event; None for ours (recorded when we sent it), for sticker
    and other associated messages, and for a reaction we cannot read."""
    if payload.get("isFromMe"):
        return None
    kind, removed = _tapback_kind(payload.get("associatedMessageType"))
    target = _ASSOCIATED.match(str(payload["associatedMessageGuid"]))
    if not kind or target is None:
        return None
    return ProviderEvent(
        kind="reaction",
        provider_message_id=target["guid"],
        from_address=(payload.get("handle") or {}).get("address") or "",
        reaction=kind,
        part_index=int(target["part"] or 0),
        removed=removed,
        raw=payload,
    )


def _tapback_kind(value) -> tuple[str, bool]:
    """(our Tapback, removed) from ``love``/``-love`` or 2000-2005/3000-3005; ("", False)
    for anything else (stickers are 1000, Messages' newer emoji tapbacks have no word of ours)."""
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return TAPBACKS.get(value.lstrip("-"), ""), value.startswith("-")
    try:
        code = int(value)
    except (TypeError, ValueError):
        return "", False
    removed = code >= 2000 + REMOVED_OFFSET
    return TAPBACK_CODES.get(code - REMOVED_OFFSET if removed else code, ""), removed
