"""Engagement: what became of each recipient, and when a campaign is done.

Messaging imports no campaign code; it sends ``statuses_changed`` and ``message_received``
(``messaging.signals``) and the receivers here, connected in ``apps.py``, keep each
``CampaignRecipient`` up to date in the same transaction. ``campaign_engagement_completed``
is emitted once per recipient: when its message reaches a final state (read, failed,
declined), when the contact replies (or opts out with STOP), or when the campaign completes (for messages that
rest at sent/delivered). Withdrawn recipients were never engaged and emit nothing.
"""
from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

import webhooks
from contacts.choices import KeywordAction
from contacts.keywords import keyword_action
from messaging.choices import ErrorKey, Status
from messaging.models import Message
from messaging.queue.order import is_interactive
from messaging.status import SETTLED
from webhooks.choices import EventType

from . import winner
from .choices import CampaignStatus, Outcome
from .models import Campaign, CampaignRecipient

S = CampaignStatus
OUTCOME_OF = {
    Status.QUEUED: Outcome.QUEUED, Status.ACCEPTED: Outcome.QUEUED, Status.SENT: Outcome.SENT,
    Status.DELIVERED: Outcome.DELIVERED, Status.READ: Outcome.READ, Status.ERROR: Outcome.FAILED,
    Status.DECLINED: Outcome.DECLINED, Status.EXPIRED: Outcome.EXPIRED,
}
RANK = {Outcome.QUEUED: 0, Outcome.SENT: 1, Outcome.DELIVERED: 2, Outcome.READ: 3}
FINAL_OUTCOMES = {Outcome.READ, Outcome.FAILED, Outcome.DECLINED, Outcome.EXPIRED}
UNSETTLED = [s for s in Status.values if s not in SETTLED]
NUDGE_SECONDS = 2


def on_statuses_changed(sender, changes, **kwargs) -> None:
    """A chunk's status changes (the dispatcher's 100s at once): the recipients they
    concern read in one query, their outcomes written in one UPDATE per outcome, and the
    engagements they complete emitted together, whatever the chunk's size."""
    # Only fan-out traffic is queued below the single sends (messaging/queue/order.py): a
    # chunk of single sends (the interactive lane's) costs no query here.
    ids = {message.pk for message, _ in changes if message.is_outbound and not is_interactive(message.priority)}
    if not ids:
        return
    qs = CampaignRecipient.objects.select_related("campaign__account", "contact", "message").filter(message_id__in=ids)
    if all(OUTCOME_OF.get(status) == Outcome.QUEUED for _, status in changes):
        # A claim (ACCEPTED): it moves only a recipient whose outcome is another (a retried
        # dead letter), and it runs while the claim holds the lines' row locks.
        qs = qs.exclude(outcome=Outcome.QUEUED)
    recipients = {r.message_id: r for r in qs}
    if not recipients:
        return
    moved: dict[int, CampaignRecipient] = {}
    settled: set = set()
    for message, status in changes:  # in order: a message's steps arrive oldest first
        recipient = recipients.get(message.pk)
        if recipient is None:
            continue
        outcome = _outcome(recipient, message, status)
        if outcome is not None:
            recipient.outcome = outcome
            moved[recipient.pk] = recipient
        if status in SETTLED:
            settled.add(recipient.campaign_id)
    by_outcome: dict[str, list[int]] = {}
    for recipient in moved.values():
        by_outcome.setdefault(recipient.outcome, []).append(recipient.pk)
    for outcome, pks in by_outcome.items():
        CampaignRecipient.objects.filter(pk__in=pks).update(outcome=outcome)
    complete_many([r for r in moved.values() if r.outcome in FINAL_OUTCOMES])
    for campaign_id in settled:
        nudge(campaign_id)


def _outcome(recipient: CampaignRecipient, message: Message, status: str) -> str | None:
    """The recipient's new outcome after its message moved to ``status``, or None."""
    outcome = OUTCOME_OF.get(status)
    if status == Status.DECLINED and message.error_key == ErrorKey.WITHDRAWN:
        outcome = Outcome.WITHDRAWN
    if outcome is None or recipient.outcome in (Outcome.REPLIED, Outcome.OPTED_OUT, Outcome.WITHDRAWN):
        return None
    if outcome in RANK and recipient.outcome in RANK and RANK[recipient.outcome] >= RANK[outcome]:
        return None  # never backwards (a late report); a retried dead letter may leave FAILED
    return outcome


