"""The webhooks app's share of data retention (``outreach.retention``): delivery logs and
the event log past the account's retention go, a bounded batch at a time.

- A delivery (with its attempts) goes once it is older than the account's webhook-delivery
  retention and not pending: a delivery still being retried is never dropped.
- An event goes once it is older than the account's event retention, and never sooner
  than ``stream.REPLAY_WINDOW`` (the event stream replays that much to a client that
  reconnects with ``Last-Event-ID``), and once none of its deliveries is left: a kept
  delivery log can still be replayed, and a replay needs the event's body.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef

from outreach.retention import Policy

from .choices import DeliveryStatus
from .models import Delivery, Event
from .stream import REPLAY_WINDOW


def purge_deliveries(account, policy: Policy, limit: int) -> int:
    ids = list(
        Delivery.objects.filter(account=account, created_at__lt=policy.deliveries_before)
        .exclude(status=DeliveryStatus.PENDING)
        .order_by("created_at").values_list("id", flat=True)[:limit]
    )
    if ids:
        Delivery.objects.filter(id__in=ids).delete()  # their attempts go with them
    return len(ids)


def purge_events(account, policy: Policy, limit: int) -> int:
    before = min(policy.events_before, policy.now - REPLAY_WINDOW)
    ids = list(
        Event.objects.filter(account=account, created_at__lt=before)
        .exclude(Exists(Delivery.objects.filter(event=OuterRef("pk"))))
        .order_by("id").values_list("id", flat=True)[:limit]
    )
    if ids:
        Event.objects.filter(id__in=ids).delete()
    return len(ids)
