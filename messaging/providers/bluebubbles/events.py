"""What BlueBubbles reports, in our words: its webhook events and message payloads (the
server's MessageSerializer shape) mapped to ``ProviderEvent``s, each word through a dict."""
from __future__ import annotations

import uuid

from django.db import models

from ...choices import ErrorCode, Service, Status
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
    """One BlueBubbles message (webhook ``data`` or a query row) as our event, or None for
    what we do not track (tapbacks, group renames, our own messages typed on the Mac)."""
    if not isinstance(payload, dict) or not payload.get("guid"):
        raise BadPayload("A BlueBubbles message needs a 'guid'.")
    if payload.get("itemType", 0) not in (0, None) or payload.get("associatedMessageGuid"):
        return None  # group events and tapbacks are not messages of ours
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
        raw=payload,
    )
