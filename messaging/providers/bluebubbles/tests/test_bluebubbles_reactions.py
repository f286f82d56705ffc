"""Tapbacks on a BlueBubbles line: ours through ``POST /message/react`` (Private API), the
customers' from the webhook and the poll, recorded on the message they react to."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging.models import Reaction
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.client import BlueBubblesAPIError
from messaging.providers.bluebubbles.events import event_from_message
from messaging.providers.registry import provider_for
from messaging.services.reports import apply_events
from webhooks.models import Event

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, LINE, mark_sent, queue_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_line(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    return bb_line


def sent(account, line, fake, content="Your table is ready"):
    message = queue_text(account, line, content=content)
    result = provider_for(line).send(message)
    fake.flush()
    return mark_sent(message, result.provider_message_id)


def post_hook(client, line, event_type, data):
    url = reverse("messaging:provider-callback", args=["bluebubbles", line.pk, line.provider_settings["webhook_token"]])
    return client.post(url, json.dumps({"type": event_type, "data": data}), content_type="application/json")


def test_a_reaction_goes_to_the_chat_of_the_message_with_its_guid(api, account, private_line, fake):
    message = sent(account, private_line, fake)

    r = api.post("/api/send-reaction", {"message_handle": str(message.handle), "reaction": "emphasize",
                                         "part_index": 0}, format="json")

    assert r.status_code == 200, r.content
    assert fake.reactions == [{"chatGuid": f"iMessage;-;{ALICE}", "selectedMessageGuid": message.provider_message_id,
                               "reaction": "emphasize", "partIndex": 0}]
    assert list(Reaction.objects.values_list("kind", "is_outbound")) == [("emphasize", True)]


def test_on_macos_26_the_reaction_names_the_chat_the_mac_filed(api, account, private_line, fake):
    fake.macos26 = True
    message = sent(account, private_line, fake)
    r = api.post("/api/send-reaction", {"message_handle": str(message.handle), "reaction": "like"}, format="json")
    assert r.status_code == 200, r.content
    assert fake.reactions[0]["chatGuid"] == f"any;-;{ALICE}"


def test_an_applescript_line_cannot_react_and_says_it_needs_the_private_api(api, account, bb_line, fake):
    message = sent(account, bb_line, fake)
    r = api.post("/api/send-reaction", {"message_handle": str(message.handle), "reaction": "love"}, format="json")
    assert r.status_code == 502, r.content
    assert "needs the BlueBubbles Private API" in r.json()["error_message"]
    assert not [c for c in fake.calls if c[1] == "message/react"]
    assert not Reaction.objects.exists()


def test_the_fake_refuses_what_the_servers_validator_refuses(private_line, fake):
    client = provider_for(private_line).client()
    for body, says in [({"chatGuid": "iMessage;-;x", "reaction": "love"}, "selectedMessageGuid field is required"),
                       ({"chatGuid": "iMessage;-;x", "selectedMessageGuid": "G", "reaction": "hug"}, "reaction is invalid"),
                       ({"chatGuid": "iMessage;-;x", "selectedMessageGuid": "G", "reaction": "love", "partIndex": -1},
                        "partIndex"),
                       ({"chatGuid": "iMessage;-;nobody", "selectedMessageGuid": "G", "reaction": "love"},
                        "Chat does not exist")]:
        with pytest.raises(BlueBubblesAPIError, match=says):
            client.react(body)
    client.close()


def test_a_customers_tapback_is_recorded_on_our_message_and_emitted(client, account, bb_line, fake):
    message = sent(account, bb_line, fake)
    tapback = fake.react_from(ALICE, message.provider_message_id, "love")
    assert tapback["associatedMessageGuid"] == f"p:0/{message.provider_message_id}"

    assert post_hook(client, bb_line, "new-message", tapback).json() == {"received": 1, "applied": 1}

    [love] = Reaction.objects.all()
    assert (love.message_id, love.kind, love.from_address, love.is_outbound) == (message.pk, "love", ALICE, False)
    assert not message.conversation.messages.filter(is_outbound=False).exists(), "a tapback is not a new message"
    [event] = Event.objects.filter(account=account, type="message.reaction")
    assert event.payload["message_handle"] == str(message.handle)
    assert (event.payload["reaction"], event.payload["removed"]) == ("love", False)

    taken_back = fake.react_from(ALICE, message.provider_message_id, "-love")
    assert post_hook(client, bb_line, "new-message", taken_back).json() == {"received": 1, "applied": 1}
    assert not Reaction.objects.exists()
    assert Event.objects.filter(type="message.reaction").count() == 2


def test_the_poll_brings_a_missed_tapback_once(account, bb_line, fake, client):
    message = sent(account, bb_line, fake)
    fake.drop_webhooks = True
    fake.react_from(ALICE, message.provider_message_id, "laugh", part_index=1)
    events = provider_for(bb_line).poll(0)
    [reaction] = [e for e in events if e.kind == "reaction"]
    assert (reaction.provider_message_id, reaction.reaction, reaction.part_index) == (
        message.provider_message_id, "laugh", 1)

    assert apply_events(bb_line, events) == 1
    assert apply_events(bb_line, events) == 0, "the same tapback seen again changes nothing"
    assert list(Reaction.objects.values_list("message_id", "kind", "part_index")) == [(message.pk, "laugh", 1)]
    assert Event.objects.filter(type="message.reaction").count() == 1


@pytest.mark.parametrize(("kind", "guid", "expected"), [
    (2001, "p:0/ABC", ("like", False, "ABC", 0)),
    (3003, "p:2/ABC", ("laugh", True, "ABC", 2)),
    ("-question", "bp:ABC", ("question", True, "ABC", 0)),
    ("emphasize", "ABC", ("emphasize", False, "ABC", 0)),
])
def test_tapback_words_and_numbers_are_read(kind, guid, expected):
    payload = {"guid": "T", "isFromMe": False, "handle": {"address": ALICE}, "text": "Liked “x”",
               "associatedMessageGuid": guid, "associatedMessageType": kind}
    event = event_from_message(payload, LINE)
    assert (event.kind, (event.reaction, event.removed, event.provider_message_id, event.part_index)) == (
        "reaction", expected)


@pytest.mark.parametrize("payload", [
    {"isFromMe": True, "associatedMessageType": "love"},  # ours: recorded when we sent it
    {"isFromMe": False, "associatedMessageType": 1000},  # a sticker
    {"isFromMe": False, "associatedMessageType": "emoji"},
])
def test_what_is_not_a_customers_tapback_is_ignored(payload):
    base = {"guid": "T", "handle": {"address": ALICE}, "text": "", "associatedMessageGuid": "p:0/ABC"}
    assert event_from_message({**base, **payload}, LINE) is None


def test_our_own_reaction_coming_back_by_webhook_is_not_recorded_twice(client, api, account, private_line, fake):
    message = sent(account, private_line, fake)
    api.post("/api/send-reaction", {"message_handle": str(message.handle), "reaction": "like"}, format="json")
    [ours] = [m for m in fake.messages.values() if m.get("associatedMessageGuid")]
    assert post_hook(client, private_line, "new-message", ours).json() == {"received": 0, "applied": 0}
    assert Reaction.objects.count() == 1
