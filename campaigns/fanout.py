"""Campaign fan-out: the audience streamed in id order, chunk by chunk, into queued messages.

Each chunk is one transaction that holds the campaign's row lock, so two fan-outs of the
same campaign (a redelivered task, a resume) never interleave; the contacts already in
``CampaignRecipient`` are skipped, so a repeated fan-out creates no second message. The
cursor (last contact id done) is saved with the chunk: a killed worker resumes where the
last commit left off, and memory holds one chunk, whatever the audience size.
"""
from __future__ import annotations

import datetime as dt
import time
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from messaging.choices import EventSource, Status
from messaging.enqueue import (
    LinePicker,
    Outgoing,
    any_of,
    enqueue_many,
    insert_columns,
    pool_lines,
    relax_commit,
)
from messaging.models import Message

from . import schedule, templating
from .choices import CampaignStatus, Outcome
from .models import Campaign, CampaignRecipient

S = CampaignStatus
CHUNK = 5000
#: A task hands over to a fresh one after this long, well inside Celery's time limit.
TASK_BUDGET_SECONDS = 60.0
CONTACT_COLUMNS = (
    "pk", "e164_number", "first_name", "last_name", "email", "company_name", "timezone", "custom_variables",
)


def pool(campaign: Campaign) -> list:
    return pool_lines(campaign.account, list(campaign.lines.values_list("pk", flat=True)))


def schedule_fanout(campaign_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.fanout_campaign.delay(str(campaign_id)))


def schedule_withdraw(campaign_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.withdraw_campaign.delay(str(campaign_id)))


def pace_base(campaign: Campaign):
    """Slots of a paced campaign count from its start (so a resumed fan-out keeps the rhythm)."""
    return max(filter(None, [campaign.start_at, campaign.started_at]))


