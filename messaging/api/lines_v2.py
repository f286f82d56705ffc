"""Lines in the Sendblue dialect (``/api/v2/lines/...``), as the official ``sendblue`` SDK's
``lines`` resource calls them: each line's state, its new-contact usage against its limits,
and whether a contact is known to a line.

What the words mean here (docs/api.md, *Lines v2*):
- A line is ``ONLINE`` when active and healthy, ``DEGRADED`` when active and unhealthy (its
  provider's health check failed: ``degraded_since`` is when), ``OFFLINE`` when deactivated.
  Every line is the account's own (``assignment: assigned``): there are no shared lines.
- Usage counts new contacts exactly as the dispatcher's limiter does (``queue/limits.py``):
  a send that opens a conversation quiet for 30 days, over a sliding hour and 24 hours, so
  ``resetsAt`` is null (no fixed daily reset) and ``nextSlotAt`` is when the oldest counted
  contact leaves its window. ``sentToday`` (beyond Sendblue) counts the line's sends since
  the account's local midnight.
- A contact is ``known`` to a line when their conversation on that line had activity in the
  last 30 days; ``assigned_sendblue_number`` (beyond Sendblue) is the line the contact's
  conversation is on, whichever line was asked about.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from messaging.choices import MessageType
from messaging.models import Conversation, Line
from messaging.queue.limits import (
    DAY,
    HOUR,
    NEW_CONTACT_AFTER,
    LineWindow,
    active_conversations,
    line_windows,
)
from messaging.validation import normalize_address
from outreach.exceptions import InvalidInput, NotFound

from .sendblue import SendblueView

TAGS = ["lines (Sendblue)"]
LOOKBACK_DAYS = NEW_CONTACT_AFTER.days



def line_status(line: Line) -> str:
    if not line.active:
        return "OFFLINE"
    return "ONLINE" if line.healthy else "DEGRADED"


class LineStateV2(SendblueView):
    @extend_schema(operation_id="v2_lines_state", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """Each of the account's lines: online, degraded (its health check fails) or offline."""
        lines = Line.objects.filter(account=self.account).order_by("number")
        data = [{
            "assignment": "assigned",
            "sendblue_number": line.number,
            "status": line_status(line),
            "worker_id": f"{line.provider}-{line.pk}",
            "degraded_since": line.unhealthy_since if line.active and not line.healthy else None,
            "effective_until": None,
            "status_changed_at": line.state_changed_at or line.created_at,
        } for line in lines]
        return Response({"status": "OK", "snapshot_at": timezone.now(), "data": data})


def window(limit: int, used: int, oldest: datetime | None, span) -> dict:
    return {
        "limit": limit,
        "used": used,
        "remaining": max(limit - used, 0),
        "nextSlotAt": oldest + span if used and oldest else None,
    }


def snapshot(line: Line, usage: LineWindow, sent_today: int, now: datetime) -> dict:
    hourly = window(line.new_contacts_per_hour, usage.new_hour, usage.oldest_new_hour, HOUR)
    daily = {**window(line.new_contacts_per_day, usage.new_day, usage.oldest_new_day, DAY), "resetsAt": None}
    full = [w["nextSlotAt"] for w in (hourly, daily) if w["remaining"] == 0 and w["nextSlotAt"]]
    if not line.active:
        state = "unavailable"
    elif line.new_contacts_per_day == 0 or line.new_contacts_per_hour == 0:
        state = "paused"
    elif hourly["remaining"] == 0 or daily["remaining"] == 0:
        state = "limited"
    else:
        state = "available"
    return {
        "phone": line.number,
        "sampledAt": now,
        "state": state,
        "hourly": hourly,
        "daily": daily,
        "availableAt": max(full) if state == "limited" and full else None,
        "newContactLookbackDays": LOOKBACK_DAYS,
        "sentToday": sent_today,
    }


def local_midnight(account, now: datetime) -> datetime:
    """The start of today in the account's time zone."""
    local = now.astimezone(ZoneInfo(account.default_timezone or "UTC"))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class LineUsageV2(SendblueView):
    @extend_schema(operation_id="v2_lines_usage", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """New contacts each line has opened in the last hour and 24 hours, against its limits."""
        now = timezone.now()
        lines = list(
            Line.objects.filter(account=self.account)
            .annotate(sent_today=Count(
                "messages", filter=Q(messages__is_outbound=True, messages__sent_at__gte=local_midnight(self.account, now))))
            .order_by("number")
        )
        windows = line_windows([line.pk for line in lines], now) if lines else {}
        return Response({
            "status": "OK",
            "enabled": True,
            "lines": [snapshot(line, windows.get(line.pk, LineWindow()), line.sent_today, now) for line in lines],
        })


def number_param(params, name: str, problems: dict[str, str]) -> str | None:
    raw = params.get(name)
    if not raw:
        problems[name] = f"{name} is required (E.164, e.g. +15551234567)."
        return None
    try:
        address = normalize_address(raw, field=name)
    except InvalidInput as exc:
        problems[name] = f"{name}: {exc.message}"
        return None
    if "@" in address:
        problems[name] = f"{name} must be a phone number; email addresses are not supported."
        return None
    return address


class LineContactStatusV2(SendblueView):
    @extend_schema(operation_id="v2_lines_contact_status", tags=TAGS, responses=OpenApiTypes.OBJECT, parameters=[
        OpenApiParameter("number", str, required=True, description="The contact's number (E.164)."),
        OpenApiParameter("sendblue_number", str, required=True, description="One of your lines (E.164)."),
    ])
    def get(self, request):
        """Whether a contact is known to a line (activity in the last 30 days) or new to it."""
        problems: dict[str, str] = {}
        number = number_param(request.query_params, "number", problems)
        line_number = number_param(request.query_params, "sendblue_number", problems)
        if problems:
            raise InvalidInput.of_fields(problems)
        line = Line.objects.filter(account=self.account, number=line_number).first()
        if line is None:
            raise NotFound(f"{line_number} is not one of your lines.")
        now = timezone.now()
        conversations = dict(
            Conversation.objects.filter(account=self.account, address=number, message_type=MessageType.MESSAGE)
            .values_list("line_id", "pk")
        )
        here = conversations.get(line.pk)
        known = here is not None and bool(active_conversations([here], now))
        assigned = (
            Line.objects.filter(pk__in=list(conversations)).values_list("number", flat=True).first()
            if conversations else None
        )
        return Response({
            "status": "OK",
            "number": number,
            "sendblue_number": line.number,
            "classification": "known" if known else "new",
            "known_contact": known,
            "new_contact_lookback_days": LOOKBACK_DAYS,
            "sampled_at": now,
            "assigned_sendblue_number": assigned,
        })

