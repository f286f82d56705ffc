"""The account's audit log: ``record`` is its one writer.

Views (and the services they call) of every app call it after a person changed something;
it lives in the core so any app may import it without importing upward.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Model

from .choices import AuditAction
from .models import Account, AuditEntry


def record(
    account: Account,
    actor,
    action: AuditAction | str,
    target: Model | None = None,
    *,
    target_type: str | None = None,
    target_id: Any = None,
    target_label: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Write one audit row. ``target`` names the changed object (its model name, pk and
    ``str``, each overridable); or give ``target_type``/``target_id``/``target_label`` alone."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}; add it to AuditAction.")
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target.pk if target_id is None else target_id
        target_label = str(target) if target_label is None else target_label
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        account=account,
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        target_type=target_type or "",
        target_id=str(target_id if target_id is not None else ""),
        target_label=(target_label or "")[:200],
        detail=detail or {},
    )


def record_many(rows) -> list[AuditEntry]:
    """Many audit rows in one INSERT: ``rows`` of (account, actor, action, target_type,
    target_id, target_label, detail), for a change applied to many objects at once (a bulk
    action on conversations, a sweep)."""
    entries = []
    for account, actor, action, target_type, target_id, target_label, detail in rows:
        if action not in AuditAction.values:
            raise ValueError(f"Unknown audit action {action!r}; add it to AuditAction.")
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        entries.append(AuditEntry(
            account=account, actor=user, actor_label=user.get_username() if user else "system", action=action,
            target_type=target_type, target_id=str(target_id), target_label=(target_label or "")[:200],
            detail=detail or {},
        ))
    return AuditEntry.objects.bulk_create(entries) if entries else []
