"""A message's status_callback, end to end: sent through the Sendblue API, its status
delivery is refused for good by the outbound guard (the SSRF table, nothing connects)."""
from __future__ import annotations

import pytest

from messaging.services import add_line
from outreach.testing_ssrf import ssrf_urls
from webhooks import drains
from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_targets_refused")]


def test_a_status_callback_the_api_took_is_never_fetched(account, api_for, canary, no_outside_traffic):
    add_line(account, "+15125550100")
    sb = api_for(account, ["messages"], form="sendblue")
    taken = []
    for i, (label, url) in enumerate(ssrf_urls(canary.port)):
        body = {"number": f"+1555201{i:04d}", "content": "hi", "status_callback": url}
        r = sb.post("/api/send-message", body, format="json")
        assert r.status_code in (200, 400), (label, r.content)
        if r.status_code == 200:
            taken.append(url)
    # Messaging's input check (syntax only, for speed) refuses some at once; the rest,
    # e.g. every loopback address, must be refused when delivered.
    assert f"http://127.0.0.1:{canary.port}/hook" in taken
    deliveries = list(Delivery.objects.filter(endpoint=None))
    assert {d.url for d in deliveries} == set(taken)
    for d in deliveries:
        drains.drain(d.target)
        d.refresh_from_db()
        assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None, (d.url, d.status)
        assert d.last_error.startswith("Refused: url "), (d.url, d.last_error)
    assert canary.connections == 0 and no_outside_traffic.attempts == []
