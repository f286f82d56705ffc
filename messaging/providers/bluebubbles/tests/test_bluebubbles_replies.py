"""Inline replies on a BlueBubbles line: ours quote the message they answer with
``selectedMessageGuid`` (Private API), the customers' come with ``threadOriginatorGuid``;
and the read receipt staff opening the thread sends (``POST /chat/{guid}/read``)."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Message
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.client import BlueBubblesAPIError
from messaging.providers.registry import provider_for

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, mark_sent, queue_text

pytestmark = pytest.mark.django_db


def received(client, line, fake, text, **kwargs) -> Message:
    data = fake.receive(ALICE, text, **kwargs)
    url = reverse("messaging:provider-callback", args=["bluebubbles", line.pk, line.provider_settings["webhook_token"]])
    client.post(url, json.dumps({"type": "new-message", "data": data}), content_type="application/json")
    return Message.objects.get(provider_message_id=data["guid"])


def test_a_reply_with_the_private_api_quotes_the_message_and_its_first_part(client, account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    question = received(client, bb_line, fake, "Is 8pm free?")

    answer = queue_text(account, bb_line, content="Yes, see you at 8", reply_to=str(question.handle))
    result = provider_for(bb_line).send(answer)

    [text] = fake.sent_texts()
    assert (text["selectedMessageGuid"], text["partIndex"], text["method"]) == (question.provider_message_id, 0,
                                                                                "private-api")
    assert fake.messages[result.provider_message_id]["threadOriginatorGuid"] == question.provider_message_id


def test_with_applescript_a_reply_goes_as_a_plain_message(client, account, bb_line, fake):
    question = received(client, bb_line, fake, "Is 8pm free?")
    answer = queue_text(account, bb_line, content="Yes", reply_to=str(question.handle))
    result = provider_for(bb_line).send(answer)
    [text] = fake.sent_texts()
    assert "selectedMessageGuid" not in text and "partIndex" not in text
    assert fake.messages[result.provider_message_id]["threadOriginatorGuid"] is None


def test_the_fake_implies_the_private_api_for_a_reply_as_the_server_does(bb_line, fake):
    client = provider_for(bb_line).client()
    with pytest.raises(BlueBubblesAPIError, match="Private API is not enabled"):
        client.send_text({"chatGuid": f"iMessage;-;{ALICE}", "tempGuid": "t", "message": "x",
                          "method": "apple-script", "selectedMessageGuid": "G"})
    client.close()


def test_a_customer_quoting_our_message_is_linked_to_it(client, account, bb_line, fake):
    ours = queue_text(account, bb_line, content="Table for two at 8?")
    ours = mark_sent(ours, provider_for(bb_line).send(ours).provider_message_id)

    reply = received(client, bb_line, fake, "Sounds good", reply_to=ours.provider_message_id)

    assert reply.reply_to_id == ours.pk
    plain = received(client, bb_line, fake, "See you")
    assert plain.reply_to_id is None


def test_opening_a_thread_with_unread_messages_marks_the_chat_read_once(client, account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    conversation = received(client, bb_line, fake, "Are you open?").conversation
    assert conversation.unread_count == 1

    services.mark_read(account, conversation)
    services.mark_read(account, conversation)  # nothing unread any more: the Mac is not asked again

    assert fake.read_chats == [f"iMessage;-;{ALICE}"]
    conversation.refresh_from_db()
    assert conversation.unread_count == 0


def test_on_macos_26_the_chat_marked_read_is_the_one_the_mac_filed(client, account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    fake.macos26 = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    services.mark_read(account, received(client, bb_line, fake, "Are you open?").conversation)
    assert fake.read_chats == [f"any;-;{ALICE}"]


def test_marking_read_needs_the_private_api_and_never_fails_the_thread(client, account, bb_line, fake):
    conversation = received(client, bb_line, fake, "Are you open?").conversation
    services.mark_read(account, conversation)  # AppleScript: nothing to ask
    assert fake.read_chats == [] and not [c for c in fake.calls if c[1].endswith("/read")]

    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    conversation = received(client, bb_line, fake, "Hello?").conversation
    fake.crashing = True
    services.mark_read(account, conversation)  # the server's 500 is logged, the thread still opens
    conversation.refresh_from_db()
    assert conversation.unread_count == 0 and fake.read_chats == []
    assert [c for c in fake.calls if c[2] == {"crashing": True}], "the Mac was asked"
