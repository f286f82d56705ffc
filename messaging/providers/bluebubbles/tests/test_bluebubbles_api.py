"""The public API on a BlueBubbles line: evaluate-service, typing, and a send whose status the
webhook moves."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging.providers.bluebubbles import services as bb
from messaging.queue import dispatch

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, LINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_line(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    return bb_line


def test_evaluate_service_asks_the_mac(api, private_line, fake):
    fake.not_imessage.add(BOB)
    assert api.get("/api/evaluate-service", {"number": ALICE}).json() == {"number": ALICE, "service": "iMessage"}
    assert api.get("/api/evaluate-service", {"number": BOB}).json() == {"number": BOB, "service": "SMS"}
    assert [c[1] for c in fake.calls].count("handle/availability/imessage") == 2


def test_typing_goes_to_the_chat(api, private_line, fake):
    response = api.post("/api/send-typing-indicator", {"number": ALICE, "from_number": LINE}, format="json")
    assert response.status_code == 200, response.content
    assert fake.typing == [f"iMessage;-;{ALICE}"]


def test_typing_without_the_private_api_says_what_to_change(api, bb_line, fake):
    response = api.post("/api/send-typing-indicator", {"number": ALICE, "from_number": LINE}, format="json")
    assert response.status_code == 502, response.content  # the network refused; 10001
    assert response.json()["error_code"] == 10001
    assert "need the BlueBubbles Private API" in response.json()["error_message"]
    assert fake.typing == []


def test_a_message_sent_through_the_api_reports_delivered_from_the_webhook(api, client, bb_line, fake):
    sent = api.post("/api/send-message", {"number": ALICE, "from_number": LINE, "content": "Your table is ready"},
                    format="json").json()
    dispatch.run_chunk()
    status = api.get("/api/status", {"handle": sent["message_handle"]}).json()
    assert status["status"] == "SENT"

    [guid] = list(fake.messages)
    hook = reverse("messaging:provider-callback", args=["bluebubbles", bb_line.pk, bb_line.provider_settings["webhook_token"]])
    client.post(hook, json.dumps({"type": "updated-message", "data": fake.deliver(guid)}),
                content_type="application/json")
    assert api.get("/api/status", {"handle": sent["message_handle"]}).json()["status"] == "DELIVERED"
