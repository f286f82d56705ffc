"""One conversation, one verb: the shorthands of ``apply``."""
from __future__ import annotations

from datetime import datetime

from ..choices import State
from ..policy import Actor
from .changes import Change, parse
from .work import apply


def assign(account, conversation_id: int, user_id: int | None, *, actor: Actor) -> None:
    """Give the conversation to a person (by user id), or to nobody (None)."""
    apply(account, [conversation_id], parse(account, {"assignee": user_id}), actor=actor, single=True)


def close(account, conversation_id: int, *, actor: Actor) -> None:
    apply(account, [conversation_id], Change(state=State.CLOSED), actor=actor, single=True)


def reopen(account, conversation_id: int, *, actor: Actor) -> None:
    apply(account, [conversation_id], Change(state=State.OPEN), actor=actor, single=True)


def snooze(account, conversation_id: int, until: datetime, *, actor: Actor, now: datetime | None = None) -> None:
    apply(account, [conversation_id], parse(account, {"snooze_until": until}, now=now), actor=actor, single=True)


def label(account, conversation_id: int, label_ids: list[int], *, actor: Actor) -> None:
    apply(account, [conversation_id], parse(account, {"add_labels": label_ids}), actor=actor, single=True)


def unlabel(account, conversation_id: int, label_ids: list[int], *, actor: Actor) -> None:
    apply(account, [conversation_id], parse(account, {"remove_labels": label_ids}), actor=actor, single=True)
