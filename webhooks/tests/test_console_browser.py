"""An admin manages webhooks in a real browser, with a real worker delivering to a real
local receiver."""
from __future__ import annotations

import pytest
from django.test import override_settings

from outreach.testing import screenshot, wait_for
from webhooks.models import Delivery, Endpoint

from .helpers import received, verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_an_endpoint_send_a_test_read_the_log_replay_rotate_and_disable(page, staff_login, worker, httpserver):
    httpserver.expect_request("/hook").respond_with_data("got it")
    page.click("nav >> text=Webhooks")
    page.fill("#id_url", httpserver.url_for("/hook"))
    page.fill("#id_description", "CRM")
    page.click("button:has-text('Add endpoint')")
    secret = page.input_value("[data-testid=new-secret-value]")
    assert secret.startswith("whsec_")
    screenshot(page, "webhooks-endpoint-created")
    page.reload()
    assert page.locator("[data-testid=new-secret-value]").count() == 0

    page.click("button:has-text('Send test event')")
    page.wait_for_selector("text=Test event sent")
    wait_for(lambda: received(httpserver), message="test ping not received")
    assert verify(secret, received(httpserver)[0])["type"] == "webhook.test"
    wait_for(lambda: Delivery.objects.filter(status="succeeded").exists())
    page.reload()
    assert page.locator(".badge-ok", has_text="succeeded").count() == 1
    screenshot(page, "webhooks-delivery-log")

    page.click("a:has-text('webhook.test')")
    assert "HTTP 200" in page.inner_text("[data-testid=attempt-row]")
    assert "got it" in page.inner_text("[data-testid=attempt-row]")
    assert "webhook-signature: v1," in page.inner_text("[data-testid=request-headers]")
    screenshot(page, "webhooks-delivery-detail")
    page.click("button:has-text('Replay')")
    page.wait_for_selector("text=Delivery queued again")
    wait_for(lambda: len(received(httpserver)) == 2, message="replay not received")
    assert received(httpserver)[1].headers["webhook-id"] == received(httpserver)[0].headers["webhook-id"]

    page.click("a:has-text('← ')")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('Rotate secret')")
    new_secret = page.input_value("[data-testid=new-secret-value]")
    assert new_secret.startswith("whsec_") and new_secret != secret

    page.click("button:has-text('Disable')")
    page.wait_for_selector("text=Endpoint disabled")
    assert "Disabled by a user" in page.inner_text("[data-testid=disabled-banner]")
    page.click("nav >> text=Webhooks")
    assert "is disabled" in page.inner_text("[data-testid=disabled-banner]")
    screenshot(page, "webhooks-endpoints-disabled")
    assert not Endpoint.objects.get().enabled


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_private_url_is_refused_with_a_reason(page, staff_login):
    page.goto("/webhooks/")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.click("button:has-text('Add endpoint')")
    assert "cloud metadata" in page.inner_text(".errorlist")
    screenshot(page, "webhooks-private-refused")
    assert Endpoint.objects.count() == 0


def test_status_callback_deliveries_are_listed_and_replayable(page, staff_login, account, httpserver):
    import webhooks
    from webhooks import drains
    from webhooks.choices import EventType

    httpserver.expect_request("/cb").respond_with_data("server error", status=500)
    webhooks.emit(account, EventType.MESSAGE_STATUS_UPDATED, {"status": "SENT"}, [httpserver.url_for("/cb")])
    d = Delivery.objects.get()
    drains.drain(d.target)
    Delivery.objects.filter(pk=d.pk).update(status="failed", next_attempt_at=None)

    page.click("nav >> text=Webhooks")
    page.click("text=Status callback deliveries")
    row = page.locator(f"[data-testid=delivery-row-{d.pk}]")
    assert "failed" in row.inner_text() and "HTTP 500" in row.inner_text()
    screenshot(page, "webhooks-status-callbacks")
    row.locator("button:has-text('Replay')").click()
    page.wait_for_selector("text=Delivery queued again")
    assert "pending" in page.locator(f"[data-testid=delivery-row-{d.pk}]").inner_text()
    d.refresh_from_db()
    assert d.status == "pending" and d.attempts == 0
