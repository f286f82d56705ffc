"""Messaging on ``/metrics``: a send through the API and the dispatcher,
an expired claim and a dead letter move the queue's gauges and the dispatcher's
counters and histograms (messaging/metrics.py), as a scrape sees them; on a real worker, what
its pool processes measured is served on its metrics port."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from messaging.choices import Status
from messaging.models import Message
from messaging.queue import dispatch
from messaging.tests.test_dispatch import drain
from outreach.testing import free_port, running_worker, wait_for
from outreach.tests.test_metrics import TOKEN, samples, scrape
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = TOKEN, []


def moved(before: dict, after: dict, key: tuple) -> float:
    return after.get(key, 0) - before.get(key, 0)


def test_a_send_a_recovery_and_a_dead_letter_move_messagings_metrics(guarded, account, line, v1, settings):
    queued_now = ("outreach_queue_depth", ("lane", "interactive"), ("status", "QUEUED"))
    sent = ("outreach_message_sends_total", ("line", str(line.pk)), ("outcome", "sent"))
    claim_count = ("outreach_message_claim_latency_seconds_count",)
    send_count = ("outreach_message_send_latency_seconds_count",)
    before = scrape()
    assert before[queued_now] == 0 and before[("outreach_dead_letters",)] == 0
    created = v1.post("/api/v1/messages", {"to": "+12125550188", "body": "hello"}, format="json")
    assert created.status_code == 201, created.content
    Message.objects.filter(status=Status.QUEUED).update(next_attempt_at=timezone.now() - timedelta(seconds=30))
    waiting = scrape()
    assert waiting[queued_now] == 1 and waiting[("outreach_queue_oldest_due_seconds",)] >= 30

    drain()
    after = scrape()
    assert after[queued_now] == 0 and after[("outreach_queue_oldest_due_seconds",)] == 0
    assert moved(before, after, sent) == 1
    assert moved(before, after, claim_count) == 1 and moved(before, after, send_count) == 1
    assert after[("outreach_message_claim_latency_seconds_sum",)] - before.get(
        ("outreach_message_claim_latency_seconds_sum",), 0) >= 30

    # A claim whose worker died: the reconciler's recovery is counted, then attempts run out.
    settings.MESSAGE_MAX_ATTEMPTS = 1
    v1.post("/api/v1/messages", {"to": "+12125550189", "body": "again"}, format="json")
    assert dispatch.claim().claimed
    dispatch.reconcile(expired_before=timezone.now() + timedelta(hours=1))
    final = scrape()
    assert moved(before, final, ("outreach_message_recoveries_total", ("outcome", "dead_letter"))) == 1
    assert final[("outreach_dead_letters",)] == Message.objects.filter(status=Status.ERROR).count() >= 1


@pytest.mark.django_db(transaction=True)
def test_a_real_workers_send_and_webhook_delivery_show_on_the_scrapes(guarded, account, line, v1, tmp_path, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook_services.create_endpoint(account, httpserver.url_for("/hook"))
    delivered = ("outreach_webhook_deliveries", ("endpoint_state", "enabled"), ("outcome", "succeeded"))
    sent = ("outreach_message_sends_total", ("line", str(line.pk)), ("outcome", "sent"))
    port = free_port()
    with running_worker(name="msg-metrics", PROMETHEUS_MULTIPROC_DIR=tmp_path, METRICS_WORKER_PORT=port):
        created = v1.post("/api/v1/messages", {"to": "+12125550188", "body": "hello"}, format="json")
        assert created.status_code == 201, created.content

        def worker_scrape():
            found = samples(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
            return found.get(sent) == 1 and found

        measured = wait_for(worker_scrape, timeout=60, message="the worker never counted the send")
        assert measured[("outreach_message_send_latency_seconds_count",)] == 1
        assert measured[("outreach_message_claim_latency_seconds_count",)] == 1
        state = wait_for(lambda: (s := scrape()).get(delivered, 0) >= 1 and s, timeout=60,
                         message="no webhook delivery succeeded")
    assert state[("outreach_queue_depth", ("lane", "interactive"), ("status", "QUEUED"))] == 0
    assert Message.objects.get().status in (Status.SENT, Status.DELIVERED, Status.READ)
