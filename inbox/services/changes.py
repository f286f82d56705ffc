"""A requested change to conversations' work, checked whole: every bad field is named at
once (``InvalidInput.of_fields``), before anything is written."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.choices import Role
from outreach.exceptions import InvalidInput

from ..choices import State
from ..models import Label

#: "Not sent": a field left out of a PATCH changes nothing (None means "nobody").
UNSET = object()
WORKERS = (Role.OWNER, Role.MANAGER, Role.AGENT)


@dataclass
class Change:
    assignee: object = UNSET  # a user, None (nobody) or UNSET
    state: str | None = None
    snooze_until: datetime | None = None
    labels: list[Label] | None = None  # the whole set (replaces), or None
    add_labels: list[Label] = field(default_factory=list)
    remove_labels: list[Label] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (self.assignee is UNSET and self.state is None and self.labels is None
                and not self.add_labels and not self.remove_labels)


def assignee_of(account, raw, errors: dict) -> object:
    """A user working this account's inbox (active, agent or above), or None."""
    if raw is None:
        return None
    user = (get_user_model().objects.filter(
        pk=raw, is_active=True,
        memberships__account=account, memberships__deactivated_at__isnull=True, memberships__role__in=WORKERS,
    ).first() if isinstance(raw, int) and not isinstance(raw, bool) else None)
    if user is None:
        errors["assignee"] = (f"{raw!r} is no active owner, manager or agent of this account "
                              "(give a person's user id, or null for nobody).")
    return user


def labels_of(account, raw, name: str, errors: dict) -> list[Label]:
    ids = list(dict.fromkeys(raw))
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors[name] = "Give label ids (whole numbers)."
        return []
    found = list(Label.objects.filter(account=account, pk__in=ids)) if ids else []
    missing = sorted(set(ids) - {label.pk for label in found})
    if missing:
        errors[name] = f"No such label in this account: {', '.join(map(str, missing))}."
    return found


def _state(data: dict, errors: dict, now: datetime) -> tuple[str | None, datetime | None]:
    state, until = data.get("state"), data.get("snooze_until")
    if state is not None and state not in State.values:
        errors["state"] = f"{state!r} is not a state; use {', '.join(State.values)}."
        return None, None
    if until is not None and state is None:
        state = State.SNOOZED  # a wake-up time alone snoozes
    if state == State.SNOOZED and until is None:
        errors["snooze_until"] = "A snoozed conversation needs the time it opens again (snooze_until)."
    elif until is not None and state != State.SNOOZED:
        errors["snooze_until"] = f"snooze_until goes with state snoozed, not {state}."
    elif until is not None and until <= now:
        errors["snooze_until"] = f"{until.isoformat()} has passed; snooze until a later time."
    return state, until


def parse(account, data: dict, *, now: datetime | None = None) -> Change:
    """``data``: any of assignee (user id or None), state, snooze_until (aware datetime),
    labels, add_labels, remove_labels (label ids); types already checked by the caller."""
    errors: dict[str, str] = {}
    change = Change()
    if "assignee" in data:
        change.assignee = assignee_of(account, data["assignee"], errors)
    change.state, change.snooze_until = _state(data, errors, now or timezone.now())
    if data.get("labels") is not None:
        change.labels = labels_of(account, data["labels"], "labels", errors)
    for name in ("add_labels", "remove_labels"):
        setattr(change, name, labels_of(account, data.get(name) or [], name, errors))
    if errors:
        raise InvalidInput.of_fields(errors)
    return change
