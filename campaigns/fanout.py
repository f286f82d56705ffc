"""Campaign fan-out: the audience streamed in id order, chunk by chunk, into queued messages.

The audience's contact ids are cut into ``FanoutSlice``s (one below ``FANOUT_SLICE_MIN``
contacts, ``FANOUT_SLICES`` above), each fanned out by a task of its own, so a
large campaign uses every worker process. Each chunk is one transaction that locks its
slice's row (two runs of the same slice never interleave) and holds the campaign's row
FOR SHARE: the slices' chunks run side by side, while a pause or stop (an UPDATE of that
row) waits for the chunks in flight and the next ones see it. Contacts already in
``CampaignRecipient`` are skipped, so a repeated fan-out creates no second message. A
slice's cursor (last contact id done) is saved with its chunk: a killed worker resumes
where the last commit left off, and memory holds one chunk, whatever the audience size.
"""
from __future__ import annotations

import datetime as dt
import time
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from messaging.choices import ErrorCode, ErrorKey, EventSource, Status
from messaging.lines import LinePicker, pool_lines
from messaging.models import Message
from messaging.services import record_transition, wake_dispatcher
from messaging.services.enqueue import Outgoing, enqueue_many
from outreach.db import any_of, insert_columns, relax_commit

from . import links, schedule, templating, winner
from .choices import CampaignStatus, Outcome
from .models import Campaign, CampaignRecipient, FanoutSlice

S = CampaignStatus
# Contacts per chunk (one transaction): ``settings.FANOUT_CHUNK``, memory and lock time
# against statements per contact. Below ``settings.FANOUT_SLICE_MIN`` contacts the audience
# is one slice: parallel slices would save little, and a single slice paces its recipients
# with no gap in their sequence. Both are read when used.
#: A task hands over to a fresh one after this long, well inside Celery's time limit.
TASK_BUDGET_SECONDS = 60.0


def pool(campaign: Campaign) -> list:
    return pool_lines(campaign.account, list(campaign.lines.values_list("pk", flat=True)))


def schedule_fanout(campaign_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.fanout_campaign.delay(str(campaign_id)))


def schedule_withdraw(campaign_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.withdraw_campaign.delay(str(campaign_id)))


def pace_base(campaign: Campaign):
    """Slots of a paced campaign count from its start (so a resumed fan-out keeps the rhythm;
    after an A/B test's decision, the rest's first slot is the decision's)."""
    return winner.pace_base(campaign, max(filter(None, [campaign.start_at, campaign.started_at])))


def pace_tick(campaign_id: UUID | str) -> None:
    """A paced campaign's clock: wake the dispatcher at each slot while the campaign is
    active. Without it a message due in 2 s would wait for the reconciler's next beat."""
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


