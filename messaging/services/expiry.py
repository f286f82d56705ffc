"""Expiry: a message with ``expires_at`` that has not been sent by then is withdrawn
(EXPIRED, final; ``message.status_updated`` as for any status) and never sent late. The
claim decides for the messages it takes (``expired_steps``), the send step again for a
claimed message whose deadline passed before it reached the network (a slow or held-back
worker: ``dispatch.send``); the sweep (``expire_due``, run with the reconciler) for those
nobody claims in time, e.g. held back by their line's limits."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..choices import ErrorCode, ErrorKey, EventSource, Status
from ..models import Message
from .transitions import Step, apply_steps


def expiry_step(message: Message) -> Step:
    return Step(Status.EXPIRED, {
        "error_code": ErrorCode.VALIDATION, "error_key": ErrorKey.EXPIRED, "next_attempt_at": None,
        "error_message": f"Not sent by its expires_at ({message.expires_at.isoformat()}): withdrawn.",
    }, detail="expired before it was sent")


def expired_steps(messages: list[Message], now: datetime) -> list[tuple[Message, list[Step]]]:
    """EXPIRED steps for those of these QUEUED messages whose deadline has passed."""
    return [(m, [expiry_step(m)]) for m in messages if m.expires_at is not None and m.expires_at <= now]


def expire_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Withdraw up to ``limit`` QUEUED messages past their deadline (the index
    ``msg_expiring``); -> how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "line", "conversation")
            .filter(status=Status.QUEUED, expires_at__isnull=False, expires_at__lte=now)
            .order_by("expires_at")[:limit]
        )
        apply_steps([(m, [expiry_step(m)]) for m in due], source=EventSource.SYSTEM)
    return len(due)
