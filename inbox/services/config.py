"""The account's assignment rule and each person's availability."""
from __future__ import annotations

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.exceptions import InvalidInput

from ..choices import Rule
from ..models import AssignmentSettings, Availability
from ..policy import Actor, check_manager
from .routing import settings_of


def set_rule(account, rule: str, *, actor: Actor) -> AssignmentSettings:
    check_manager(actor, "change how conversations are assigned")
    if rule not in Rule.values:
        raise InvalidInput(f"{rule!r} is not a rule; use {', '.join(Rule.values)}.", field="rule")
    config = settings_of(account)
    if config.rule != rule:
        before, config.rule = config.rule, rule
        config.save(update_fields=["rule"])
        record(account, actor.user, AuditAction.INBOX_RULE_CHANGED, target_type="inbox", target_id=account.pk,
               target_label="assignment rule", detail={"from": before, "to": rule})
    return config


def is_available(membership) -> bool:
    return Availability.objects.filter(membership=membership, available=True).exists()


def set_available(membership, available: bool) -> Availability:
    """A person says whether the round-robin may give them new conversations."""
    row, _ = Availability.objects.update_or_create(membership=membership, defaults={"available": available})
    record(membership.account, membership.user, AuditAction.AVAILABILITY_CHANGED, target_type="person",
           target_id=membership.pk, target_label=membership.user.get_username(), detail={"available": available})
    return row
