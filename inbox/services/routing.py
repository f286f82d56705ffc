"""Who gets a conversation nobody holds, what a new reply does, and snoozes that end.

The round-robin goes around the account's available people (active, agent or above, the
"Available" toggle on) in user-id order, each pick after the last one it made. The pick
happens under a row lock of the account's ``AssignmentSettings``, so two replies arriving at
once for one account wait for each other and go to two different people.
"""
from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from messaging.models import Conversation

from ..choices import Rule, State
from ..models import AssignmentSettings, Availability, Work
from ..policy import SYSTEM, Actor
from . import events
from .changes import WORKERS
from .work import CONVERSATION_FIELDS, lock_work

#: Snoozed conversations one sweep wakes per transaction, and transactions per sweep.
WAKE_BATCH = 500
WAKE_BATCHES = 20


def settings_of(account, *, lock: bool = False) -> AssignmentSettings:
    AssignmentSettings.objects.get_or_create(account=account)
    qs = AssignmentSettings.objects.select_for_update() if lock else AssignmentSettings.objects
    return qs.get(pk=account.pk)


def available_ids(account) -> list[int]:
    """The user ids the round-robin goes around, in its order."""
    return list(
        Availability.objects.filter(
            available=True, membership__account=account, membership__deactivated_at__isnull=True,
            membership__role__in=WORKERS, membership__user__is_active=True,
        ).order_by("membership__user_id").values_list("membership__user_id", flat=True)
    )


def next_assignee(account):
    """The next available person (None if nobody is available); the caller's transaction
    holds the account's round-robin until it ends."""
    config = settings_of(account, lock=True)
    people = available_ids(account)
    if not people:
        return None
    last = config.last_assigned_id
    chosen = next((pk for pk in people if last is not None and pk > last), people[0])
    config.last_assigned_id = chosen
    config.save(update_fields=["last_assigned"])
    return get_user_model().objects.get(pk=chosen)


def _heirs(account, count: int) -> tuple[list, str]:
    """Who takes ``count`` conversations nobody holds, in order, and by which rule: the next
    ``count`` picks of the round-robin (one lock, one save), or nobody under the manual rule."""
    if settings_of(account).rule != Rule.ROUND_ROBIN:
        return [None] * count, ""
    config = settings_of(account, lock=True)
    people = available_ids(account)
    if not people:
        return [None] * count, ""
    picks, last = [], config.last_assigned_id
    for _ in range(count):
        last = next((pk for pk in people if last is not None and pk > last), people[0])
        picks.append(last)
    config.last_assigned_id = last
    config.save(update_fields=["last_assigned"])
    users = get_user_model().objects.in_bulk(set(picks))
    return [users[pk] for pk in picks], Rule.ROUND_ROBIN


@transaction.atomic
def person_left(account, user, *, by=None, reason: str = "person_deactivated") -> int:
    """``user`` no longer works the account (deactivated, or ``reason`` "role_changed": now a
    viewer): their open and snoozed conversations go to nobody, or round the round-robin
    when that is the account's rule, each with its ``conversation.assigned`` event and audit
    row (by ``by``, with ``reason``); -> how many."""
    waiting = (State.OPEN, State.SNOOZED)
    ids = list(Work.objects.filter(account=account, assignee=user, state__in=waiting).values_list("pk", flat=True))
    # Locked, then read again: a change that committed in between wins.
    ids = [pk for pk, work in lock_work(account, ids).items() if work.assignee_id == user.pk and work.state in waiting]
    if not ids:
        return 0
    heirs, rule = _heirs(account, len(ids))
    groups: dict = {}
    for pk, heir in zip(ids, heirs, strict=True):
        groups.setdefault(heir, []).append(pk)
    now = timezone.now()
    for heir, pks in groups.items():
        Work.objects.filter(pk__in=pks).update(assignee=heir, updated_at=now)
    convs = {c["pk"]: c for c in Conversation.objects.filter(pk__in=ids).values(*CONVERSATION_FIELDS)}
    out = events.Outcome(account, Actor(user=by, via="console") if by is not None else SYSTEM)
    for pk, heir in zip(ids, heirs, strict=True):
        events.assignee_changed(out, convs[pk], user.pk, heir, rule=rule, reason=reason)
    out.flush()
    return len(ids)


@transaction.atomic
def reply_received(account, conversation_id: int) -> Work:
    """A customer wrote: a closed or snoozed conversation opens again (keeping its
    assignee); one nobody holds gets an assignee when the account's rule is round-robin."""
    work = lock_work(account, [conversation_id])[conversation_id]
    before_state, before_assignee = work.state, work.assignee_id
    assignee, rule = None, ""
    if work.assignee_id is None and settings_of(account).rule == Rule.ROUND_ROBIN:
        assignee, rule = next_assignee(account), Rule.ROUND_ROBIN
    if before_state == State.OPEN and assignee is None:
        return work
    work.state, work.snooze_until = State.OPEN, None
    if assignee is not None:
        work.assignee = assignee
    work.save(update_fields=["state", "snooze_until", "assignee", "updated_at"])
    conv = Conversation.objects.filter(pk=conversation_id).values(*CONVERSATION_FIELDS).get()
    out = events.Outcome(account, SYSTEM)
    events.state_changed(out, conv, before_state, State.OPEN)
    if assignee is not None:
        events.assignee_changed(out, conv, before_assignee, assignee, rule=rule)
    out.flush()
    return work


def wake_snoozed(now: datetime | None = None, batch: int = WAKE_BATCH, batches: int = WAKE_BATCHES) -> int:
    """Open the snoozed conversations whose time has come, ``batch`` per transaction (rows
    another sweep holds are skipped); -> how many opened."""
    woken = 0
    for _ in range(batches):
        done = _wake_batch(now or timezone.now(), batch)
        woken += done
        if done < batch:
            break
    return woken


@transaction.atomic
def _wake_batch(now: datetime, batch: int) -> int:
    due = list(
        Work.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state=State.SNOOZED, snooze_until__lte=now).select_related("account")
        .order_by("snooze_until")[:batch]
    )
    if not due:
        return 0
    Work.objects.filter(pk__in=[w.pk for w in due]).update(state=State.OPEN, snooze_until=None, updated_at=now)
    convs = {c["pk"]: c for c in Conversation.objects.filter(pk__in=[w.pk for w in due]).values(*CONVERSATION_FIELDS)}
    outs: dict = {}
    for work in due:
        out = outs.setdefault(work.account_id, events.Outcome(work.account, SYSTEM))
        events.state_changed(out, convs[work.pk], State.SNOOZED, State.OPEN)
    merged = events.Outcome(None, SYSTEM)
    for out in outs.values():
        merged.webhooks += out.webhooks
        merged.audit += out.audit
    merged.flush()
    return len(due)
