"""A provider is one package plus one registry line: the loopback provider sends to a local
HTTP server, and its network reports a delivery and a reply on the generic callback route."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging.choices import Status
from messaging.models import Line, Message
from messaging.providers import registry
from messaging.queue import dispatch
from messaging.services import add_line, send

pytestmark = pytest.mark.django_db
TOKEN = "a-long-unguessable-callback-token"


@pytest.fixture
def loopback():
    # The one registry line (a test registers it for its own duration only).
    yield registry.register(registry.ProviderEntry(
        "loopback", "Loopback (tests)", "messaging.tests.loopback.provider.LoopbackProvider"))
    registry.unregister("loopback")


@pytest.fixture
def line(account, loopback, httpserver):
    return add_line(account, "+15125550100", "loopback",
                    provider_settings={"url": httpserver.url_for("/send"), "callback_token": TOKEN})


def callback(client, line, body, token=TOKEN):
    url = reverse("messaging:provider-callback", args=["loopback", line.pk, token])
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_sends_hears_the_delivery_and_the_reply_through_the_generic_route(account, line, httpserver, client):
    httpserver.expect_oneshot_request("/send", method="POST").respond_with_json({"id": "lb-1"})
    message = send(account, to="+15125559900", content="hi")
    assert [m.pk for m in dispatch.run_chunk().claimed] == [message.pk]
    assert json.loads(httpserver.log[0][0].data) == {"handle": str(message.handle), "to": "+15125559900", "text": "hi"}
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "lb-1")

    response = callback(client, line, {"id": "lb-1", "status": "delivered"})
    assert response.json() == {"received": 1, "applied": 1}
    message.refresh_from_db()
    assert message.status == Status.DELIVERED

    assert callback(client, line, {"id": "lb-in-1", "from": "+15125559900", "text": "thanks"}).status_code == 200
    reply = Message.objects.get(is_outbound=False)
    assert (reply.status, reply.content, reply.conversation_id) == (Status.RECEIVED, "thanks", message.conversation_id)
    assert callback(client, line, {"id": "lb-in-1", "from": "+15125559900", "text": "thanks"}).json()["applied"] == 0


def test_a_failed_send_is_retried_later_not_lost(account, line, httpserver):
    httpserver.expect_oneshot_request("/send", method="POST").respond_with_data("down", status=503)
    message = send(account, to="+15125559900", content="hi")
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "503" in message.last_error


def test_a_wrong_token_or_a_malformed_body_changes_nothing(account, line, client):
    assert callback(client, line, {"id": "x", "status": "delivered"}, token="guessed").status_code == 404
    response = callback(client, line, {"id": "x", "status": "teleported"})
    assert response.status_code == 400 and "Expected" in response.json()["detail"]
    assert not Message.objects.exists()


def test_its_lines_are_a_choice_only_while_it_is_registered(account, loopback):
    assert ("loopback", "Loopback (tests)") in Line._meta.get_field("provider").choices
    registry.unregister("loopback")
    assert "loopback" not in dict(Line._meta.get_field("provider").choices)
