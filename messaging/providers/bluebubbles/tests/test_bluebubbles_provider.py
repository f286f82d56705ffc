"""The BlueBubbles provider against a fake server that follows the documented API."""
from __future__ import annotations

import pytest
from django.utils import timezone

from messaging.choices import Service
from messaging.models import Handle, Line
from messaging.providers.base import (
    PermanentProviderError,
    ProviderConfigurationError,
    TransientProviderError,
)
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.secret import unseal
from messaging.providers.registry import provider_for

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, group_message, queue_text

pytestmark = pytest.mark.django_db


def test_it_sends_a_text_to_the_1to1_imessage_chat_with_our_handle_as_temp_guid(account, bb_line, fake):
    message = queue_text(account, bb_line)

    result = provider_for(bb_line).send(message)

    assert fake.sent_texts() == [{
        "chatGuid": f"iMessage;-;{ALICE}", "tempGuid": str(message.handle),
        "message": "Hello from Outreach", "method": "apple-script",
    }]
    sent = fake.messages[result.provider_message_id]
    assert sent["text"] == "Hello from Outreach" and sent["isFromMe"]
    assert (result.service, result.was_downgraded) == (Service.IMESSAGE, False)


def test_an_sms_only_handle_goes_to_the_sms_chat(account, bb_line, fake):
    Handle.objects.create(account=account, provider=bb_line.provider, address=ALICE, service=Service.SMS,
                          checked_at=timezone.now())
    result = provider_for(bb_line).send(queue_text(account, bb_line))
    assert fake.sent_texts()[0]["chatGuid"] == f"SMS;-;{ALICE}"
    assert (result.service, result.was_downgraded) == (Service.SMS, True)


def test_a_recipient_not_on_imessage_is_downgraded_to_sms_and_remembered(account, bb_line, fake):
    fake.not_imessage.add(ALICE)
    message = queue_text(account, bb_line)
    result = provider_for(bb_line).send(message)
    assert [t["chatGuid"] for t in fake.sent_texts()] == [f"iMessage;-;{ALICE}"]
    # The SMS chat does not exist yet: it is started (and the text sent) with chat/new.
    assert [body for method, path, body in fake.calls if path == "chat/new"] == [{
        "addresses": [ALICE], "message": "Hello from Outreach", "method": "apple-script",
        "service": "SMS", "tempGuid": str(message.handle)}]
    assert fake.messages[result.provider_message_id]["handle"]["service"] == "SMS"
    assert (result.service, result.was_downgraded) == (Service.SMS, True)
    assert Handle.objects.get(address=ALICE).service == Service.SMS


def test_send_style_becomes_the_apple_effect_id_with_the_private_api(account, bb_line, fake):
    fake.private_api = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    message = queue_text(account, bb_line, send_style="slam")
    provider_for(bb_line).send(message)
    text = fake.sent_texts()[0]
    assert text["effectId"] == "com.apple.MobileSMS.expressivesend.impact"
    assert text["method"] == "private-api"


def private_api(account, line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, line, url=fake.url, method="private-api")


def test_a_new_group_is_created_with_chat_new_then_reused_by_its_guid(account, bb_line, fake):
    private_api(account, bb_line, fake)
    first = group_message(account, bb_line, [ALICE, BOB], "Hi both")
    result = provider_for(bb_line).send(first)

    created = [body for method, path, body in fake.calls if path == "chat/new"]
    assert created == [{"addresses": [ALICE, BOB], "message": "Hi both", "method": "private-api",
                        "service": "iMessage", "tempGuid": str(first.handle)}]
    chat_guid = next(g for g in fake.chats if ";+;" in g)
    assert fake.messages[result.provider_message_id]["chats"][0]["guid"] == chat_guid
    bb_line.refresh_from_db()
    assert bb_line.provider_settings["groups"] == {first.conversation.group_id: chat_guid}

    second = group_message(account, bb_line, [ALICE, BOB], "Again", conversation=first.conversation)
    provider_for(bb_line).send(second)
    assert fake.sent_texts()[-1]["chatGuid"] == chat_guid
    assert len([c for c in fake.calls if c[1] == "chat/new"]) == 1


def test_a_retry_after_a_lost_chat_new_answer_finds_the_group_and_does_not_send_twice(account, bb_line, fake):
    private_api(account, bb_line, fake)
    message = group_message(account, bb_line, [ALICE, BOB], "Dinner at 8")
    fake.lose_answers = 1  # the Mac made the group and sent; our proxy timed out
    with pytest.raises(TransientProviderError):
        provider_for(bb_line).send(message)

    message.attempts, message.last_error = 2, "timed out"
    result = provider_for(bb_line).send(message)

    [chat_guid] = [g for g in fake.chats if ";+;" in g]
    assert fake.messages[result.provider_message_id]["chats"][0]["guid"] == chat_guid
    assert [m["text"] for m in fake.messages.values()] == ["Dinner at 8"]
    bb_line.refresh_from_db()
    assert bb_line.provider_settings["groups"] == {message.conversation.group_id: chat_guid}