def pace_tick(campaign_id: UUID | str) -> None:
    """A paced campaign's clock: wake the dispatcher at each slot while the campaign is
    active. Without it a message due in 2 s would wait for the reconciler's next beat."""
    from messaging.services import wake_dispatcher

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != S.ACTIVE or not campaign.pace_per_minute:
        return
    wake_dispatcher()
    interval = max(60.0 / campaign.pace_per_minute, 1.0)
    elapsed = (timezone.now() - pace_base(campaign)).total_seconds()
    schedule_tick(campaign.pk, int(max(elapsed, 0) // interval) + 1, interval, pace_base(campaign))


def schedule_tick(campaign_id, k: int, interval: float, base) -> None:
    """One tick per slot ``k``, however many paths ask for it (start, resume, the chain)."""
    from django.core.cache import cache

    from . import tasks

    delay = max((base + dt.timedelta(seconds=k * interval) - timezone.now()).total_seconds(), 0.0)
    if delay > 60:
        return  # long waits are the sweep's (it starts the clock when a schedule begins)
    if cache.add(f"campaign-tick:{campaign_id}:{k}", 1, timeout=int(delay) + 60):
        tasks.pace_tick.apply_async((str(campaign_id),), countdown=delay)


def start_clock(campaign: Campaign) -> None:
    if campaign.pace_per_minute:
        transaction.on_commit(lambda: pace_tick(campaign.pk))


def run(campaign_id: UUID | str, budget: float = TASK_BUDGET_SECONDS) -> bool:
    """Fan out chunks until done, paused/stopped, or out of time. True if more remains."""
    deadline = time.monotonic() + budget
    campaign = Campaign.objects.select_related("account").get(pk=campaign_id)
    picker = LinePicker(pool(campaign))  # loads counted once per run, then kept up to date
    while True:
        more = fan_out_chunk(campaign_id, picker)
        if not more:
            return False
        if time.monotonic() > deadline:
            return True


def fan_out_chunk(campaign_id: UUID | str, picker: LinePicker | None = None) -> bool:
    """One chunk in one transaction. True if the audience has more contacts after it."""
    from . import engagement

    with transaction.atomic():
        relax_commit()
        campaign = Campaign.objects.select_for_update().select_related("account").get(pk=campaign_id)
        if campaign.status not in (S.ACTIVE, S.SCHEDULED) or campaign.fanout_done_at:
            return False
        from .services import audience

        qs = audience(campaign, after=campaign.fanout_cursor).order_by("pk")
        contacts = list(qs.values(*CONTACT_COLUMNS)[:CHUNK])
        if not contacts:
            campaign.fanout_done_at = timezone.now()
            campaign.save(update_fields=["fanout_done_at", "updated_at"])
            engagement.nudge(campaign.pk)
            return False
        done = set(
            CampaignRecipient.objects.filter(campaign=campaign)
            .filter(any_of("contact_id", [c["pk"] for c in contacts], "uuid")).values_list("contact_id", flat=True)
        )
        todo = [c for c in contacts if c["pk"] not in done]
        seq = campaign.fanout_count
        items = plan(campaign, todo, seq)
        ids = enqueue_many(
            campaign.account, items, picker or LinePicker(pool(campaign)), priority=campaign.priority,
            media_url=campaign.media_url, send_style=campaign.send_style, source=EventSource.CAMPAIGN,
        )
        now = timezone.now()
        insert_columns(
            CampaignRecipient,
            {"contact_id": [c["pk"] for c in todo], "message_id": ids, "seq": list(range(seq, seq + len(todo)))},
            {"campaign_id": campaign.pk, "outcome": Outcome.QUEUED.value, "created_at": now},
        )
        campaign.fanout_cursor = contacts[-1]["pk"]
        campaign.fanout_count = seq + len(todo)
        more = len(contacts) == CHUNK
        if not more:
            campaign.fanout_done_at = now
            engagement.nudge(campaign.pk)
        campaign.save(update_fields=["fanout_cursor", "fanout_count", "fanout_done_at", "updated_at"])
        return more


def plan(campaign: Campaign, contacts: list[dict], first_seq: int) -> list[Outgoing]:
    """Personalised text and due time for each contact: paced from the campaign's start,
    then moved into the contact's sending window (in its timezone, else the account's)."""
    base = max(filter(None, [campaign.start_at, campaign.started_at, timezone.now()]))
    if campaign.pace_per_minute:
        base = pace_base(campaign)
    default_tz = campaign.account.default_timezone
    out = []
    for i, contact in enumerate(contacts):
        due = schedule.pace_slot(base, first_seq + i, campaign.pace_per_minute)
        tz = schedule.contact_zone(contact["timezone"], default_tz)
        due = schedule.in_window(due, tz, campaign.window_start, campaign.window_end)
        out.append(Outgoing(
            address=contact["e164_number"],
            content=templating.render_for(campaign.body, contact),
            next_attempt_at=due,
            contact_id=contact["pk"],
        ))
    return out


def release(campaign: Campaign) -> int:
    """Resume: give the held messages new due times, paced from now, in their windows."""
    now = timezone.now()
    default_tz = campaign.account.default_timezone
    held = (
        Message.objects.filter(
            campaign_recipient__campaign=campaign, status=Status.QUEUED, next_attempt_at=schedule.HELD_UNTIL
        )
        .order_by("campaign_recipient__seq")
        .values_list("pk", "campaign_recipient__contact__timezone")
    )
    base = max(filter(None, [campaign.start_at, now]))
    changed, batch = 0, []
    for i, (pk, tz_name) in enumerate(held.iterator(chunk_size=CHUNK)):
        due = schedule.pace_slot(base, i, campaign.pace_per_minute)
        due = schedule.in_window(due, schedule.contact_zone(tz_name, default_tz),
                                 campaign.window_start, campaign.window_end)
        batch.append(Message(pk=pk, next_attempt_at=due))
        if len(batch) >= CHUNK:
            changed += Message.objects.bulk_update(batch, ["next_attempt_at"])
            batch = []
    if batch:
        changed += Message.objects.bulk_update(batch, ["next_attempt_at"])
    from messaging.services import wake_dispatcher

    wake_dispatcher()
    return changed


def withdraw_chunk(campaign_id: UUID | str, size: int = 500) -> int:
    """Withdraw (DECLINED, WITHDRAWN) up to ``size`` unclaimed messages of a stopped
    campaign; rows a worker is claiming right now are skipped and finish normally."""
    from messaging.choices import ErrorCode, ErrorKey
    from messaging.services import record_transition

    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "line", "conversation")
            .filter(campaign_recipient__campaign_id=campaign_id, status=Status.QUEUED)[:size]
        )
        for message in messages:
            record_transition(
                message, Status.DECLINED, source=EventSource.CAMPAIGN, detail="campaign stopped",
                error_key=ErrorKey.WITHDRAWN, error_code=ErrorCode.VALIDATION,
                error_message="Withdrawn: the campaign was stopped before this message was sent.",
            )
        return len(messages)


def contacts_in(campaign: Campaign) -> int:
    """How many contacts the audience has now (for the console's form)."""
    from .services import audience

    return audience(campaign).count()
