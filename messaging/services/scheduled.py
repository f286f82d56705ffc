"""Scheduled sends: a message with ``send_at`` waits QUEUED (its ``next_attempt_at`` is its
time, so the claim passes it by until then) and the wire calls it SCHEDULED. Until a worker
claims it, it can be cancelled; when it is claimed, the rules of send time apply (line
limits by the claim as for any message, opt-outs here)."""
from __future__ import annotations

from django.db import transaction

from contacts.models import Contact
from outreach.exceptions import Conflict
from outreach.models import Account

from ..choices import ErrorCode, ErrorKey, EventSource, MessageType, Status
from ..models import Message
from ..status import is_scheduled
from .deadletters import locked_message
from .transitions import Step, record_transition


@transaction.atomic
def cancel_scheduled(account: Account, message: Message, *, source: str = EventSource.API) -> Message:
    """Cancel a scheduled message before its time: DECLINED, error_key CANCELLED."""
    message = locked_message(account, message)
    if not is_scheduled(message):
        raise Conflict(
            f"Only a scheduled message whose time has not come can be cancelled; this one is {message.status}"
            + (" and was due at " + message.scheduled_for.isoformat() if message.scheduled_for else "") + "."
        )
    record_transition(
        message, Status.DECLINED, source=source, detail="scheduled send cancelled",
        error_code=ErrorCode.VALIDATION, error_key=ErrorKey.CANCELLED,
        error_message="Cancelled before its scheduled time.", next_attempt_at=None,
    )
    return message


def opted_out_steps(messages: list[Message]) -> list[tuple[Message, list[Step]]]:
    """DECLINED steps for those of these scheduled messages whose recipient (or a group
    participant) opted out after the message was scheduled. One query."""
    scheduled = [m for m in messages if m.scheduled_for is not None]
    if not scheduled:
        return []
    wanted = {m.pk: _addresses(m) for m in scheduled}
    opted = set(
        Contact.objects.filter(
            account_id__in={m.account_id for m in scheduled},
            e164_number__in={a for addresses in wanted.values() for a in addresses},
            opted_out_at__isnull=False,
        ).values_list("account_id", "e164_number")
    )
    steps = []
    for message in scheduled:
        out = sorted(a for a in wanted[message.pk] if (message.account_id, a) in opted)
        if out:
            steps.append((message, [Step(Status.DECLINED, {
                "error_code": ErrorCode.VALIDATION, "error_key": ErrorKey.OPTED_OUT, "next_attempt_at": None,
                "error_message": f"{', '.join(out)} opted out before this scheduled message was due.",
            }, detail="recipient opted out before the scheduled time")]))
    return steps


def _addresses(message: Message) -> list[str]:
    if message.message_type == MessageType.GROUP and message.conversation_id:
        return list(message.conversation.participants)
    return [message.number]
