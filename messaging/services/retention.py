"""Forgetting what messages said: redact (body and media blanked, ``redacted_at`` set; the
message, its status and its timestamps stay) or delete, for the account's data retention
(``messaging.retention``, the purgers) and for ``DELETE /api/v1/messages/{id}``. A message
not yet sent (QUEUED, scheduled or not, or claimed) is never touched: it still has to go."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from outreach.exceptions import Conflict
from outreach.models import Account

from ..choices import Status
from ..models import Attachment, MediaObject, Message
from ..status import is_scheduled
from .deadletters import locked_message
from .scheduled import cancel_scheduled

#: Statuses of a message still on its way out: never redacted nor deleted.
UNSENT = (Status.QUEUED, Status.ACCEPTED)


@transaction.atomic
def redact_messages(ids: list[int], now: datetime) -> int:
    """Blank the body and media of these messages (none of them unsent); -> how many."""
    Attachment.objects.filter(message_id__in=ids).delete()
    return Message.objects.filter(id__in=ids).exclude(status__in=UNSENT).update(
        content="", media_url="", redacted_at=now
    )


@transaction.atomic
def delete_messages(ids: list[int]) -> int:
    """Delete these messages (their events, attachments and reactions go with them)."""
    _, per_model = Message.objects.filter(id__in=ids).exclude(status__in=UNSENT).delete()
    return per_model.get(Message._meta.label, 0)


def delete_media_objects(ids: list[int]) -> int:
    """Delete these uploaded files, the stored file with its row."""
    count = 0
    for media in MediaObject.objects.filter(id__in=ids):
        media.file.delete(save=False)
        media.delete()
        count += 1
    return count


@transaction.atomic
def delete_message(account: Account, message: Message) -> Message:
    """``DELETE`` of one message: a scheduled one is cancelled; a sent or received one is
    redacted (again: no-op); one on its way out is a 409."""
    message = locked_message(account, message)
    if is_scheduled(message):
        return cancel_scheduled(account, message)
    if message.status in UNSENT:
        raise Conflict(
            f"This message is {message.status} and on its way out: too late to be cancelled; "
            "it can be redacted once sent."
        )
    if message.redacted_at is None:
        redact_messages([message.pk], timezone.now())
        message.refresh_from_db()
    return message
