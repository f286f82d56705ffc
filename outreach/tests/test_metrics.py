"""``/metrics``: guarded by a token or an address, Prometheus text, counters that move with
API requests and webhook deliveries, summed over gunicorn's processes in multiprocess mode."""
from __future__ import annotations

import sys

import pytest
import requests
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from outreach.tasks import purge_idempotency_keys
from outreach.testing import Process, free_port, running_worker, wait_for, worker_env
from webhooks import services as webhook_services

TOKEN = "metrics-token-for-tests"


def samples(text: str) -> dict[tuple, float]:
    """``{(sample name, sorted labels...): value}`` of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, *sorted(s.labels.items()))] = s.value
    return found


def scrape(client=None) -> dict[tuple, float]:
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


@pytest.fixture
def guarded(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return settings


@pytest.mark.django_db
def test_without_a_token_or_networks_metrics_are_not_there(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.django_db
def test_the_token_opens_them_and_anything_else_is_403(guarded):
    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
def test_an_allowed_network_opens_them_without_a_token(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", ["10.0.5.0/24"]
    assert Client(REMOTE_ADDR="10.0.5.7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.0.6.7").get("/metrics").status_code == 403


ROUTE = "api/v1/contacts"


@pytest.mark.django_db(transaction=True)
def test_api_requests_and_a_webhook_delivery_move_the_counters(guarded, account, api, worker, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    endpoint = webhook_services.create_endpoint(account, httpserver.url_for("/hook"))
    before = scrape()
    ok = ("outreach_http_requests_total", ("method", "GET"), ("route", ROUTE), ("status", "200"))
    delivered = ("outreach_webhook_deliveries", ("endpoint_state", "enabled"), ("outcome", "succeeded"))
    for _ in range(3):
        assert api.get("/api/v1/contacts").status_code == 200
    assert Client().get("/api/v1/contacts").status_code == 401
    assert api.post(f"/api/v1/webhooks/{endpoint.pk}/test").status_code in (200, 202)
    wait_for(lambda: httpserver.log, timeout=60, message="the test event never arrived")
    after = wait_for(lambda: (s := scrape()).get(delivered, 0) > before.get(delivered, 0) and s, timeout=60)
    assert after[ok] - before.get(ok, 0) == 3
    unauthorized = ("outreach_http_requests_total", ("method", "GET"), ("route", ROUTE), ("status", "401"))
    assert after[unauthorized] - before.get(unauthorized, 0) == 1
    latency = ("outreach_http_request_duration_seconds_count", ("method", "GET"), ("route", ROUTE))
    assert after[latency] - before.get(latency, 0) == 4
    assert after[("outreach_webhook_endpoints", ("state", "enabled"))] >= 1
    assert ("outreach_webhook_oldest_due_seconds",) in after


@pytest.mark.django_db
def test_a_scrape_while_the_database_is_down_is_503(guarded):
    from django.db import connection

    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert response.status_code == 503 and int(response["Retry-After"]) > 0


def test_in_multiprocess_mode_a_scrape_sums_every_gunicorn_process(tmp_path, django_db_setup):
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "outreach.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "3"]
    env = worker_env(PROMETHEUS_MULTIPROC_DIR=tmp_path, METRICS_TOKEN=TOKEN)
    server = Process(argv, port, env=env, name="gunicorn-metrics").start()
    url = f"http://127.0.0.1:{port}"
    try:
        with requests.Session() as session:
            for _ in range(30):
                assert session.get(f"{url}/healthz", timeout=30).status_code == 200
        # Whichever of the three processes answers the scrape reports all 30.
        text = requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).text
    finally:
        server.kill()
    healthz = ("outreach_http_requests_total", ("method", "GET"), ("route", "healthz"), ("status", "200"))
    assert samples(text)[healthz] == 30


@pytest.mark.django_db(transaction=True)
def test_a_worker_host_serves_what_its_pool_processes_measured(tmp_path):
    port = free_port()
    with running_worker(name="metrics", PROMETHEUS_MULTIPROC_DIR=tmp_path, METRICS_WORKER_PORT=port):
        for _ in range(3):
            purge_idempotency_keys.delay()
        done = ("outreach_celery_tasks_total", ("outcome", "SUCCESS"), ("task", "outreach.tasks.purge_idempotency_keys"))

        def scraped():
            return samples(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text).get(done) == 3

        wait_for(scraped, timeout=60, message="the worker's metrics never counted the three tasks")
