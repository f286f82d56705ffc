"""Read-side numbers: a campaign's progress and funnel, a bulk job's summary."""
from __future__ import annotations

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from contacts.models import Contact
from messaging.choices import ErrorKey, Status
from messaging.models import Message

from . import variants
from .choices import CampaignStatus, Outcome
from .models import Campaign, CampaignRecipient, TrackedLink

WAITING = {Status.REGISTERED, Status.PENDING, Status.QUEUED, Status.ACCEPTED}
PROGRESS_KEYS = ("audience", "materialised", "queued", "sent", "delivered", "read", "replied",
                 "opted_out", "clicked", "failed", "declined", "withdrawn", "expired")


def progress(campaign: Campaign) -> dict[str, int]:
    """``queued`` waits to leave; ``sent`` reached the network (delivered and read
    included), ``delivered`` includes read: each step of the funnel counts those past it.
    ``replied`` counts contacts who answered, ``opted_out`` those whose answer was STOP
    (or another opt-out keyword), which alone is no reply."""
    return progress_many([campaign])[campaign.pk]


def progress_many(campaigns) -> dict:
    """``progress`` of each campaign (by pk), in three grouped queries for the whole page
    (a draft's audience is who a start would reach now: ``draft_audiences``)."""
    campaigns = list(campaigns)
    out = {}
    drafts = draft_audiences(campaigns)
    for campaign in campaigns:
        out[campaign.pk] = dict.fromkeys(PROGRESS_KEYS, 0)
        out[campaign.pk]["audience"] = drafts.get(campaign.pk, campaign.audience_count)
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
        if status == Status.EXPIRED:
            numbers["expired"] += n
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
    clicked = (
        TrackedLink.objects.filter(campaign__in=campaigns, clicked_at__isnull=False)
        .values_list("campaign").order_by().annotate(n=Count("contact", distinct=True))
    )
    for campaign_pk, n in clicked:
        out[campaign_pk]["clicked"] = n
    return out


VARIANT_KEYS = ("recipients", "sent", "delivered", "read", "replied", "opted_out", "clicked", "failed")


def variant_stats(campaign: Campaign) -> list[dict]:
    """Each A/B variant's funnel (label, percent, recipients, sent, delivered, read, replied,
    opted out, failed), in two grouped queries; [] without variants."""
    if not campaign.variants:
        return []
    out = [{"label": variants.label(i), "percent": v["percent"], "body": v["body"], **dict.fromkeys(VARIANT_KEYS, 0)}
           for i, v in enumerate(campaign.variants)]
    rows = (
        Message.objects.filter(campaign_recipient__campaign=campaign, campaign_recipient__variant__isnull=False)
        .values_list("campaign_recipient__variant", "status").annotate(n=Count("id")).order_by()
    )
    for index, status, n in rows:
        if index >= len(out):
            continue
        numbers = out[index]
        numbers["sent"] += n if status in (Status.SENT, Status.DELIVERED, Status.READ) else 0
        numbers["delivered"] += n if status in (Status.DELIVERED, Status.READ) else 0
        numbers["read"] += n if status == Status.READ else 0
        numbers["failed"] += n if status == Status.ERROR else 0
    clicked = Exists(TrackedLink.objects.filter(campaign=campaign, contact_id=OuterRef("contact_id"),
                                                clicked_at__isnull=False))
    engaged = (
        CampaignRecipient.objects.filter(campaign=campaign, variant__isnull=False).values_list("variant").order_by()
        .annotate(recipients=Count("id"), replied=Count("id", filter=Q(replied_at__isnull=False)),
                  opted_out=Count("id", filter=Q(outcome=Outcome.OPTED_OUT)), clicked=Count("id", filter=Q(clicked)))
    )
    for index, recipients, replied, opted_out, n_clicked in engaged:
        if index < len(out):
            out[index].update(recipients=recipients, replied=replied, opted_out=opted_out, clicked=n_clicked)
    return out


def draft_audiences(campaigns: list[Campaign]) -> dict:
    """Each draft's audience: the contacts a start would reach now (in any of its lists or
    with any of its tags, not opted out), as ``services.audience`` counts them; one query
    for the whole page on PostgreSQL."""
    drafts = [c for c in campaigns if c.status == CampaignStatus.DRAFT]
    if not drafts:
        return {}
    if connection.vendor != "postgresql":  # the embedded SQLite: one count per draft
        from .services import audience

        return {c.pk: audience(c).count() for c in drafts}
    members = Contact.lists.through
    chosen = Campaign.lists.through
    sql = f"""
        SELECT c.id, (
            SELECT count(*) FROM {Contact._meta.db_table} k
            WHERE k.account_id = c.account_id AND k.opted_out_at IS NULL AND (
                EXISTS (SELECT 1 FROM {members._meta.db_table} m
                        JOIN {chosen._meta.db_table} l ON l.contactlist_id = m.contactlist_id
                        WHERE m.contact_id = k.id AND l.campaign_id = c.id)
                OR (jsonb_typeof(c.tags) = 'array' AND jsonb_typeof(k.tags) = 'array'
                    AND k.tags ?| ARRAY(SELECT jsonb_array_elements_text(c.tags)))
            )
        ) FROM {Campaign._meta.db_table} c WHERE c.id = ANY(%s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [[c.pk for c in drafts]])
        return dict(cursor.fetchall())


def percent_done(campaign: Campaign, numbers: dict[str, int]) -> int:
    """How much of the audience no longer waits (for progress bars)."""
    total = max(campaign.audience_count, numbers["materialised"])
    if not total:
        return 0
    return int(100 * (numbers["materialised"] - numbers["queued"]) / total)
