"""What a change to conversations' work tells the world: webhook events
(``conversation.assigned``, ``.closed``, ``.reopened``) and audit rows, each written for
a whole batch of conversations at once (a bulk action costs the same queries as one)."""
from __future__ import annotations

from dataclasses import dataclass, field

from outreach.audit import record_many
from outreach.choices import AuditAction
from webhooks import services as webhooks
from webhooks.choices import EventType

from ..choices import State
from ..policy import Actor


@dataclass
class Outcome:
    """The changes of one call, gathered while applying them; ``flush`` writes them."""

    account: object
    actor: Actor
    webhooks: list[tuple] = field(default_factory=list)
    audit: list[tuple] = field(default_factory=list)

    def event(self, event_type: str, conv: dict, **extra) -> None:
        payload = {
            "conversation_id": conv["pk"], "line": conv["line__number"], "number": conv["address"],
            "contact_id": str(conv["contact_id"]) if conv["contact_id"] else None,
            "by": self.actor.label, **extra,
        }
        self.webhooks.append((self.account, event_type, payload, ()))

    def log(self, action: str, conv: dict, detail: dict | None = None) -> None:
        label = conv["address"] or conv.get("group_display_name") or str(conv["pk"])
        detail = {**(detail or {}), **({"via": self.actor.label} if self.actor.via == "api" else {})}
        self.audit.append((self.account, self.actor.user, action, "conversation", conv["pk"], label, detail))

    def flush(self) -> None:
        if self.webhooks:
            webhooks.emit_many(self.webhooks, returning=False)
        record_many(self.audit)


def state_changed(out: Outcome, conv: dict, before: str, after: str, snooze_until=None) -> None:
    if before == after and after != State.SNOOZED:
        return
    if after == State.CLOSED:
        out.event(EventType.CONVERSATION_CLOSED, conv, previous_state=before)
        out.log(AuditAction.CONVERSATION_CLOSED, conv, {"from": before})
    elif after == State.OPEN:
        out.event(EventType.CONVERSATION_REOPENED, conv, previous_state=before)
        out.log(AuditAction.CONVERSATION_REOPENED, conv, {"from": before})
    else:
        until = snooze_until.isoformat() if snooze_until else None
        out.log(AuditAction.CONVERSATION_SNOOZED, conv, {"from": before, "until": until})


def assignee_changed(out: Outcome, conv: dict, before: int | None, after, rule: str = "", reason: str = "") -> None:
    """``after``: the new assignee (a user) or None; ``reason`` (audit only): why, when not
    the actor's choice, e.g. ``person_deactivated``."""
    after_id = after.pk if after is not None else None
    if before == after_id:
        return
    who = {"id": after_id, "username": after.get_username()} if after is not None else None
    detail = {"from": before, "to": who["username"] if who else None, **({"rule": rule} if rule else {}),
              **({"reason": reason} if reason else {})}
    out.event(EventType.CONVERSATION_ASSIGNED, conv, assignee=who, previous_assignee_id=before,
              **({"rule": rule} if rule else {}))
    out.log(AuditAction.CONVERSATION_ASSIGNED, conv, detail)


def labels_changed(out: Outcome, conv: dict, added: list[str], removed: list[str]) -> None:
    if added or removed:
        out.log(AuditAction.CONVERSATION_LABELLED, conv, {"added": added, "removed": removed})
