"""The message log: every message of the account, filtered by the same FilterSet as
``GET /api/v2/messages`` (one set of filter words for the API and the console), and one
message with its event history."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from outreach.console import member_required

from . import inbox
from .filters import MessageFilter
from .models import Message

LOG_SIZE = 50


@member_required
@require_GET
def message_log(request: HttpRequest) -> HttpResponse:
    base = Message.objects.filter(account=request.account).select_related("line", "conversation__contact")
    params = request.GET.copy()
    params.pop("offset", None)
    filterset = MessageFilter(params or None, queryset=base)
    qs = filterset.qs if filterset.is_bound else filterset.queryset.order_by("-created_at", "-id")
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
