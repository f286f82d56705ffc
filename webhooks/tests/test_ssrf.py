"""The SSRF table (outreach/testing_ssrf.py) on every webhook path: endpoint create and
edit (v1 and Sendblue), the test ping, delivery to a stored endpoint and to a message's
status_callback. Nothing may connect: the loopback canary counts 0, nothing leaves loopback."""
from __future__ import annotations

import pytest

import webhooks
from outreach.testing_ssrf import ssrf_urls
from webhooks import drains, services, signing
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_targets_refused")]


@pytest.fixture
def sb(api_for, account):
    return api_for(account, ["full_access"], form="sendblue")


def assert_nothing_connected(canary, no_outside_traffic):
    assert canary.connections == 0, f"{canary.connections} connection(s) reached the loopback canary"
    assert no_outside_traffic.attempts == []


def test_v1_create_refuses_every_target(api, canary, no_outside_traffic):
    for label, url in ssrf_urls(canary.port):
        r = api.post("/api/v1/webhooks", {"url": url}, format="json")
        assert r.status_code == 422 and "url" in r.json()["errors"], (label, url, r.content)
    assert Endpoint.objects.count() == 0
    assert_nothing_connected(canary, no_outside_traffic)


def test_v1_edit_refuses_every_target(api, account, canary, no_outside_traffic):
    endpoint = services.create_endpoint(account, "https://93.184.215.14/hook")
    for label, url in ssrf_urls(canary.port):
        r = api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"url": url}, format="json")
        assert r.status_code == 422 and "url" in r.json()["errors"], (label, url, r.content)
    assert Endpoint.objects.get().url == "https://93.184.215.14/hook"
    assert_nothing_connected(canary, no_outside_traffic)


def test_sendblue_webhooks_refuse_every_target(sb, canary, no_outside_traffic):
    for label, url in ssrf_urls(canary.port):
        r = sb.post("/api/account/webhooks", {"webhooks": [url]}, format="json")
        assert r.status_code == 400 and r.json()["error_code"] == 4000, (label, url, r.content)
    assert Endpoint.objects.count() == 0
    assert_nothing_connected(canary, no_outside_traffic)


def stored_endpoint(account, url: str) -> Endpoint:
    """A row as an older check accepted it, or whose host's DNS changed since."""
    return Endpoint.objects.create(account=account, url=url, secret=signing.new_secret())


def test_the_test_ping_refuses_a_stored_endpoint_that_is_now_refused(api, account, canary, no_outside_traffic):
    for label, url in ssrf_urls(canary.port):
        endpoint = stored_endpoint(account, url)
        r = api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
        assert r.status_code == 422 and "url" in r.json()["errors"], (label, url, r.content)
        endpoint.delete()
    assert not Delivery.objects.exists()
    assert_nothing_connected(canary, no_outside_traffic)


def test_delivery_to_a_stored_endpoint_is_refused_for_good(account, canary, no_outside_traffic):
    endpoints = [stored_endpoint(account, url) for _, url in ssrf_urls(canary.port)]
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 1})
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 2})
    for endpoint in endpoints:
        drains.drain(endpoint.target)
    for d in Delivery.objects.prefetch_related("attempt_log"):
        assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None, (d.url, d.status)
        [attempt] = d.attempt_log.all()
        assert attempt.error.startswith("Refused: url ") and attempt.status_code is None, (d.url, attempt.error)
    assert Delivery.objects.count() == 2 * len(endpoints)
    assert_nothing_connected(canary, no_outside_traffic)


def test_a_status_callback_is_refused_for_good(account, canary, no_outside_traffic):
    urls = [url for _, url in ssrf_urls(canary.port)]
    for url in urls:
        # What messaging does on each status change of a message with a status_callback.
        webhooks.emit(account, EventType.MESSAGE_STATUS_UPDATED, {"status": "SENT"}, extra_urls=[url])
    deliveries = list(Delivery.objects.filter(endpoint=None))
    assert sorted(d.url for d in deliveries) == sorted(urls)
    for d in deliveries:
        drains.drain(d.target)
        d.refresh_from_db()
        assert d.status == DeliveryStatus.FAILED and d.attempts == 1 and d.next_attempt_at is None, (d.url, d.status)
        assert d.last_error.startswith("Refused: url "), (d.url, d.last_error)
    assert_nothing_connected(canary, no_outside_traffic)


def test_a_redirect_from_a_public_endpoint_to_loopback_is_not_followed(
    account, canary, no_outside_traffic, private_targets_refused
):
    from outreach.testing_ssrf import Canary

    private_targets_refused.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]  # "public.test" below
    no_outside_traffic.names["public.test"] = "127.0.0.2"
    redirect = f"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{canary.port}/hook\r\nContent-Length: 0\r\n\r\n"
    public = Canary("127.0.0.2", redirect.encode())
    try:
        endpoint = services.create_endpoint(account, f"http://public.test:{public.port}/hook")
        d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {}))
        drains.drain(endpoint.target)
    finally:
        public.close()
    d.refresh_from_db()
    assert public.connections == 1 and d.last_status_code == 302 and d.status == DeliveryStatus.PENDING
    assert_nothing_connected(canary, no_outside_traffic)