def plan_slices(campaign: Campaign) -> list[int]:
    """Cut the audience's id space into slices (once: a repeated call finds them); ->
    the indexes of the slices not done yet."""
    count = settings.FANOUT_SLICES if campaign.audience_count >= settings.FANOUT_SLICE_MIN else 1
    count = max(count, 1)
    # uuid4 ids are uniform over the 128-bit space: equal ranges hold equal shares.
    bounds = [None, *(UUID(int=(i << 128) // count - 1) for i in range(1, count)), None]
    FanoutSlice.objects.bulk_create(
        [FanoutSlice(campaign=campaign, index=i, of=count, cursor=bounds[i], end=bounds[i + 1]) for i in range(count)],
        ignore_conflicts=True,
    )
    return list(
        FanoutSlice.objects.filter(campaign=campaign, done_at__isnull=True).values_list("index", flat=True)
    )


def run(campaign_id: UUID | str, index: int | None = None, budget: float = TASK_BUDGET_SECONDS) -> bool:
    """Fan out chunks of slice ``index`` (of every slice in turn if None) until done,
    paused/stopped, or out of time. True if more remains."""
    deadline = time.monotonic() + budget
    campaign = Campaign.objects.select_related("account").get(pk=campaign_id)
    indexes = plan_slices(campaign) if index is None else [index]
    picker = LinePicker(pool(campaign))  # loads counted once per run, then kept up to date
    for i in indexes:
        while fan_out_chunk(campaign_id, i, picker):
            if time.monotonic() > deadline:
                return True
    finish(campaign_id)
    return False


def _share_locked(campaign_id: UUID | str) -> Campaign | None:
    """The campaign, its row held FOR SHARE until the transaction ends (PostgreSQL; SQLite
    runs one writer at a time anyway)."""
    qs = Campaign.objects.select_related("account").filter(pk=campaign_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Campaign._meta.db_table} WHERE id = %s FOR SHARE", [campaign_id])
    return qs.first()


def fan_out_chunk(campaign_id: UUID | str, index: int = 0, picker: LinePicker | None = None) -> bool:
    """One chunk of slice ``index`` in one transaction. True if the slice has more
    contacts after it."""
    with transaction.atomic():
        relax_commit()
        campaign = _share_locked(campaign_id)
        if campaign is None or campaign.status not in (S.ACTIVE, S.SCHEDULED) or campaign.fanout_done_at:
            return False
        part = FanoutSlice.objects.select_for_update().filter(campaign_id=campaign_id, index=index).first()
        if part is None or part.done_at:
            return False
        from .services import audience

        renders = compile_bodies(campaign)
        qs = audience(campaign, after=part.cursor, until=part.end).order_by("pk")
        contacts = list(qs.values(*contact_columns(*renders))[:settings.FANOUT_CHUNK])
        done = set(
            CampaignRecipient.objects.filter(campaign=campaign)
            .filter(any_of("contact_id", [c["pk"] for c in contacts], "uuid")).values_list("contact_id", flat=True)
        ) if contacts else set()
        admit = winner.admits(campaign)  # an A/B test's share first, the rest once it is decided
        todo = [c for c in contacts if c["pk"] not in done and admit(c["pk"])]
        seqs = [(part.count + i) * part.of + part.index for i in range(len(todo))]
        pick_variant = winner.picker(campaign)
        chosen = [pick_variant(c["pk"]) for c in todo] if campaign.variants else None
        items = plan(campaign, todo, seqs, renders, chosen)
        rewrite = links.rewriter_for(campaign, [v["body"] for v in campaign.variants] or [campaign.body])
        if rewrite is not None:
            for item in items:
                item.content = rewrite(item.content, item.contact_id)
        ids = enqueue_many(
            campaign.account, items, picker or LinePicker(pool(campaign)), priority=campaign.priority,
            media_url=campaign.media_url, send_style=campaign.send_style, source=EventSource.CAMPAIGN,
            expires_at=campaign.expires_at,
        )
        columns = {"contact_id": [c["pk"] for c in todo], "message_id": ids, "seq": seqs}
        constants = {"campaign_id": campaign.pk, "outcome": Outcome.QUEUED.value, "created_at": timezone.now()}
        if chosen is not None:
            columns["variant"] = chosen
        insert_columns(CampaignRecipient, columns, constants)
        if rewrite is not None:
            rewrite.save()
        more = len(contacts) == settings.FANOUT_CHUNK
        if contacts:
            part.cursor = contacts[-1]["pk"]
        part.count += len(todo)
        part.done_at = None if more else timezone.now()
        part.save(update_fields=["cursor", "count", "done_at", "updated_at"])
        return more


def finish(campaign_id: UUID | str) -> bool:
    """Once every slice is done: the campaign's fan-out is (``fanout_done_at``). Run after
    the slice's last chunk committed; the row lock waits for other slices' chunks in flight."""
    open_slices = FanoutSlice.objects.filter(campaign_id=campaign_id, done_at__isnull=True)
    if open_slices.exists():
        return False
    from . import engagement

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        slices = list(FanoutSlice.objects.filter(campaign_id=campaign_id))
        if campaign.fanout_done_at or not slices or any(s.done_at is None for s in slices):
            return False
        if campaign.status not in (S.ACTIVE, S.SCHEDULED):
            return False
        campaign.fanout_count = sum(s.count for s in slices)
        campaign.fanout_done_at = timezone.now()
        campaign.save(update_fields=["fanout_count", "fanout_done_at", "updated_at"])
        engagement.nudge(campaign.pk)
        winner.schedule_decision(campaign)
    return True


def compile_bodies(campaign: Campaign) -> list:
    """The campaign's template, or each A/B variant's, parsed once per chunk."""
    return [templating.compile_template(v["body"]) for v in campaign.variants] if campaign.variants \
        else [templating.compile_template(campaign.body)]


def contact_columns(*renders) -> list[str]:
    """What a chunk reads of each contact: its id, number and timezone, and the columns
    the templates name (no JSON decoded per contact unless one uses custom variables)."""
    named = set().union(*(render.columns for render in renders))
    return ["pk", "e164_number", "timezone", *sorted(named - {"e164_number"})]


def plan(campaign: Campaign, contacts: list[dict], seqs: list[int], renders=None,
         chosen: list[int] | None = None) -> list[Outgoing]:
    """Personalised text (its A/B variant's, ``chosen`` per contact) and due time for each
    contact: paced from the campaign's start (by its seq), then moved into the contact's
    sending window (in its timezone, else the account's)."""
    base = max(filter(None, [campaign.start_at, campaign.started_at, timezone.now()]))
    if campaign.pace_per_minute:
        base = pace_base(campaign)
    default_tz = campaign.account.default_timezone
    renders = renders or compile_bodies(campaign)
    window = (campaign.window_start, campaign.window_end)
    unpaced: dict[str, dt.datetime] = {}  # without a pace every message is due at base: one answer per zone
    out = []
    for n, (contact, seq) in enumerate(zip(contacts, seqs, strict=True)):
        zone_name = contact["timezone"] or ""
        if campaign.pace_per_minute:
            due = schedule.in_window(schedule.pace_slot(base, seq, campaign.pace_per_minute),
                                     schedule.contact_zone(zone_name, default_tz), *window)
        else:
            due = unpaced.get(zone_name)
            if due is None:
                due = unpaced[zone_name] = schedule.in_window(base, schedule.contact_zone(zone_name, default_tz), *window)
        out.append(Outgoing(
            address=contact["e164_number"],
            content=renders[chosen[n] if chosen else 0](contact),
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
    for i, (pk, tz_name) in enumerate(held.iterator(chunk_size=settings.FANOUT_CHUNK)):
        due = schedule.pace_slot(base, i, campaign.pace_per_minute)
        due = schedule.in_window(due, schedule.contact_zone(tz_name, default_tz),
                                 campaign.window_start, campaign.window_end)
        batch.append(Message(pk=pk, next_attempt_at=due))
        if len(batch) >= settings.FANOUT_CHUNK:
            changed += Message.objects.bulk_update(batch, ["next_attempt_at"])
            batch = []
    if batch:
        changed += Message.objects.bulk_update(batch, ["next_attempt_at"])
    wake_dispatcher()
    return changed


def withdraw_chunk(campaign_id: UUID | str, size: int = 500) -> int:
    """Withdraw (DECLINED, WITHDRAWN) up to ``size`` unclaimed messages of a stopped
    campaign; rows a worker is claiming right now are skipped and finish normally."""
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
