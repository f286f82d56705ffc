"""What the console polls beside messaging's list: the sidebar's unread counts per view
(``inbox:counts``) and the new replies to the person's conversations for a browser
notification (``inbox:notify``, read by ``static/inbox/notify.js``)."""
from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from messaging.models import Message
from outreach.console import member_required

from . import listing
from .models import Work

#: How often the sidebar and the notifier ask (milliseconds).
COUNTS_POLL_MS = 5000
NOTIFY_POLL_MS = 10000
#: Replies one notify answer carries at most (the next poll gets the rest).
NOTIFY_BATCH = 20
PREVIEW = 140


def counts_context(request: HttpRequest) -> dict:
    """The context of ``inbox/_view_counts.html`` (three queries)."""
    views = listing.sidebar(request.account, request.membership)
    current = request.GET.get("view") or listing.DEFAULT
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{current}|".encode() + "|".join(f"{v.key}:{v.name}:{v.unread}" for v in views).encode())
    return {"inbox_views": views, "current_view": current, "counts_version": digest.hexdigest(),
            "counts_poll_ms": COUNTS_POLL_MS}


def sidebar_context(account, request: HttpRequest) -> dict:
    """The ``inbox-sidebar`` slot (``outreach.panels``): messaging's list page includes
    ``inbox/_view_counts.html`` with it."""
    return counts_context(request)


@member_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """The sidebar's views with their unread counts; 204 (nothing to swap) while unchanged."""
    context = counts_context(request)
    if request.GET.get("v") == context["counts_version"]:
        return HttpResponse(status=204)
    return render(request, "inbox/_view_counts.html", context)


def _reply(message: Message) -> dict:
    conversation = message.conversation
    contact = conversation.contact
    return {
        "id": message.pk, "conversation_id": conversation.pk,
        "from": (contact.full_name if contact is not None else "") or conversation.group_display_name
        or message.number,
        "text": message.content[:PREVIEW] or "(attachment)",
        "url": reverse("messaging:thread", args=[conversation.pk]),
        "at": message.created_at.isoformat(),
    }


@member_required
@require_GET
def notify(request: HttpRequest) -> JsonResponse:
    """Customers' replies newer than ``after`` (a cursor this endpoint gave) in conversations
    assigned to the person, oldest first: ``{"cursor", "replies": [...]}``. Without ``after``
    only the cursor comes back, so a page opened later is not told of old replies."""
    after = request.GET.get("after", "")
    if after and not after.isdigit():
        return JsonResponse({"error": "after: give the cursor of the previous answer."}, status=400)
    if not after:
        newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
        return JsonResponse({"cursor": str(newest or 0), "replies": []})
    mine = Work.objects.filter(account=request.account, assignee=request.user).values("pk")
    replies = list(
        Message.objects.filter(account=request.account, is_outbound=False, pk__gt=int(after), conversation__in=mine)
        .select_related("conversation__contact").order_by("pk")[:NOTIFY_BATCH]
    )
    cursor = str(replies[-1].pk) if replies else after
    return JsonResponse({"cursor": cursor, "replies": [_reply(m) for m in replies]})
