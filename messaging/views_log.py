"""The message log: every message of the account, filtered by the same FilterSet as
``GET /api/v2/messages`` (one set of filter words for the API and the console), and one
message with its event history."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from outreach.console import member_required

from . import inbox
from .filters import ORDER_FIELDS, MessageFilter
from .models import Message

LOG_SIZE = 50
NOT_NULL_ORDER = {"created_at", "updated_at"}


def log_queryset(account, params) -> tuple[MessageFilter, QuerySet[Message]]:
    """The FilterSet of ``/api/v2/messages`` over the account's messages, and its rows."""
    base = Message.objects.filter(account=account).select_related("line", "conversation__contact")
    filterset = MessageFilter(params or None, queryset=base)
    qs = filterset.qs if filterset.is_bound else base
    field = ORDER_FIELDS.get(params.get("order_by") or "createdAt")
    if field in NOT_NULL_ORDER or not filterset.is_bound:
        # The FilterSet orders NULLS LAST (sent_at may be empty); on a column that is never
        # NULL that only stops PostgreSQL from walking msg_account_recent, and it sorts
        # every match instead (1.6 s for status=READ at 1,000,000 messages, 20 ms like this).
        descending = params.get("order_direction") != "asc"
        field = field or "created_at"
        qs = qs.order_by(f"-{field}", "-id") if descending else qs.order_by(field, "id")
    return filterset, qs


@member_required
@require_GET
def message_log(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("offset", None)
    filterset, qs = log_queryset(request.account, params)
    win = inbox.window(qs, inbox.parse_offset(request.GET.get("offset")), LOG_SIZE, params.urlencode())
    return render(request, "messaging/log.html", {
        "filter": filterset, "window": win, "filtered": bool(params),
        "has_any": bool(win.rows) or Message.objects.filter(account=request.account).exists(),
    })


@member_required
@require_GET
def message_detail(request: HttpRequest, handle) -> HttpResponse:
    message = get_object_or_404(
        Message.objects.select_related("line", "conversation__contact"), account=request.account, handle=handle
    )
    return render(request, "messaging/message_detail.html", {
        "message": message,
        "events": list(message.events.all()),
        "attachments": list(message.attachments.all()),
    })