def on_message_received(sender, message: Message, **kwargs) -> None:
    """A reply from a contact ends the engagement of its latest campaign that reached it; a
    reply that is one of the account's opt-out keywords (``contacts.keywords``: STOP... by
    default) makes that recipient "opted out", not "replied" (even after an earlier reply)."""
    opting_out = keyword_action(message.account, message.content)[0] == KeywordAction.OPT_OUT
    reached = [Outcome.SENT, Outcome.DELIVERED, Outcome.READ]
    recipients = CampaignRecipient.objects.select_related("campaign__account", "contact").filter(
        campaign__account=message.account, contact__e164_number=message.number,
    )
    if opting_out:
        recipients = recipients.filter(outcome__in=[*reached, Outcome.REPLIED])
    else:
        recipients = recipients.filter(replied_at__isnull=True, outcome__in=reached)
    recipient = recipients.order_by("-created_at").first()
    if recipient is None:
        return
    if opting_out:
        recipient.outcome = Outcome.OPTED_OUT
        recipient.save(update_fields=["outcome"])
    else:
        recipient.replied_at = timezone.now()
        recipient.outcome = Outcome.REPLIED
        recipient.save(update_fields=["replied_at", "outcome"])
    complete(recipient)


def complete(recipient: CampaignRecipient) -> bool:
    """Emit ``campaign_engagement_completed`` once for this recipient."""
    return bool(complete_many([recipient]))


def complete_many(recipients: list[CampaignRecipient]) -> list[CampaignRecipient]:
    """Emit ``campaign_engagement_completed`` once for each recipient not completed yet
    (one UPDATE claims them, so a concurrent path never emits the same one twice); ->
    those this call completed. Callers pass recipients with campaign, account and contact
    loaded."""
    open_ = {r.pk: r for r in recipients if r.completed_at is None and r.outcome != Outcome.WITHDRAWN}
    if not open_:
        return []
    now = timezone.now()
    done = [open_[pk] for pk in sorted(_claim_completion(list(open_), now))]
    for recipient in done:
        recipient.completed_at = now
    webhooks.emit_many([
        (r.campaign.account, EventType.CAMPAIGN_ENGAGEMENT_COMPLETED, _engagement_payload(r), None) for r in done
    ], returning=False)
    return done


def _claim_completion(pks: list[int], now) -> list[int]:
    """Set ``completed_at`` where it is unset; -> the ids this statement set. A concurrent
    claim of the same row waits for ours, then finds it set and skips it."""
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET completed_at = %s WHERE id = ANY(%s) AND completed_at IS NULL RETURNING id",
                [now, pks],
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite (embedded mode) writes one transaction at a time: read, then set.
    open_ = list(CampaignRecipient.objects.filter(pk__in=pks, completed_at__isnull=True).values_list("pk", flat=True))
    CampaignRecipient.objects.filter(pk__in=open_).update(completed_at=now)
    return open_


def _engagement_payload(recipient: CampaignRecipient) -> dict:
    campaign, contact = recipient.campaign, recipient.contact
    return {
        "campaign": {"id": str(campaign.pk), "name": campaign.name},
        "contact": {
            "id": str(contact.pk), "first_name": contact.first_name, "last_name": contact.last_name,
            "phone": contact.e164_number, "email": contact.email,
        },
        "outcome": recipient.outcome,
        "replied": recipient.replied_at is not None,
        "message_id": str(recipient.message.handle) if recipient.message_id else None,
    }


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
        from .operations import pending_attempts

        if winner.testing(campaign):
            return False  # the winner of its A/B test is still to be sent to the rest
        if pending_attempts(campaign.pk).exists():
            return False  # a resend has yet to queue its recipients again
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
            complete_many(batch)
        if len(batch) < chunk:
            return
