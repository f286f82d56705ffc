"""``GET /api/v1/conversations``'s filters, read from the query string: every bad one is
named in one 400."""
from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter

from messaging import inbox as messaging_inbox
from messaging.models import Line
from outreach.api.pagination import BadQuery

from ..choices import State
from ..models import ConversationLabel, Label
from ..policy import Actor, visible

PARAMETERS = [
    OpenApiParameter("assignee", str, description="`me` (the person who made the API key), `none`, or a user id."),
    OpenApiParameter("state", str, enum=State.values, description="open (the default view), snoozed or closed."),
    OpenApiParameter("label", int, description="A label's id: conversations carrying it."),
    OpenApiParameter("line", str, description="A line's number (E.164; the `+` may be left out)."),
    OpenApiParameter("q", str, description="Part of the contact's name, the number or the group's name."),
]


def _assignee(raw: str, key, errors: list) -> Q | None:
    if raw == "me":
        if key.created_by_id is None:
            errors.append("assignee: this API key belongs to no person, so `me` means nobody; give a user id.")
            return None
        return Q(work__assignee_id=key.created_by_id)
    if raw == "none":
        return Q(work__isnull=True) | Q(work__assignee__isnull=True)
    if raw.isdigit():
        return Q(work__assignee_id=int(raw))
    errors.append(f"assignee: use me, none or a user id; got {raw!r}.")
    return None


def _line(account, raw: str, errors: list) -> Line | None:
    number = "+" + raw.strip().lstrip("+")
    line = Line.objects.filter(account=account, number=number).first()
    if line is None:
        errors.append(f"line: this account has no line {number}.")
    return line


def _label(account, raw: str, errors: list) -> Q | None:
    if raw.isdigit() and Label.objects.filter(account=account, pk=int(raw)).exists():
        return Q(inbox_labels__label_id=int(raw))
    errors.append(f"label: no label {raw!r} in this account (give its id).")
    return None


def _state(raw: str, errors: list) -> Q | None:
    if raw == State.OPEN:
        return Q(work__isnull=True) | Q(work__state=State.OPEN)
    if raw in State.values:
        return Q(work__state=raw)
    errors.append(f"state: use {', '.join(State.values)}; got {raw!r}.")
    return None


def with_work(qs: QuerySet) -> QuerySet:
    """Each conversation with its work, assignee and labels: two queries for any page."""
    return qs.select_related("line", "contact", "work__assignee").prefetch_related(
        Prefetch("inbox_labels", queryset=ConversationLabel.objects.select_related("label")))


def conversations(request, actor: Actor) -> QuerySet:
    account, params, errors = request.auth.account, request.query_params, []
    line = _line(account, params["line"], errors) if params.get("line") else None
    qs = messaging_inbox.conversations(account, q=params.get("q", ""), line=line)
    filters = [
        _assignee(params["assignee"], request.auth, errors) if params.get("assignee") else Q(),
        _state(params["state"], errors) if params.get("state") else Q(),
        _label(account, params["label"], errors) if params.get("label") else Q(),
    ]
    if errors:
        raise BadQuery(" ".join(errors))
    for condition in filters:
        qs = qs.filter(condition)
    return with_work(visible(actor, qs))
