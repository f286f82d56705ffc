"""Engagement: what became of each recipient, and when a campaign is done.

Messaging imports no campaign code; it sends ``status_changed`` and ``message_received``
(``messaging.signals``) and the receivers here, connected in ``apps.py``, keep each
``CampaignRecipient`` up to date in the same transaction. ``campaign_engagement_completed``
is emitted once per recipient: when its message reaches a final state (read, failed,
declined), when the contact replies, or when the campaign completes (for messages that
rest at sent/delivered). Withdrawn recipients were never engaged and emit nothing.
"""
from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

import webhooks
from messaging.choices import ErrorKey, Status
from messaging.models import Message
from messaging.status import SETTLED
from webhooks.choices import EventType

from .choices import CampaignStatus, Outcome
from .models import Campaign, CampaignRecipient

S = CampaignStatus
OUTCOME_OF = {
    Status.QUEUED: Outcome.QUEUED, Status.ACCEPTED: Outcome.QUEUED, Status.SENT: Outcome.SENT,
    Status.DELIVERED: Outcome.DELIVERED, Status.READ: Outcome.READ, Status.ERROR: Outcome.FAILED,
    Status.DECLINED: Outcome.DECLINED,
}
RANK = {Outcome.QUEUED: 0, Outcome.SENT: 1, Outcome.DELIVERED: 2, Outcome.READ: 3}
FINAL_OUTCOMES = {Outcome.READ, Outcome.FAILED, Outcome.DECLINED}
UNSETTLED = [s for s in Status.values if s not in SETTLED]
NUDGE_SECONDS = 2


def on_status_changed(sender, message: Message, status: str, **kwargs) -> None:
    # created: born in messaging.services.send, so no campaign's (they queue via enqueue);
    # skipping it keeps the send endpoint's query count bounded.
    if not message.is_outbound or kwargs.get("created"):
        return
    recipient = (
        CampaignRecipient.objects.select_related("campaign__account", "contact")
        .filter(message_id=message.pk).first()
    )
    if recipient is None:
        return
    outcome = OUTCOME_OF.get(status)
    if status == Status.DECLINED and message.error_key == ErrorKey.WITHDRAWN:
        outcome = Outcome.WITHDRAWN
    if outcome is None or recipient.outcome in (Outcome.REPLIED, Outcome.WITHDRAWN):
        return
    if outcome in RANK and recipient.outcome in RANK and RANK[recipient.outcome] >= RANK[outcome]:
        return  # never backwards (a late report); a retried dead letter may leave FAILED
    recipient.outcome = outcome
    recipient.save(update_fields=["outcome"])
    if outcome in FINAL_OUTCOMES:
        complete(recipient)
    if status in SETTLED:
        nudge(recipient.campaign_id)


def on_statuses_changed(sender, changes, **kwargs) -> None:
    """The dispatcher's chunks: one query tells whether any of them is a campaign's, and
    only those go through ``on_status_changed``."""
    ids = {message.pk for message, _ in changes if message.is_outbound}
    if not ids:
        return
    ours = set(CampaignRecipient.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
    for message, status in changes:
        if message.pk in ours:
            on_status_changed(sender, message=message, status=status)


def on_message_received(sender, message: Message, **kwargs) -> None:
    """A reply from a contact ends the engagement of its latest campaign that reached it."""
    recipient = (
        CampaignRecipient.objects.select_related("campaign__account", "contact")
        .filter(
            campaign__account=message.account, contact__e164_number=message.number,
            replied_at__isnull=True,
            outcome__in=[Outcome.SENT, Outcome.DELIVERED, Outcome.READ],
        )
        .order_by("-created_at").first()
    )
    if recipient is None:
        return
    recipient.replied_at = timezone.now()
    recipient.outcome = Outcome.REPLIED
    recipient.save(update_fields=["replied_at", "outcome"])
    complete(recipient)


def complete(recipient: CampaignRecipient) -> bool:
    """Emit ``campaign_engagement_completed`` once for this recipient."""
    if recipient.completed_at is not None or recipient.outcome == Outcome.WITHDRAWN:
        return False
    updated = CampaignRecipient.objects.filter(pk=recipient.pk, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    if not updated:
        return False  # a concurrent path emitted it
    campaign, contact = recipient.campaign, recipient.contact
    webhooks.emit(campaign.account, EventType.CAMPAIGN_ENGAGEMENT_COMPLETED, {
        "campaign": {"id": str(campaign.pk), "name": campaign.name},
        "contact": {
            "id": str(contact.pk), "first_name": contact.first_name, "last_name": contact.last_name,
            "phone": contact.e164_number, "email": contact.email,
        },
        "outcome": recipient.outcome,
        "replied": recipient.replied_at is not None,
        "message_id": str(recipient.message.handle) if recipient.message_id else None,
    })
    return True


def nudge(campaign_id) -> None:
    """Ask for a completion check soon, at most one per campaign every NUDGE_SECONDS, so
    100,000 settling messages cost a few tasks, not 100,000. Registered after commit, so the
    check always runs after the last message's change is visible."""
    def publish():
        from . import tasks

        if cache.add(f"campaign-nudge:{campaign_id}", 1, timeout=NUDGE_SECONDS):
            tasks.check_campaign.apply_async((str(campaign_id),), countdown=NUDGE_SECONDS)

    transaction.on_commit(publish)


def check_completion(campaign_id) -> bool:
    """ACTIVE -> COMPLETED once every message is settled; the recipients still open are
    completed with where their message rests. True if the campaign completed now."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status == S.SCHEDULED and campaign.start_at and campaign.start_at <= timezone.now():
            campaign.status = S.ACTIVE
            campaign.save(update_fields=["status", "updated_at"])
            from .fanout import start_clock

            start_clock(campaign)
        if campaign.status != S.ACTIVE or campaign.fanout_done_at is None:
            return False
        if Message.objects.filter(campaign_recipient__campaign=campaign, status__in=UNSETTLED).exists():
            return False
        campaign.status = S.COMPLETED
        campaign.completed_at = timezone.now()
        campaign.save(update_fields=["status", "completed_at", "updated_at"])
    finish_open_recipients(campaign_id)
    return True


def finish_open_recipients(campaign_id, chunk: int = 500) -> None:
    while True:
        with transaction.atomic():
            batch = list(
                CampaignRecipient.objects.select_related("campaign__account", "contact", "message")
                .filter(campaign_id=campaign_id, completed_at__isnull=True)
                .exclude(outcome=Outcome.WITHDRAWN)[:chunk]
            )
            for recipient in batch:
                complete(recipient)
        if len(batch) < chunk:
            return
