"""Tapbacks: ours, sent through the line's network, and the customers', reported by it.
Each is a ``Reaction`` row (one per person and part of a message: a new one replaces it)
and a ``message.reaction`` webhook event."""
from __future__ import annotations

import uuid

from django.db import transaction

import webhooks
from outreach.exceptions import InvalidInput, NotFound
from outreach.models import Account
from webhooks.choices import EventType

from ..choices import Status, Tapback
from ..models import Message, Reaction
from ..providers.base import ProviderEvent
from ..providers.registry import provider_for

#: Statuses a message can be reacted to in: it reached the other side.
REACHED = {Status.SENT, Status.DELIVERED, Status.READ, Status.RECEIVED}


def _payload(reaction: Reaction, *, removed: bool = False) -> dict:
    return {
        "message_handle": str(reaction.message.handle), "reaction": reaction.kind, "part_index": reaction.part_index,
        "from_number": reaction.from_address, "is_outbound": reaction.is_outbound, "removed": removed,
    }


def send_reaction(account: Account, handle: str, kind: str, *, part_index: int = 0) -> Reaction:
    """React to one of the account's messages from the line its conversation is on."""
    problems = {}
    if kind not in Tapback.values:
        problems["reaction"] = f"reaction must be one of {', '.join(Tapback.values)}."
    if not isinstance(part_index, int) or isinstance(part_index, bool) or not 0 <= part_index <= 100:
        problems["part_index"] = "part_index must be a whole number from 0 (the message's first part)."
    try:
        message = Message.objects.select_related("line").filter(account=account, handle=uuid.UUID(str(handle))).first()
    except ValueError:
        message = None
    if message is None:
        raise NotFound(f"No message {handle} in your account.")
    if message.status not in REACHED:
        problems["message_handle"] = f"Only a message that reached the other side can get a reaction; this one is {message.status}."
    if problems:
        raise InvalidInput.of_fields(problems)
    provider_for(message.line).react(message, kind, part_index)
    return _record(account, message, kind, message.line.number, is_outbound=True, part_index=part_index)


@transaction.atomic
def _record(account, message: Message, kind: str, who: str, *, is_outbound: bool, part_index: int) -> Reaction:
    reaction, _ = Reaction.objects.update_or_create(
        message=message, from_address=who, part_index=part_index,
        defaults={"account": account, "kind": kind, "is_outbound": is_outbound},
    )
    webhooks.emit(account, EventType.MESSAGE_REACTION, _payload(reaction))
    return reaction


def receive_reaction(line, message: Message, event: ProviderEvent) -> bool:
    """A customer's tapback the network reported on ``message`` (one of this line's)."""
    if event.reaction not in Tapback.values:
        return False
    who = event.from_address or message.number
    if event.removed:
        with transaction.atomic():
            reaction = Reaction.objects.filter(message=message, from_address=who, part_index=event.part_index).first()
            if reaction is None:
                return False
            reaction.delete()
            webhooks.emit(line.account, EventType.MESSAGE_REACTION, _payload(reaction, removed=True))
        return True
    if Reaction.objects.filter(message=message, from_address=who, part_index=event.part_index,
                               kind=event.reaction).exists():
        return False  # the same tapback reported again (a webhook and a poll): nothing new
    _record(line.account, message, event.reaction, who, is_outbound=False, part_index=event.part_index)
    return True
