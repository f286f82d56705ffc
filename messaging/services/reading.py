"""Read receipts: staff opening a thread (the inbox), ``POST /api/mark-read`` (the API),
and the account's choice of whether opening a thread tells the customer's phone."""
from __future__ import annotations

import logging

from django.db import transaction

from outreach.exceptions import InvalidInput, NotFound
from outreach.models import Account

from ..choices import MessageType
from ..lines import resolve_from_line
from ..models import Conversation, InboxSettings
from ..providers.base import ProviderError
from ..providers.registry import provider_for
from ..validation import normalize_address

logger = logging.getLogger(__name__)


def mark_read_on_open(account: Account) -> bool:
    """Whether staff opening a thread sends a read receipt (Settings → Inbox; default on)."""
    row = InboxSettings.objects.filter(account=account).values_list("mark_read_on_open", flat=True).first()
    return True if row is None else row


def set_mark_read_on_open(account: Account, on: bool) -> None:
    InboxSettings.objects.update_or_create(account=account, defaults={"mark_read_on_open": bool(on)})


def mark_read(account: Account, conversation: Conversation) -> None:
    """Staff opened the thread: nothing in it is unread any more, here and, when the account
    says so (``mark_read_on_open``) and the line's network can, on the customer's phone
    ("Read"). Only a thread that had unread messages asks the network, and its failure does
    not keep staff from reading."""
    cleared = Conversation.objects.filter(account=account, pk=conversation.pk, unread_count__gt=0).update(unread_count=0)
    if cleared and mark_read_on_open(account):
        try:
            provider_for(conversation.line).mark_read(conversation)
        except ProviderError as exc:
            logger.warning("could not mark conversation %s read on its network: %s", conversation.pk, exc)


def _number(value, field: str, problems: dict[str, str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems[field] = f"{field} is required (E.164, e.g. +15551234567)."
        return None
    try:
        return normalize_address(value, field=field)
    except InvalidInput as exc:
        problems[field] = f"{field}: {exc.message}"
        return None


@transaction.atomic
def send_read_receipt(account: Account, number, from_number) -> tuple[Conversation, bool]:
    """``POST /api/mark-read``: the conversation with ``number`` on the line ``from_number``
    is read, here and on the customer's phone where the line's network can say so (whatever
    the account's console setting: the caller asked). Returns the conversation and whether
    the network was told."""
    problems: dict[str, str] = {}
    address = _number(number, "number", problems)
    line_number = _number(from_number, "from_number", problems)
    if problems:
        raise InvalidInput.of_fields(problems)
    line = resolve_from_line(account, line_number)
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("line")
        .filter(account=account, address=address, message_type=MessageType.MESSAGE).first()
    )
    if conversation is None:
        raise NotFound(f"No conversation with {address} in your account.")
    if conversation.line_id != line.pk:
        raise InvalidInput(
            f"The conversation with {address} is on {conversation.line.number}; mark it read from that line.",
            field="from_number",
        )
    told = bool(provider_for(conversation.line).mark_read(conversation))
    if conversation.unread_count:
        conversation.unread_count = 0
        conversation.save(update_fields=["unread_count"])
    return conversation, told
