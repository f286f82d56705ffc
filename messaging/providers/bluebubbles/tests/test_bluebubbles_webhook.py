"""The callback BlueBubbles posts to: token check, payload checks, and what each event does."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging.choices import ErrorCode, Service, Status
from messaging.models import Handle, Message
from messaging.providers.registry import provider_for

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, mark_sent, queue_text

pytestmark = pytest.mark.django_db


def hook_url(line, token=None) -> str:
    return reverse("messaging:provider-callback", args=["bluebubbles", line.pk, token or line.provider_settings["webhook_token"]])


def post(client, line, event_type: str, data, token=None):
    return client.post(hook_url(line, token), json.dumps({"type": event_type, "data": data}),
                       content_type="application/json")


def sent_message(account, line, fake):
    """One of our messages, sent through the fake and recorded SENT with its guid."""
    message = queue_text(account, line)
    result = provider_for(line).send(message)
    return mark_sent(message, result.provider_message_id), fake.messages[result.provider_message_id]


def test_a_wrong_token_or_line_is_404_and_changes_nothing(client, account, bb_line, fake):
    data = fake.receive(ALICE, "hi")
    assert post(client, bb_line, "new-message", data, token="guessed").status_code == 404
    other = reverse("messaging:provider-callback", args=["bluebubbles", bb_line.pk + 999, bb_line.provider_settings["webhook_token"]])
    assert client.post(other, "{}", content_type="application/json").status_code == 404
    assert not Message.objects.filter(is_outbound=False).exists()


def test_only_post_is_allowed_and_csrf_does_not_apply(account, bb_line):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.get(hook_url(bb_line)).status_code == 405
    assert strict.post(hook_url(bb_line), '{"type": "hello-world", "data": {}}',
                       content_type="application/json").status_code == 200


@pytest.mark.parametrize(("body", "says"), [
    ("not json", "not JSON"),
    ('["a list"]', "Expected a BlueBubbles event"),
    ('{"type": "new-message", "data": {"text": "no guid"}}', "needs a 'guid'"),
    ('{"type": "new-message", "data": {"guid": "x", "isFromMe": false}}', "handle.address"),
])
def test_a_body_that_is_not_a_bluebubbles_event_is_400_saying_what_is_wrong(client, bb_line, body, says):
    response = client.post(hook_url(bb_line), body, content_type="application/json")
    assert response.status_code == 400
    assert says in response.json()["detail"]


def test_an_inbound_reply_becomes_a_received_message_once(client, account, bb_line, fake):
    data = fake.receive(ALICE, "Yes, see you then")
    assert post(client, bb_line, "new-message", data).json() == {"received": 1, "applied": 1}
    assert post(client, bb_line, "new-message", data).json() == {"received": 1, "applied": 0}

    [reply] = Message.objects.filter(is_outbound=False)
    assert (reply.status, reply.from_number, reply.to_number) == (Status.RECEIVED, ALICE, bb_line.number)
    assert (reply.content, reply.service, reply.provider_message_id) == ("Yes, see you then", Service.IMESSAGE, data["guid"])
    assert reply.conversation.contact.e164_number == ALICE


def test_a_received_photo_is_served_through_a_signed_url_of_ours(client, account, bb_line, fake, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    photo = b"\x89PNG\r\n" + b"p" * 4000
    post(client, bb_line, "new-message", fake.receive(ALICE, "", files=[("pic.png", photo, "image/png")]))

    reply = Message.objects.get(is_outbound=False)
    assert reply.media_url.startswith("http://testserver/messages/providers/bluebubbles/attachments/")
    assert "hunter2" not in reply.media_url
    response = client.get(reply.media_url.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == photo

    forged = reply.media_url.removeprefix("http://testserver")[:-3] + "xyz"
    assert client.get(forged).status_code == 404


def test_updated_message_moves_ours_to_delivered_then_read(client, account, bb_line, fake):
    message, sent = sent_message(account, bb_line, fake)
    post(client, bb_line, "updated-message", fake.deliver(sent["guid"]))
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at

    read = fake.read(sent["guid"])
    post(client, bb_line, "updated-message", read)
    late = dict(read, dateRead=None)  # a late "delivered" after "read" is ignored
    post(client, bb_line, "updated-message", late)
    message.refresh_from_db()
    assert message.status == Status.READ and message.read_at


def test_new_message_of_our_own_send_confirms_it_by_temp_guid(client, account, bb_line, fake):
    message = queue_text(account, bb_line)
    mark_sent(message)  # the guid is not known yet
    own = dict(fake._message(f"iMessage;-;{ALICE}", message.content, from_me=True), tempGuid=str(message.handle))
    post(client, bb_line, "new-message", own)
    message.refresh_from_db()
    assert message.provider_message_id == own["guid"]


def test_message_send_error_is_an_error_with_the_reason(client, account, bb_line, fake):
    message, sent = sent_message(account, bb_line, fake)
    post(client, bb_line, "message-send-error", fake.fail(sent["guid"], code=1000))
    message.refresh_from_db()
    assert message.status == Status.ERROR
    assert (message.error_code, message.error_message) == (ErrorCode.SEND_FAILED, "Messages.app reported error 1000.")


def test_a_send_timeout_on_the_mac_is_retried_while_attempts_remain(client, account, bb_line, fake, settings):
    message, sent = sent_message(account, bb_line, fake)
    post(client, bb_line, "message-send-error", fake.fail(sent["guid"], code=4))
    message.refresh_from_db()
    assert (message.status, message.error_code, message.last_error) == (
        Status.QUEUED, None, "Messages.app error 4; retrying"
    )

    settings.MESSAGE_MAX_ATTEMPTS = 1  # the last attempt: a timeout is then final
    second, sent = sent_message(account, bb_line, fake)
    post(client, bb_line, "message-send-error", fake.fail(sent["guid"], code=4))
    second.refresh_from_db()
    assert (second.status, second.error_message) == (Status.ERROR, "Messages.app timed out sending the message.")


def test_not_on_imessage_after_the_fact_requeues_it_as_sms(client, account, bb_line, fake):
    message, sent = sent_message(account, bb_line, fake)
    post(client, bb_line, "message-send-error", fake.fail(sent["guid"], code=22))
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert Handle.objects.get(address=ALICE).service == Service.SMS
    assert list(message.events.values_list("status", flat=True))[-2:] == [Status.ERROR, Status.QUEUED]


def test_events_we_do_not_track_are_accepted_and_ignored(client, bb_line, fake):
    response = post(client, bb_line, "typing-indicator", {"display": True, "guid": "iMessage;-;x"})
    assert response.json() == {"received": 0, "applied": 0}
    rename = dict(fake.receive(ALICE, ""), itemType=2, groupTitle="Book club")
    assert post(client, bb_line, "new-message", rename).json() == {"received": 0, "applied": 0}
    # A tapback on a message that is not ours (typed on the Mac, another tool's): nothing applied.
    tapback = dict(fake.receive(ALICE, "Loved “hi”"), associatedMessageGuid="p:0/ABC", associatedMessageType=2000)
    assert post(client, bb_line, "new-message", tapback).json() == {"received": 1, "applied": 0}
    assert not Message.objects.filter(content="Loved “hi”").exists()


def test_the_url_bluebubbles_servers_are_configured_with_still_works(client, account, bb_line, fake):
    """The generic provider route has the very shape of the URL registered on servers."""
    token = bb_line.provider_settings["webhook_token"]
    legacy = f"/messages/providers/bluebubbles/{bb_line.pk}/{token}/"
    assert hook_url(bb_line) == legacy
    response = client.post(legacy, json.dumps({"type": "new-message", "data": fake.receive(ALICE, "hi")}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert Message.objects.filter(is_outbound=False, content="hi").count() == 1


def test_a_line_reached_under_another_providers_name_is_404(client, account, bb_line, fake):
    token = bb_line.provider_settings["webhook_token"]
    for name in ("sandbox", "nosuchprovider"):
        url = f"/messages/providers/{name}/{bb_line.pk}/{token}/"
        response = client.post(url, json.dumps({"type": "new-message", "data": fake.receive(ALICE, "hi")}),
                               content_type="application/json")
        assert response.status_code == 404
    assert not Message.objects.filter(is_outbound=False).exists()
