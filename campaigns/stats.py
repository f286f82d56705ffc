"""Read-side numbers: a campaign's progress and funnel, a bulk job's summary."""
from __future__ import annotations

from django.db.models import Count, Q

from messaging.choices import ErrorKey, Status
from messaging.models import Message

from .choices import Outcome
from .models import Campaign, CampaignRecipient

WAITING = {Status.REGISTERED, Status.PENDING, Status.QUEUED, Status.ACCEPTED}
PROGRESS_KEYS = ("audience", "materialised", "queued", "sent", "delivered", "read", "replied",
                 "opted_out", "failed", "declined", "withdrawn")


def progress(campaign: Campaign) -> dict[str, int]:
    """``queued`` waits to leave; ``sent`` reached the network (delivered and read
    included), ``delivered`` includes read: each step of the funnel counts those past it.
    ``replied`` counts contacts who answered, ``opted_out`` those whose answer was STOP
    (or another opt-out keyword), which alone is no reply."""
    return progress_many([campaign])[campaign.pk]


def progress_many(campaigns) -> dict:
    """``progress`` of each campaign (by pk), in two grouped queries for the whole page."""
    campaigns = list(campaigns)
    out = {}
    for campaign in campaigns:
        out[campaign.pk] = dict.fromkeys(PROGRESS_KEYS, 0)
        out[campaign.pk]["audience"] = campaign.audience_count
    if not campaigns:
        return out
    rows = (
        Message.objects.filter(campaign_recipient__campaign__in=campaigns)
        .values_list("campaign_recipient__campaign", "status", "error_key").annotate(n=Count("id")).order_by()
    )
    for campaign_pk, status, error_key, n in rows:
        numbers = out[campaign_pk]
        numbers["materialised"] += n
        if status in WAITING:
            numbers["queued"] += n
        if status in (Status.SENT, Status.DELIVERED, Status.READ):
            numbers["sent"] += n
        if status in (Status.DELIVERED, Status.READ):
            numbers["delivered"] += n
        if status == Status.READ:
            numbers["read"] += n
        if status == Status.ERROR:
            numbers["failed"] += n
        if status == Status.DECLINED:
            numbers["withdrawn" if error_key == ErrorKey.WITHDRAWN else "declined"] += n
    engaged = (
        CampaignRecipient.objects.filter(campaign__in=campaigns)
        .filter(Q(replied_at__isnull=False) | Q(outcome=Outcome.OPTED_OUT))
        .values_list("campaign").order_by()
        .annotate(replied=Count("id", filter=Q(replied_at__isnull=False)),
                  opted_out=Count("id", filter=Q(outcome=Outcome.OPTED_OUT)))
    )
    for campaign_pk, replied, opted_out in engaged:
        out[campaign_pk]["replied"] = replied
        out[campaign_pk]["opted_out"] = opted_out
    return out


def percent_done(campaign: Campaign, numbers: dict[str, int]) -> int:
    """How much of the audience no longer waits (for progress bars)."""
    total = max(campaign.audience_count, numbers["materialised"])
    if not total:
        return 0
    return int(100 * (numbers["materialised"] - numbers["queued"]) / total)
