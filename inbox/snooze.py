"""When a snooze the console asks for ends: a preset or a time, read in the viewer's zone
(``outreach.timezones`` activates it for each console request)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from outreach.exceptions import InvalidInput

#: (value, label) of the snooze menu; "until" takes the ``until`` field.
PRESETS = (("1h", "For an hour"), ("tomorrow", "Until tomorrow, 9:00"), ("until", "Until a time"))
MORNING = time(9, 0)


def wake_time(preset: str, until: str, *, now: datetime, zone: tzinfo) -> datetime:
    """The aware time the conversation opens again; InvalidInput names a bad field."""
    if preset == "1h":
        return now + timedelta(hours=1)
    if preset == "tomorrow":
        tomorrow = timezone.localtime(now, zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, MORNING, tzinfo=zone)
    if preset != "until":
        raise InvalidInput(f"{preset!r} is not a snooze; use {', '.join(p for p, _ in PRESETS)}.", field="preset")
    try:
        parsed = parse_datetime((until or "").strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput("Give the time the conversation opens again, e.g. 2026-05-04T09:00.", field="until")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, zone)
