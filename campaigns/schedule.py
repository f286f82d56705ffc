"""When a campaign message may leave: start time, pace, and the sending window in the
contact's own timezone. The answer is written to ``Message.next_attempt_at``, which is all
the dispatcher looks at, so nothing waits in Celery (see DESIGN, Known pitfalls)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: ``next_attempt_at`` of a message held by a paused or stopped campaign: never due.
HELD_UNTIL = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def contact_zone(contact_tz: str, default_tz: str) -> ZoneInfo:
    return zone(contact_tz) or zone(default_tz) or ZoneInfo("UTC")


def in_window(when: dt.datetime, tz: ZoneInfo, start: dt.time, end: dt.time) -> dt.datetime:
    """The first moment at or after ``when`` inside [start, end) local time in ``tz``.

    A window whose end is before its start runs over midnight (e.g. 20:00-02:00).
    """
    local = when.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start == end:
        return when  # no quiet hours
    if start < end:
        if start <= t < end:
            return when
        day = local.date() if t < start else local.date() + dt.timedelta(days=1)
    else:
        if t >= start or t < end:
            return when
        day = local.date()
    opening = dt.datetime.combine(day, start, tzinfo=tz)
    return opening.astimezone(dt.UTC)


def pace_slot(base: dt.datetime, seq: int, pace_per_minute: int | None) -> dt.datetime:
    """The ``seq``-th message of a paced campaign leaves ``seq / pace`` minutes after base."""
    if not pace_per_minute:
        return base
    return base + dt.timedelta(seconds=60.0 * seq / pace_per_minute)
