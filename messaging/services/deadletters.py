"""Dead letters (ERROR messages a provider failed for good)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from outreach.exceptions import Conflict, NotFound
from outreach.models import Account

from ..choices import EventSource, Status
from ..models import Message
from ..queue.wake import wake_dispatcher
from .transitions import record_transition


def locked_message(account: Account, message: Message) -> Message:
    """The caller's message, locked; another account's message does not exist (404)."""
    found = (
        Message.objects.select_for_update(of=("self",))
        .select_related("account", "line", "conversation")
        .filter(account=account, pk=message.pk)
        .first()
    )
    if found is None:
        raise NotFound("No such message.")
    return found


@transaction.atomic
def retry_dead_letter(account: Account, message: Message, *, source: str = EventSource.API) -> Message:
    """Send a dead letter (ERROR) again: back to QUEUED, attempts from zero, errors cleared."""
    message = locked_message(account, message)
    if message.status != Status.ERROR or message.discarded_at is not None:
        raise Conflict(f"Only a dead letter (ERROR, not discarded) can be retried; this one is {message.status}.")
    record_transition(
        message, Status.QUEUED, source=source, detail="dead letter retried",
        attempts=0, next_attempt_at=timezone.now(), error_code=None, error_message="",
        error_key="", last_error="", claimed_at=None,
    )
    wake_dispatcher(interactive=True)
    return message


@transaction.atomic
def discard_dead_letter(account: Account, message: Message) -> Message:
    """Drop a dead letter from the dead-letter queue; it stays ERROR in the history."""
    message = locked_message(account, message)
    if message.status != Status.ERROR:
        raise Conflict(f"Only a dead letter (ERROR) can be discarded; this one is {message.status}.")
    if message.discarded_at is None:
        message.discarded_at = timezone.now()
        message.save(update_fields=["discarded_at", "updated_at"])
    return message