def test_an_attachment_is_fetched_and_uploaded_as_multipart(account, bb_line, fake, httpserver):
    photo = b"\xff\xd8\xff" + b"x" * 2048
    httpserver.expect_request("/media/photo.jpg").respond_with_data(photo, content_type="image/jpeg")
    message = queue_text(account, bb_line, content="", media_url=httpserver.url_for("/media/photo.jpg"))

    result = provider_for(bb_line).send(message)

    assert fake.sent_texts() == []
    [upload] = fake.uploads
    assert upload == {"name": "photo.jpg", "bytes": photo, "mimeType": "image/jpeg",
                      "chatGuid": f"iMessage;-;{ALICE}", "tempGuid": str(message.handle)}
    assert fake.messages[result.provider_message_id]["attachments"][0]["transferName"] == "photo.jpg"


def test_media_over_5_mb_fails_before_any_part_is_sent(account, bb_line, fake, httpserver):
    httpserver.expect_request("/media/big.mov").respond_with_data(b"0" * (5 * 1024 * 1024 + 1), content_type="video/quicktime")
    message = queue_text(account, bb_line, content="see video", media_url=httpserver.url_for("/media/big.mov"))
    with pytest.raises(PermanentProviderError, match="limited to 5 MB"):
        provider_for(bb_line).send(message)
    assert fake.sent_texts() == [] and fake.uploads == []


def test_a_retry_while_the_first_attempt_is_still_sending_is_not_sent_twice(account, bb_line, fake):
    message = queue_text(account, bb_line)
    fake.hold_sends = True  # Messages.app is slow: the proxy answers 504, the send goes on
    with pytest.raises(TransientProviderError):
        provider_for(bb_line).send(message)

    message.attempts, message.last_error = 2, "timed out"
    result = provider_for(bb_line).send(message)  # BlueBubbles: "already queued" -> it is ours, sent

    assert result.provider_message_id == ""
    fake.finish_held()
    assert [m["text"] for m in fake.messages.values()] == ["Hello from Outreach"]


def test_a_retry_after_a_lost_answer_finds_the_copy_that_went_out(account, bb_line, fake):
    message = queue_text(account, bb_line)
    fake.hold_sends = True
    with pytest.raises(TransientProviderError):
        provider_for(bb_line).send(message)
    fake.hold_sends = False
    [sent] = fake.finish_held()

    message.attempts, message.last_error = 2, "timed out"
    result = provider_for(bb_line).send(message)

    assert result.provider_message_id == sent["guid"]
    assert len(fake.sent_texts()) == 1  # the retry asked, and did not post again


def test_a_server_that_is_down_is_transient_and_the_line_shows_it(account, bb_line, fake, httpserver):
    message = queue_text(account, bb_line)
    httpserver.stop()
    try:
        with pytest.raises(TransientProviderError, match="unreachable"):
            provider_for(bb_line).send(message)
        bb_line.refresh_from_db()
        assert not bb_line.healthy and "unreachable" in bb_line.health_error
    finally:
        httpserver.start()
    provider_for(bb_line).send(message)
    bb_line.refresh_from_db()
    assert bb_line.healthy and bb_line.health_error == ""


def test_a_chunk_asks_a_dead_server_once_and_every_message_waits(account, bb_line, fake):
    messages = [queue_text(account, bb_line, content=f"note {i}") for i in range(3)]
    fake.gateway_down = True
    results = provider_for(bb_line).send_many(messages)
    assert len(fake.calls) == 1
    assert all(isinstance(r, TransientProviderError) and "unreachable" in r.message for r in results.values())
    assert set(results) == {m.pk for m in messages}

    fake.gateway_down = False
    results = provider_for(bb_line).send_many(messages)
    assert sorted(fake.messages[r.provider_message_id]["text"] for r in results.values()) == ["note 0", "note 1", "note 2"]


def test_a_wrong_password_is_a_clear_line_error(account, bb_line, fake):
    bb.configure_line(account, bb_line, url=fake.url, method="apple-script", password="wrong")
    with pytest.raises(ProviderConfigurationError, match="refused the password"):
        provider_for(bb_line).send(queue_text(account, bb_line))
    line = Line.objects.get(pk=bb_line.pk)
    assert not line.healthy
    assert "refused the password" in line.health_error and "Enter the server password again" in line.health_error


def test_the_password_is_stored_sealed(account, bb_line):
    sealed = bb_line.provider_settings["password"]
    assert "hunter2" not in sealed and unseal(sealed) == "hunter2"


def test_check_says_when_the_private_api_is_off(account, bb_line, fake):
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    with pytest.raises(ProviderConfigurationError, match="Private API"):
        provider_for(bb_line).check()
    fake.private_api = True
    with pytest.raises(ProviderConfigurationError, match="helper is not connected"):
        provider_for(bb_line).check()
    fake.helper_connected = True
    assert provider_for(bb_line).check()["server_version"] == "1.9.9"


def test_lookup_asks_imessage_availability_with_the_private_api(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    fake.not_imessage.add(BOB)
    provider = provider_for(bb_line)
    assert (provider.lookup(ALICE), provider.lookup(BOB)) == (Service.IMESSAGE, Service.SMS)
    assert Handle.objects.get(address=BOB).service == Service.SMS


def test_typing_needs_the_private_api(account, bb_line, fake):
    with pytest.raises(PermanentProviderError, match="Private API"):
        provider_for(bb_line).typing(ALICE)
    fake.private_api = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    provider_for(bb_line).typing(ALICE)
    assert fake.typing == [f"iMessage;-;{ALICE}"]
