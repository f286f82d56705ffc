"""``{% load console_roles %}``: templates show a control only to roles that may use it.

``request|can:"contacts:delete"`` asks the role table (``outreach.roles``) whether the
current person may act through that URL (POST), or open it when it is a page without
actions. It only hides; RoleMiddleware refuses regardless.
"""
from __future__ import annotations

from django import template

from outreach.roles import RULES, allowed

register = template.Library()


@register.filter
def can(request, view_name: str) -> bool:
    membership = getattr(request, "membership", None)
    rule = RULES.get(view_name)
    if membership is None or rule is None:
        return False
    return allowed(membership.role, view_name, "POST" if rule.write else "GET")
