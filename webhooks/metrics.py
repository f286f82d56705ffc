"""Webhook state for ``/metrics`` (``outreach.metrics``), read from the database at scrape time:
deliveries by outcome and by the state of their endpoint, endpoints by state, and how long
the oldest due delivery has waited."""
from __future__ import annotations

from django.db.models import Case, CharField, Count, Min, Q, Value, When
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from .choices import DeliveryStatus
from .models import Delivery, Endpoint

#: ``callback``: a message's status_callback URL (no endpoint); ``failing``: enabled, but
#: failing since its last success; ``disabled``: switched off (by hand or the failure streak).
ENDPOINT_STATE = Case(
    When(endpoint__isnull=True, then=Value("callback")),
    When(endpoint__enabled=False, then=Value("disabled")),
    When(endpoint__failing_since__isnull=False, then=Value("failing")),
    default=Value("enabled"),
    output_field=CharField(),
)


class WebhookCollector:
    def collect(self):
        deliveries = GaugeMetricFamily(
            "outreach_webhook_deliveries",
            "Webhook deliveries kept (WEBHOOKS_RETENTION_DAYS), by outcome and endpoint state.",
            labels=["outcome", "endpoint_state"],
        )
        rows = (Delivery.objects.annotate(state=ENDPOINT_STATE).values("status", "state")
                .annotate(n=Count("id")).order_by())
        for row in rows:
            deliveries.add_metric([row["status"], row["state"]], row["n"])
        yield deliveries

        endpoints = GaugeMetricFamily("outreach_webhook_endpoints", "Webhook endpoints by state.", labels=["state"])
        counts = Endpoint.objects.aggregate(
            n_enabled=Count("id", filter=Q(enabled=True, failing_since__isnull=True)),
            n_failing=Count("id", filter=Q(enabled=True, failing_since__isnull=False)),
            n_disabled=Count("id", filter=Q(enabled=False)),
        )
        for alias, n in counts.items():
            endpoints.add_metric([alias.removeprefix("n_")], n)
        yield endpoints

        oldest = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        ).aggregate(at=Min("next_attempt_at"))["at"]
        yield GaugeMetricFamily(
            "outreach_webhook_oldest_due_seconds", "Seconds the oldest due webhook delivery has waited (0: none).",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        )
