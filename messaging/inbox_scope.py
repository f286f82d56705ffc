"""Which conversations a person's console inbox shows: the view they chose (Mine,
Unassigned, All, Snoozed, Closed, by label, by line) and what their role may read at all.

The ``inbox`` app answers both through ``outreach.panels`` (contract: ``inbox/listing.py``):
messaging imports no inbox code. Without it every member reads every conversation and the
list has no views.
"""
from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from outreach import panels
from outreach.choices import Role

ALL = "all"
MINE = "mine"


def default_view(membership) -> str:
    """Chatwoot opens an agent's inbox on Mine (their own open conversations); owners,
    managers and viewers, who oversee rather than answer, open on All."""
    return MINE if membership.role == Role.AGENT else ALL


def _condition(request: HttpRequest, key: str) -> Q | None:
    return panels.answer("inbox-view", request.account, request.membership, key)


def view(request: HttpRequest) -> tuple[str, Q]:
    """The view asked for by ``?view=`` (the person's default when it names none) and the
    filter it puts on the account's conversations (costs no query)."""
    key = (request.GET.get("view") or "").strip()
    condition = _condition(request, key) if key else None
    if condition is None:
        key = default_view(request.membership)
        condition = _condition(request, key)
    return key, condition if condition is not None else Q()


def visible(request: HttpRequest) -> Q:
    """The conversations the person may read at all, in any state (an agent: their own and
    the unassigned ones); another is a 404 by URL, its actions included."""
    return panels.answer("inbox-visible", request.account, request.membership, default=None) or Q()
