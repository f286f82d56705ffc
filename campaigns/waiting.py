"""When a campaign sends next, and why it waits until then.

The answer is read off the queue itself: the earliest ``next_attempt_at`` of the campaign's
QUEUED messages (one query through the recipients' ``(campaign, seq)`` index, the top one
kept, never a row per recipient in Python). The reason is what made that due time:

- ``scheduled_start``: the campaign's ``start_at`` is ahead;
- ``quiet_hours``: the moment before it is outside the sending window in the contact's zone
  (the window opens then);
- ``retry``: the message failed for a temporary reason and waits its backoff;
- ``pace``: the campaign has a pace (each message has its slot, from the start or from a
  resume);
- ``line_limits``: none of those, so the dispatcher held it for a line's limits (a burst per
  second, new contacts per hour or day);
- ``winner``: an A/B test's share is sent; the rest waits for the winner, picked then
  (campaigns/winner.py);
- ``paused``: nothing is due until someone resumes the campaign (``at`` is null).

``at`` is null with no reason when nothing waits (the campaign is done, stopped, a draft)
and equals about now while messages are leaving.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from messaging.choices import Status
from messaging.models import Message

from . import schedule, winner
from .choices import CampaignStatus
from .models import Campaign

S = CampaignStatus
#: A due time this close to the cause's own answer is that cause's (rounding, commit lag).
SLACK = dt.timedelta(seconds=1)


class Reason(models.TextChoices):
    SCHEDULED_START = "scheduled_start", "its scheduled start"
    QUIET_HOURS = "quiet_hours", "quiet hours (the sending window opens then)"
    PACE = "pace", "its pace"
    LINE_LIMITS = "line_limits", "the lines' sending limits"
    RETRY = "retry", "a retry after a temporary error"
    PAUSED = "paused", "the campaign is paused"
    WINNER = "winner", "the A/B test's winner (then sent to the rest)"


@dataclass
class NextSend:
    at: dt.datetime | None = None
    reason: str | None = None

    @property
    def waiting(self) -> bool:
        return self.reason is not None

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label if self.reason else ""


def next_send(campaign: Campaign, now: dt.datetime | None = None) -> NextSend:
    now = now or timezone.now()
    if campaign.status == S.PAUSED:
        return NextSend(None, Reason.PAUSED)
    if campaign.status not in (S.ACTIVE, S.SCHEDULED):
        return NextSend()
    first = (
        Message.objects.filter(campaign_recipient__campaign=campaign, status=Status.QUEUED)
        .exclude(next_attempt_at=schedule.HELD_UNTIL)
        .order_by("next_attempt_at")
        .values("next_attempt_at", "attempts", "campaign_recipient__contact__timezone")
        .first()
    )
    if first is None:
        if campaign.start_at and campaign.start_at > now and not campaign.fanout_done_at:
            return NextSend(campaign.start_at, Reason.SCHEDULED_START)  # the fan-out has not run yet
        if not campaign.fanout_done_at:
            return NextSend(now)  # the fan-out is making the first messages: they leave as made
        if winner.testing(campaign):
            return NextSend(winner.due_at(campaign), Reason.WINNER)  # the test is out; the rest waits
        return NextSend()
    due = first["next_attempt_at"] or now
    if due <= now + SLACK:
        return NextSend(max(due, now))
    return NextSend(due, _reason(campaign, first, due))


def _reason(campaign: Campaign, first: dict, due: dt.datetime) -> str:
    zone = schedule.contact_zone(first["campaign_recipient__contact__timezone"] or "",
                                 campaign.account.default_timezone)
    before = due - SLACK
    if schedule.in_window(before, zone, campaign.window_start, campaign.window_end) != before:
        return Reason.QUIET_HOURS
    if campaign.start_at and due <= campaign.start_at + SLACK:
        return Reason.SCHEDULED_START
    if first["attempts"]:
        return Reason.RETRY
    if campaign.pace_per_minute:
        return Reason.PACE
    return Reason.LINE_LIMITS


def describe(found: NextSend, zone: dt.tzinfo) -> str:
    """``found`` in words, its time in ``zone``."""
    if found.reason == Reason.PAUSED:
        return "Paused: nothing is sent until the campaign is resumed."
    if found.at is None:
        return "Nothing is waiting to be sent."
    when = found.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    if found.reason is None:
        return f"Sending now ({when})."
    return f"Sends next at {when}, waiting for {found.reason_label}."
