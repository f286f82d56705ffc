"""Assign, close, reopen, snooze and label conversations: one at a time or a list of ids,
in a constant number of queries whatever the list's length (rows created, locked and
updated in one statement each; events and audit rows inserted in one each)."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from messaging.models import Conversation
from outreach.exceptions import InvalidInput, NotFound

from ..choices import State
from ..models import ConversationLabel, Work
from ..policy import Actor, check_assignee, check_work, visible
from . import events
from .changes import UNSET, Change

#: Largest list of conversations one bulk action takes.
MAX_BULK = 500
CONVERSATION_FIELDS = ("pk", "address", "group_display_name", "line__number", "contact_id")


def conversations(account, ids: list[int], actor: Actor, *, single: bool) -> dict[int, dict]:
    """The account's conversations among ``ids`` that ``actor`` may see, by id; any other
    id is NotFound (one) or InvalidInput naming them (a list)."""
    rows = visible(actor, Conversation.objects.filter(account=account, pk__in=ids)).values(*CONVERSATION_FIELDS)
    found = {row["pk"]: row for row in rows}
    missing = [i for i in ids if i not in found]
    if missing and single:
        raise NotFound("No such conversation in this account.")
    if missing:
        raise InvalidInput(f"No such conversation in this account: {', '.join(map(str, missing))}.", field="ids")
    return found


def lock_work(account, ids: list[int]) -> dict[int, Work]:
    """The conversations' work rows, created when missing, locked to the transaction's end
    (both in id order, so two overlapping bulk actions wait for each other, never deadlock)."""
    Work.objects.bulk_create([Work(conversation_id=pk, account=account) for pk in sorted(ids)],
                             ignore_conflicts=True)
    return {w.pk: w for w in Work.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _fields(change: Change) -> dict:
    fields: dict = {}
    if change.assignee is not UNSET:
        fields["assignee"] = change.assignee
    if change.state is not None:
        fields["state"] = change.state
        fields["snooze_until"] = change.snooze_until if change.state == State.SNOOZED else None
    return fields


def _relabel(ids: list[int], change: Change, names: dict[int, str]) -> tuple[dict, dict]:
    """Apply the label part of ``change`` (one read, one DELETE, one INSERT); -> (added,
    removed) label ids per conversation; ``names`` gains the names of the labels seen."""
    if change.labels is None and not change.add_labels and not change.remove_labels:
        return {}, {}
    had: dict[int, set[int]] = {pk: set() for pk in ids}
    pairs = ConversationLabel.objects.filter(conversation_id__in=ids).values_list(
        "conversation_id", "label_id", "label__name")
    for conv, label, name in pairs:
        had[conv].add(label)
        names[label] = name
    drop = {label.pk for label in change.remove_labels}
    add = ({label.pk for label in (change.labels or [])} | {label.pk for label in change.add_labels}) - drop
    removed = {pk: {lb for lb in had[pk] if lb in drop or (change.labels is not None and lb not in add)} for pk in ids}
    added = {pk: add - had[pk] for pk in ids}
    unwanted = Q(label_id__in=drop) | (~Q(label_id__in=add) if change.labels is not None else Q(pk__in=[]))
    if any(removed.values()):
        ConversationLabel.objects.filter(Q(conversation_id__in=ids) & unwanted).delete()
    if any(added.values()):
        ConversationLabel.objects.bulk_create(
            [ConversationLabel(conversation_id=pk, label_id=label) for pk in ids for label in added[pk]],
            ignore_conflicts=True,
        )
    return added, removed


@transaction.atomic
def apply(account, ids: list[int], change: Change, *, actor: Actor, single: bool = False) -> list[int]:
    """Apply ``change`` to the conversations ``ids``; -> the ids, in order. Refused whole
    (nothing changes) if the actor may not change one of them."""
    ids = list(dict.fromkeys(ids))
    if not single and len(ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} conversations at once; got {len(ids)}.", field="ids")
    convs = conversations(account, ids, actor, single=single)
    works = lock_work(account, ids)
    new_assignee = change.assignee if change.assignee is not UNSET else None
    for work in works.values():
        check_work(actor, work.assignee_id)
    if change.assignee is not UNSET:
        check_assignee(actor, new_assignee.pk if new_assignee is not None else None)
    fields = _fields(change)
    if fields:
        Work.objects.filter(pk__in=ids).update(**fields, updated_at=timezone.now())
    names = {label.pk: label.name for label in [*(change.labels or []), *change.add_labels, *change.remove_labels]}
    added, removed = _relabel(ids, change, names)
    out = events.Outcome(account, actor)
    for pk in ids:
        work, conv = works[pk], convs[pk]
        if change.assignee is not UNSET:
            events.assignee_changed(out, conv, work.assignee_id, new_assignee)
        if change.state is not None:
            events.state_changed(out, conv, work.state, change.state, change.snooze_until)
        events.labels_changed(out, conv, sorted(names[i] for i in added.get(pk, ())),
                              sorted(names[i] for i in removed.get(pk, ())))
    out.flush()
    return ids
