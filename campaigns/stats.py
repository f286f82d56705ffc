"""Read-side numbers: a campaign's progress and funnel, a bulk job's summary."""
from __future__ import annotations

from django.db.models import Count

from messaging.choices import ErrorKey, Status
from messaging.models import Message

from .models import Campaign, CampaignRecipient

WAITING = {Status.REGISTERED, Status.PENDING, Status.QUEUED, Status.ACCEPTED}
PROGRESS_KEYS = ("audience", "materialised", "queued", "sent", "delivered", "read", "replied",
                 "failed", "declined", "withdrawn")


def progress(campaign: Campaign) -> dict[str, int]:
    """``queued`` waits to leave; ``sent`` reached the network (delivered and read
    included), ``delivered`` includes read: each step of the funnel counts those past it."""
    out = dict.fromkeys(PROGRESS_KEYS, 0)
    out["audience"] = campaign.audience_count
    rows = (
        Message.objects.filter(campaign_recipient__campaign=campaign)
        .values_list("status", "error_key").annotate(n=Count("id")).order_by()
    )
    for status, error_key, n in rows:
        out["materialised"] += n
        if status in WAITING:
            out["queued"] += n
        if status in (Status.SENT, Status.DELIVERED, Status.READ):
            out["sent"] += n
        if status in (Status.DELIVERED, Status.READ):
            out["delivered"] += n
        if status == Status.READ:
            out["read"] += n
        if status == Status.ERROR:
            out["failed"] += n
        if status == Status.DECLINED:
            out["withdrawn" if error_key == ErrorKey.WITHDRAWN else "declined"] += n
    out["replied"] = CampaignRecipient.objects.filter(campaign=campaign, replied_at__isnull=False).count()
    return out


def percent_done(campaign: Campaign, numbers: dict[str, int]) -> int:
    """How much of the audience no longer waits (for progress bars)."""
    total = max(campaign.audience_count, numbers["materialised"])
    if not total:
        return 0
    return int(100 * (numbers["materialised"] - numbers["queued"]) / total)
