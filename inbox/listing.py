"""The inbox's views of messaging's conversation list (Mine, Unassigned, All, Snoozed,
Closed, by label, by line) and their unread counts. Messaging imports no inbox code: its
console asks through ``outreach.panels`` (registered in ``apps.py``).

The contract messaging's list may rely on:

- ``panels.answer("inbox-view", account, membership, key)`` -> a ``Q`` to ``filter`` the
  account's ``Conversation`` queryset with, or None when ``key`` names no view (then show
  ``DEFAULT``). Building it costs no query. It holds correlated ``EXISTS`` subqueries on the
  inbox's tables (never a list of ids), so the list keeps its ordering, its index
  (``conv_recent``) and its pagination, and it already keeps to what the person's role may
  see (``policy.visible``: an agent reads their own and unassigned conversations only).
- Keys (``KEYS``, and ``label:<id>``, ``line:<id>``): ``mine`` open and assigned to the
  person; ``unassigned`` open and nobody's; ``all`` open; ``snoozed``; ``closed``;
  ``label:<id>`` carrying the label, ``line:<id>`` on the line, both in any state. A
  conversation the inbox never touched (no ``Work`` row) is open and unassigned.
- ``panels.answer("inbox-unread", account, membership)`` -> {key: how many of those the
  person may see have unread messages (``unread_count > 0``)} for the five views, every
  label and every line of the account: three queries (labels, lines, one aggregate with a
  ``FILTER`` per view) whatever the numbers of conversations, labels and lines.
- ``panels.answer("inbox-visible", account, membership)`` -> a ``Q`` over ``Conversation``
  keeping those the person may read at all, in any state (``policy.visible``: an agent's own
  and unassigned ones): messaging's thread page and its actions answer 404 for the others.
  Building it costs no query.
- ``panels.context("inbox-sidebar", account, request)`` -> what ``inbox/_view_counts.html``
  renders (``inbox.views_list.counts_context``: ``inbox_views``, ``View`` rows of key,
  name, colour and unread in sidebar order; the current ``?view=``; the poll's version
  and interval); the same three queries.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q

from messaging.models import Conversation, Line
from outreach.choices import Role

from .choices import State
from .models import ConversationLabel, Label, Work
from .policy import Actor, for_member, may_see

KEYS = (("mine", "Mine"), ("unassigned", "Unassigned"), ("all", "All"), ("snoozed", "Snoozed"),
        ("closed", "Closed"))
DEFAULT = "all"


@dataclass
class View:
    key: str
    name: str
    colour: str = ""
    unread: int = 0


def _work(*where: Q, **fields) -> Q:
    """The conversation has a work row matching ``where`` and ``fields``."""
    return Q(Exists(Work.objects.filter(*where, pk=OuterRef("pk"), **fields)))


def _fixed(key: str, account, user_id: int | None) -> Q | None:
    if key == "mine":
        return _work(account=account, assignee_id=user_id, state=State.OPEN)
    if key == "unassigned":
        return ~_work(~Q(state=State.OPEN) | Q(assignee__isnull=False))
    if key == "all":
        return ~_work(~Q(state=State.OPEN))
    if key in (State.SNOOZED, State.CLOSED):
        return _work(state=key)
    return None


def _by_id(key: str) -> Q | None:
    kind, _, raw = key.partition(":")
    if not raw.isdigit():
        return None
    if kind == "label":
        return Q(Exists(ConversationLabel.objects.filter(conversation=OuterRef("pk"), label_id=int(raw))))
    if kind == "line":
        return Q(line_id=int(raw))
    return None


def condition(account, membership, key: str | None) -> Q | None:
    """The filter of view ``key`` for ``membership``'s person (None: no such view)."""
    key = (key or "").strip()
    actor = for_member(membership)
    chosen = _fixed(key, account, actor.user_id) if ":" not in key else _by_id(key)
    return None if chosen is None else chosen & may_see(actor)


def visible_condition(account, membership) -> Q:
    """What the person may read, in any state (the ``inbox-visible`` answer)."""
    return may_see(for_member(membership))


def _counts(actor: Actor, labels: list[Label], lines: list[Line]) -> dict:
    """The aggregate's terms: a FILTER per view over the visible unread conversations."""
    is_open = Q(held__isnull=True) | Q(held__state=State.OPEN)
    counts = {
        "mine": Count("pk", filter=Q(held__state=State.OPEN, held__assignee_id=actor.user_id)),
        "unassigned": Count("pk", filter=is_open & Q(held__assignee__isnull=True)),
        "all": Count("pk", filter=is_open),
        "snoozed": Count("pk", filter=Q(held__state=State.SNOOZED)),
        "closed": Count("pk", filter=Q(held__state=State.CLOSED)),
    }
    for label in labels:  # uncorrelated: PostgreSQL hashes each label's conversations once
        carrying = ConversationLabel.objects.filter(label_id=label.pk).values("conversation_id")
        counts[f"label:{label.pk}"] = Count("pk", filter=Q(pk__in=carrying))
    for line in lines:
        counts[f"line:{line.pk}"] = Count("pk", filter=Q(line_id=line.pk))
    return counts


def _tally(account, actor: Actor, labels: list[Label], lines: list[Line]) -> dict[str, int]:
    # The work rows joined are the account's only (in the join's ON), so PostgreSQL reads
    # them through the account's index rather than hashing every account's.
    unread = Conversation.objects.filter(account=account, unread_count__gt=0).alias(
        held=FilteredRelation("work", condition=Q(work__account=account)))
    if actor.role == Role.AGENT:  # policy.visible, on the joined row
        unread = unread.filter(Q(held__assignee__isnull=True) | Q(held__assignee_id=actor.user_id))
    terms = _counts(actor, labels, lines)
    aliases = {key: key.replace(":", "_") for key in terms}  # SQL aliases, not view keys
    row = unread.aggregate(**{aliases[key]: term for key, term in terms.items()})
    return {key: row[alias] for key, alias in aliases.items()}


def sidebar(account, membership) -> list[View]:
    """Every view of the person's inbox with its unread count, in sidebar order."""
    labels = list(Label.objects.filter(account=account))
    lines = list(Line.objects.filter(account=account))
    tally = _tally(account, for_member(membership), labels, lines)
    views = [View(key, name) for key, name in KEYS]
    views += [View(f"label:{label.pk}", label.name, label.colour) for label in labels]
    views += [View(f"line:{line.pk}", line.name or line.number) for line in lines]
    for view in views:
        view.unread = tally[view.key]
    return views


def unread(account, membership) -> dict[str, int]:
    return {view.key: view.unread for view in sidebar(account, membership)}
