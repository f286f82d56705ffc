"""Messaging on ``/metrics`` (``outreach.metrics`` explains the two kinds).

Measured, by the process that sends (the dispatcher, messaging/queue/dispatch.py):
``outreach_message_sends_total`` per line and outcome (``sent``, ``retried``, ``failed``),
``outreach_message_claim_latency_seconds`` (due -> claimed), ``outreach_message_send_latency_seconds``
(claimed -> the provider answered) and ``outreach_message_recoveries_total`` (the reconciler's
expired claims: ``requeued`` or ``dead_letter``).

State, read at scrape time (``QueueCollector``, one aggregate query each): the queue's depth
by status (QUEUED, ACCEPTED) and lane (``interactive``: single sends; ``bulk``: fan-out
traffic), how long the oldest due message has waited, and the dead letters waiting for
someone (ERROR, not discarded).
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Case, CharField, Count, Min, Q, Value, When
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from outreach import metrics

from .choices import Status
from .models import Message
from .queue.order import INTERACTIVE_MIN, due_filter

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
SENDS = metrics.counter(
    "outreach_message_sends", "Send attempts the dispatcher recorded, by line id and outcome.", ["line", "outcome"]
)
CLAIM_LATENCY = metrics.histogram(
    "outreach_message_claim_latency_seconds", "From a message falling due to a worker claiming it.",
    buckets=LATENCY_BUCKETS,
)
SEND_LATENCY = metrics.histogram(
    "outreach_message_send_latency_seconds", "From a worker's claim to the provider's answer.", buckets=LATENCY_BUCKETS,
)
RECOVERIES = metrics.counter(
    "outreach_message_recoveries", "Expired claims the reconciler handled, by outcome.", ["outcome"]
)
#: A step's status -> the send's outcome.
OUTCOMES = {Status.QUEUED: "retried", Status.ERROR: "failed", Status.EXPIRED: "expired"}
LANE = Case(When(priority__gte=INTERACTIVE_MIN, then=Value("interactive")), default=Value("bulk"),
            output_field=CharField())


def claimed(messages: list[Message], now: datetime) -> None:
    for message in messages:
        due = message.next_attempt_at or message.created_at or now
        CLAIM_LATENCY.observe(max(0.0, (now - due).total_seconds()))


def answered(messages: list[Message], now: datetime) -> None:
    for message in messages:
        if message.claimed_at is not None:
            SEND_LATENCY.observe(max(0.0, (now - message.claimed_at).total_seconds()))


def recorded(message: Message, status: str) -> None:
    SENDS.labels(str(message.line_id), OUTCOMES.get(status, "sent")).inc()


def recovered(requeued: int, dead: int) -> None:
    if requeued:
        RECOVERIES.labels("requeued").inc(requeued)
    if dead:
        RECOVERIES.labels("dead_letter").inc(dead)


class QueueCollector:
    def collect(self):
        depth = GaugeMetricFamily(
            "outreach_queue_depth", "Messages queued or claimed, by status and lane.", labels=["status", "lane"]
        )
        rows = (Message.objects.filter(status__in=[Status.QUEUED, Status.ACCEPTED]).annotate(lane=LANE)
                .values("status", "lane").annotate(n=Count("id")).order_by())
        seen = {(row["status"], row["lane"]): row["n"] for row in rows}
        for status in (Status.QUEUED, Status.ACCEPTED):
            for lane in ("interactive", "bulk"):
                depth.add_metric([status, lane], seen.get((status, lane), 0))
        yield depth

        now = timezone.now()
        oldest = Message.objects.filter(due_filter(now)).aggregate(at=Min("next_attempt_at"))["at"]
        yield GaugeMetricFamily(
            "outreach_queue_oldest_due_seconds", "Seconds the oldest due message has waited for a worker (0: none).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )
        dead = Message.objects.filter(Q(status=Status.ERROR) & Q(discarded_at__isnull=True)).count()
        yield GaugeMetricFamily("outreach_dead_letters", "Dead letters (ERROR, not discarded).", value=dead)
