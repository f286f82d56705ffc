"""Who may do what to a conversation's work (issue #16, People and roles).

- owners and managers: every conversation, and assign it to anyone who works the inbox;
- agents: conversations assigned to them or to nobody: they take one (assign it to
  themselves), give it back (unassign), close, reopen, snooze, label and note it; another
  agent's conversation is not theirs to see (``visible``: 404 by URL);
- viewers: read, change nothing.

The services check these on every call, whoever calls (console view, API, a rule).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from outreach.choices import ROLE_RANK, Role
from outreach.exceptions import OutreachError

from .models import Work


class Forbidden(OutreachError):
    """The actor's role does not allow this change (403)."""

    status_code = 403


@dataclass(frozen=True)
class Actor:
    """Who changes a conversation: a person with their role in the account, an API key
    (acting for the account, as an owner would), or the system (a rule, a sweep)."""

    user: Any = None
    role: str = Role.OWNER
    #: How the change came: "console", "api" (with the key's name in ``key``) or "system".
    via: str = "system"
    key: str = ""

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def label(self) -> str:
        if self.via == "api":
            return f"API key {self.key}"
        return self.user.get_username() if self.user is not None else "system"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


SYSTEM = Actor()


def for_member(membership) -> Actor:
    return Actor(user=membership.user, role=membership.role, via="console")


def for_key(key) -> Actor:
    """An API key acts for its account: its scopes, not a role, limit it."""
    return Actor(user=key.created_by, role=Role.OWNER, via="api", key=key.name)


def visible(actor: Actor, conversations: QuerySet) -> QuerySet:
    """The conversations ``actor`` may read: an agent's own and the unassigned ones."""
    if actor.role == Role.AGENT:
        return conversations.filter(Q(work__isnull=True) | Q(work__assignee__isnull=True)
                                    | Q(work__assignee=actor.user_id))
    return conversations


def may_see(actor: Actor) -> Q:
    """``visible`` as a condition for a queryset the inbox only filters (messaging's list):
    for an agent, no work row gives the conversation to someone else."""
    if actor.role != Role.AGENT:
        return Q()
    others = Q(assignee__isnull=False) & ~Q(assignee_id=actor.user_id)
    return ~Q(Exists(Work.objects.filter(others, pk=OuterRef("pk"))))


def check_work(actor: Actor, assignee_id: int | None) -> None:
    """Refuse a change to a conversation now assigned to ``assignee_id``."""
    if actor.role == Role.VIEWER:
        raise Forbidden("A viewer reads conversations and changes none.")
    if actor.role == Role.AGENT and assignee_id not in (None, actor.user_id):
        raise Forbidden("This conversation is assigned to someone else: an agent works their own and "
                        "unassigned conversations.")


def check_assignee(actor: Actor, assignee_id: int | None) -> None:
    """Refuse giving a conversation to ``assignee_id`` (None: to nobody)."""
    if actor.role == Role.AGENT and assignee_id not in (None, actor.user_id):
        raise Forbidden("An agent assigns conversations to themselves only; a manager assigns them to others.",
                        field="assignee")


def check_manager(actor: Actor, what: str) -> None:
    if not actor.at_least(Role.MANAGER):
        raise Forbidden(f"Only a manager or an owner may {what}.")
