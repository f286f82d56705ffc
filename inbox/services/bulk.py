"""A bulk action from the conversation list: the same change to each selected conversation
the actor may act on; the others are counted as refused, never an error for the rest."""
from __future__ import annotations

from dataclasses import dataclass

from messaging import services as messaging
from messaging.models import Conversation
from outreach.exceptions import InvalidInput

from ..choices import State
from ..policy import Actor, Forbidden, check_assignee, check_work, visible
from .changes import UNSET, Change, parse
from .work import MAX_BULK, apply

#: (action, label) of the list's bulk menu.
ACTIONS = (("assign", "Assign to"), ("label", "Add label"), ("close", "Close"), ("read", "Mark read"))


@dataclass(frozen=True)
class Result:
    changed: int
    refused: int

    @property
    def message(self) -> str:
        said = f"Changed {self.changed} conversation{'' if self.changed == 1 else 's'}"
        return said + (f"; {self.refused} refused (not yours to change, or gone)." if self.refused else ".")


def _change(account, action: str, data: dict) -> Change | None:
    if action == "assign":
        return parse(account, {"assignee": data.get("assignee")})
    if action == "label":
        return parse(account, {"add_labels": [data.get("label")]})
    if action == "close":
        return Change(state=State.CLOSED)
    if action == "read":
        return None
    raise InvalidInput(f"{action!r} is no bulk action; use {', '.join(a for a, _ in ACTIONS)}.", field="action")


def _mark_read(account, ids: list[int]) -> None:
    for conversation in Conversation.objects.filter(pk__in=ids, unread_count__gt=0).select_related("line"):
        messaging.mark_read(account, conversation)


def bulk(account, ids: list[int], action: str, data: dict, *, actor: Actor) -> Result:
    """``data``: ``assignee`` (a user id or None) for assign, ``label`` (an id) for label."""
    ids = list(dict.fromkeys(ids))
    if not ids or len(ids) > MAX_BULK:
        raise InvalidInput(f"Select 1 to {MAX_BULK} conversations.", field="ids")
    change = _change(account, action, data)
    check_work(actor, None)  # a viewer changes nothing
    if change is not None and change.assignee is not UNSET:
        check_assignee(actor, change.assignee.pk if change.assignee is not None else None)
    mine = list(visible(actor, Conversation.objects.filter(account=account, pk__in=ids)).values_list("pk", flat=True))
    if mine and change is None:
        _mark_read(account, mine)
    elif mine:
        try:
            apply(account, mine, change, actor=actor)
        except Forbidden:  # one changed hands meanwhile: the whole batch is refused
            mine = []
    return Result(changed=len(mine), refused=len(ids) - len(mine))
