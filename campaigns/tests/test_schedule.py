from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from campaigns import schedule

NINE, EIGHT_PM = dt.time(9), dt.time(20)


def test_a_contact_at_23_local_is_held_until_09_local():
    la = ZoneInfo("America/Los_Angeles")
    when = dt.datetime(2026, 3, 10, 23, 0, tzinfo=la)
    due = schedule.in_window(when.astimezone(dt.UTC), la, NINE, EIGHT_PM)
    assert due.astimezone(la) == dt.datetime(2026, 3, 11, 9, 0, tzinfo=la)


def test_the_same_instant_is_inside_the_window_in_another_timezone():
    when = dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)  # 08:00 in Berlin, 16:00 in Tokyo
    berlin, tokyo = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
    assert schedule.in_window(when, berlin, NINE, EIGHT_PM).astimezone(berlin).time() == NINE
    assert schedule.in_window(when, tokyo, NINE, EIGHT_PM) == when  # 16:00 in Tokyo


def test_early_morning_waits_for_the_same_day_and_a_window_may_span_midnight():
    ny = ZoneInfo("America/New_York")
    early = dt.datetime(2026, 3, 11, 6, 30, tzinfo=ny)
    assert schedule.in_window(early, ny, NINE, EIGHT_PM).astimezone(ny) == dt.datetime(2026, 3, 11, 9, 0, tzinfo=ny)
    night = dt.datetime(2026, 3, 11, 1, 0, tzinfo=ny)
    assert schedule.in_window(night, ny, dt.time(20), dt.time(2)) == night
    noon = dt.datetime(2026, 3, 11, 12, 0, tzinfo=ny)
    assert schedule.in_window(noon, ny, dt.time(20), dt.time(2)).astimezone(ny).hour == 20


def test_pace_spreads_messages_by_seconds_per_message():
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert schedule.pace_slot(base, 0, 30) == base
    assert schedule.pace_slot(base, 3, 30) == base + dt.timedelta(seconds=6)
    assert schedule.pace_slot(base, 3, None) == base


def test_an_unknown_timezone_falls_back_to_the_default():
    assert schedule.contact_zone("Not/AZone", "Europe/Paris") == ZoneInfo("Europe/Paris")
    assert schedule.contact_zone("", "Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
