"""Send the winner to the rest: an A/B campaign's optional test.

With ``winner_test_percent`` set, the fan-out first sends the variants to that share of the
audience only (a hash of (campaign, contact), independent of the variant's: the test holds
every variant in its split). ``winner_wait_minutes`` after the campaign starts (its
``start_at`` if later), ``decide`` compares the variants by ``winner_metric`` (replies or
clicked links per message sent) and records the winner and why; it then reopens the
fan-out's slices from the start, and the fan-out gives the winning body to every contact of
the audience it has not messaged yet. The contacts of the test are recipients already, so
they are skipped (the unique (campaign, contact) row), and a second ``decide`` finds the
winner set and does nothing: the rest is sent once, however often the task runs.

The decision is an ETA task queued when the test's fan-out ends, and the campaigns sweep
(every minute) decides any test past due whose task was lost. A paused campaign is decided
once resumed; a stopped one never.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from . import fanout, stats, tasks, variants
from .choices import CampaignStatus, WinnerMetric
from .models import Campaign, FanoutSlice

S = CampaignStatus
#: What ``winner_metric`` counts per variant (``stats.variant_stats`` keys) and says.
COUNTED = {WinnerMetric.REPLY_RATE: ("replied", "replied"), WinnerMetric.CLICK_RATE: ("clicked", "clicked a link")}


def testing(campaign: Campaign) -> bool:
    """The campaign has a test whose winner is not picked yet."""
    return bool(campaign.variants and campaign.winner_test_percent and campaign.winner_decided_at is None)


def due_at(campaign: Campaign) -> dt.datetime | None:
    """When the winner is picked (None without a test, or before the campaign started)."""
    if not campaign.winner_test_percent or not campaign.started_at:
        return None
    start = max(filter(None, [campaign.start_at, campaign.started_at]))
    return start + dt.timedelta(minutes=campaign.winner_wait_minutes or 0)


def admits(campaign: Campaign) -> Callable[[UUID], bool]:
    """``admit(contact_id)``: whether the fan-out messages this contact now (during a test,
    only the test's share of the audience)."""
    if not testing(campaign):
        return lambda contact_id: True
    cut = campaign.winner_test_percent * variants.SCALE // 100
    return lambda contact_id: variants.bucket(campaign.pk, contact_id, salt=b"test") < cut


def picker(campaign: Campaign) -> Callable[[UUID], int | None]:
    """``pick(contact_id) -> variant index``: the split during a test, the winner after it."""
    if campaign.winner_variant is not None and campaign.winner_decided_at is not None:
        return lambda contact_id: campaign.winner_variant
    return variants.picker(campaign.variants, campaign.pk)


def schedule_decision(campaign: Campaign) -> None:
    """Queue ``decide`` for the due time (after commit); the sweep is the safety net."""
    when = due_at(campaign)
    if testing(campaign) and when is not None:
        transaction.on_commit(lambda: tasks.pick_winner.apply_async((str(campaign.pk),), eta=when))


def choose(campaign: Campaign, rows: list[dict]) -> tuple[int, str]:
    """The winning variant's index and the reason in words, from ``stats.variant_stats``
    rows: the highest rate of the metric per message sent; a tie goes to the variant that
    reached more people, then to the first."""
    key, verb = COUNTED[WinnerMetric(campaign.winner_metric or WinnerMetric.REPLY_RATE)]

    def rate(row: dict) -> float:
        return row[key] / row["sent"] if row["sent"] else 0.0

    best = max(range(len(rows)), key=lambda i: (rate(rows[i]), rows[i]["sent"], -i))
    metric = WinnerMetric(campaign.winner_metric or WinnerMetric.REPLY_RATE).label.lower()
    parts = [f"{r['label']}: {r[key]} of {r['sent']} sent {verb} ({rate(r):.0%})" for r in rows]
    if not any(r["sent"] for r in rows):
        return best, f"No variant had reached anyone by the deadline, so {rows[best]['label']} (the first) goes to the rest."
    return best, f"{rows[best]['label']} had the best {metric}. " + "; ".join(parts) + "."


def decide(campaign_id, now: dt.datetime | None = None) -> bool:
    """Pick the winner if the test is due (``now``: the clock, for tests) and send it to the
    rest. True if this call decided; False if not due, not testing, not active, or decided."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not testing(campaign) or campaign.status != S.ACTIVE:
            return False
        when = due_at(campaign)
        if campaign.fanout_done_at is None or when is None or now < when:
            return False
        rows = stats.variant_stats(campaign)
        campaign.winner_variant, campaign.winner_reason = choose(campaign, rows)
        campaign.winner_decided_at = now
        campaign.winner_test_count = sum(r["recipients"] for r in rows)
        campaign.fanout_done_at = None  # the rest is to fan out
        campaign.save(update_fields=["winner_variant", "winner_reason", "winner_decided_at", "winner_test_count",
                                     "fanout_done_at", "updated_at"])
        reopen_slices(campaign)
        fanout.schedule_fanout(campaign.pk)
        fanout.start_clock(campaign)
    return True


def reopen_slices(campaign: Campaign) -> None:
    """Every slice back to its start (its count kept: the rest's seqs follow the test's)."""
    for part in FanoutSlice.objects.filter(campaign=campaign):
        part.cursor = None if part.index == 0 else UUID(int=(part.index << 128) // part.of - 1)
        part.done_at = None
        part.save(update_fields=["cursor", "done_at", "updated_at"])


def pace_base(campaign: Campaign, base: dt.datetime) -> dt.datetime:
    """A paced campaign's base for the rest: the decision, less the test's slots, so the
    first of the rest is due when the winner is picked."""
    if campaign.winner_decided_at is None or not campaign.pace_per_minute:
        return base
    back = dt.timedelta(seconds=60.0 * campaign.winner_test_count / campaign.pace_per_minute)
    return max(base, campaign.winner_decided_at - back)


def summary(campaign: Campaign) -> dict | None:
    """The API's and the console's view of the test: null without one."""
    if not campaign.winner_test_percent:
        return None
    decided = campaign.winner_decided_at is not None
    return {
        "test_percent": campaign.winner_test_percent, "wait_minutes": campaign.winner_wait_minutes,
        "metric": campaign.winner_metric, "due_at": due_at(campaign),
        "variant": variants.label(campaign.winner_variant) if decided else None,
        "decided_at": campaign.winner_decided_at, "reason": campaign.winner_reason,
    }
