"""Messaging's share of data retention (``outreach.retention``, whose docstring is the
contract): past the account's message retention, a message is redacted or deleted (its
``message_retention_mode``), and an uploaded media object goes, a bounded batch at a time.
A message not yet sent is never touched (``services.retention.UNSENT``): a scheduled send
keeps its body until it goes. Selection is by ``msg_account_recent`` (account, created_at)."""
from __future__ import annotations

from outreach.choices import RetentionMode
from outreach.retention import Policy

from .models import MediaObject, Message
from .services.retention import UNSENT, delete_media_objects, delete_messages, redact_messages


def purge_messages(account, policy: Policy, limit: int) -> int:
    if policy.messages_before is None:
        return 0
    rows = Message.objects.filter(account=account, created_at__lt=policy.messages_before).exclude(status__in=UNSENT)
    if policy.message_mode == RetentionMode.REDACT:
        rows = rows.filter(redacted_at__isnull=True)
    ids = list(rows.order_by("created_at").values_list("id", flat=True)[:limit])
    if not ids:
        return 0
    if policy.message_mode == RetentionMode.REDACT:
        redact_messages(ids, policy.now)
    else:
        delete_messages(ids)
    return len(ids)


def purge_media_objects(account, policy: Policy, limit: int) -> int:
    if policy.messages_before is None:
        return 0
    ids = list(
        MediaObject.objects.filter(account=account, created_at__lt=policy.messages_before)
        .order_by("created_at").values_list("id", flat=True)[:limit]
    )
    return delete_media_objects(ids) if ids else 0
