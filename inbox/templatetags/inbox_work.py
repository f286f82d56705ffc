"""``{% load inbox_work %}``: ``request|may_work:inbox_work`` says whether the signed-in
person may change this conversation's work (``inbox.policy.check_work``). It only hides
controls; the services refuse regardless."""
from __future__ import annotations

from django import template

from inbox.policy import Forbidden, check_work, for_member

register = template.Library()


@register.filter
def may_work(request, work: dict | None) -> bool:
    membership = getattr(request, "membership", None)
    if membership is None:
        return False
    assignee = (work or {}).get("assignee")
    try:
        check_work(for_member(membership), assignee.pk if assignee is not None else None)
    except Forbidden:
        return False
    return True

