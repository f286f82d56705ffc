"""A line's health: the one writer of ``Line.healthy``/``health_error``/``unhealthy_since``.

A provider reports what its relay answered (``base.host().set_line_health``): "" when the
line works, else why not (unreachable, wrong password, iMessage signed out...). Only a change
of state is an event: healthy -> unhealthy records ``unhealthy_since`` and emits
``line.unhealthy``; unhealthy -> healthy clears it and emits ``line.healthy``. A new reason
while still unhealthy updates ``health_error`` and keeps ``unhealthy_since``. The state
change is a conditional UPDATE, so of two workers reporting at once only one emits.

While a line is unhealthy the dispatcher's claim holds its messages (they wait, spending no
attempt, so none is dead-lettered for it); when it is healthy again they are due at once.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

import webhooks
from webhooks.choices import EventType

from ..choices import Status
from ..lines import forget_lines
from ..models import Line, Message
from ..payloads import iso
from ..queue.wake import wake_dispatcher


def line_payload(line: Line) -> dict:
    return {
        "id": line.pk, "number": line.number, "name": line.name, "provider": line.provider,
        "healthy": line.healthy, "health_error": line.health_error or None,
        "unhealthy_since": iso(line.unhealthy_since),
    }


@transaction.atomic
def record(line: Line, error: str) -> bool:
    """Set the line's health from ``error`` (already redacted; "" = healthy); True when the
    line changed state (and the event was emitted)."""
    rows = Line.objects.filter(pk=line.pk)
    now = timezone.now()
    if error:
        changed = rows.filter(healthy=True).update(
            healthy=False, health_error=error, unhealthy_since=now, state_changed_at=now
        )
        if not changed:
            rows.update(health_error=error)
        event = EventType.LINE_UNHEALTHY
    else:
        was = rows.filter(healthy=False).values_list("unhealthy_since", flat=True).first()
        changed = rows.filter(healthy=False).update(
            healthy=True, health_error="", unhealthy_since=None, state_changed_at=now
        )
        event = EventType.LINE_HEALTHY
    fresh = Line.objects.select_related("account").get(pk=line.pk)
    line.healthy, line.health_error, line.unhealthy_since = fresh.healthy, fresh.health_error, fresh.unhealthy_since
    line.state_changed_at = fresh.state_changed_at
    if changed:
        forget_lines(fresh.account_id)  # the picker sends new contacts to healthy lines only
        payload = line_payload(fresh)
        if not error:
            payload["was_unhealthy_since"] = iso(was)
            _release(fresh)
        webhooks.emit(fresh.account, event, payload)
    return bool(changed)


def _release(line: Line) -> None:
    """The messages the claim held while the line was unhealthy are due now (each goes out
    once: they were never attempted while held)."""
    now = timezone.now()
    Message.objects.filter(line=line, status=Status.QUEUED, next_attempt_at__gt=now).update(next_attempt_at=now)
    wake_dispatcher()
