"""Where the real BlueBubbles server answers differently from what a client would guess: the
fake's faithful answers (bare 404 for an unknown chat, ``any;-;`` GUIDs, tempGuid refused
only while in flight, no AppleScript groups), and the provider's rules built on them."""
from __future__ import annotations

import socket
import threading

import pytest
import requests

from messaging.choices import Service
from messaging.models import Handle, Line
from messaging.providers.base import PermanentProviderError, TransientProviderError
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.client import BlueBubblesClient, NoSuchChat, ServerUnreachable, _short
from messaging.providers.registry import provider_for

from .bluebubbles_fake import FakeBlueBubbles
from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, group_message, queue_text

pytestmark = pytest.mark.django_db


def raw(fake, path: str, **json) -> requests.Response:
    return requests.post(f"{fake.url}/api/v1/{path}", params={"password": "hunter2"}, json=json, timeout=10)


def chat_new_calls(fake) -> list[dict]:
    return [body for method, path, body in fake.calls if path == "chat/new"]


def sms_sends(fake) -> list[dict]:
    """Every post that sent (or tried to send) an SMS: message/text to an SMS chat or chat/new
    with service SMS."""
    return [body for method, path, body in fake.calls
            if (path == "message/text" and body.get("chatGuid", "").startswith("SMS;"))
            or (path == "chat/new" and body.get("service") == "SMS")]


@pytest.fixture
def tahoe(httpserver):
    """A fake of a Mac on macOS 26, which files every chat under ``any;-;``."""
    server = FakeBlueBubbles(httpserver, macos26=True)
    yield server
    server.flush()


@pytest.fixture
def tahoe_line(account, tahoe):
    from messaging import services

    line = services.add_line(account, "+15125550199", "bluebubbles")
    bb.configure_line(account, line, url=tahoe.url, method="apple-script", password="hunter2")
    line.refresh_from_db()
    return line


# --- the fake, as the real server answers ---------------------------------------------------

def test_the_fake_answers_a_query_of_an_unknown_chat_with_a_bare_404(fake):
    response = raw(fake, "message/query", chatGuid=f"SMS;-;{ALICE}", limit=5)
    assert (response.status_code, response.text) == (404, "Not Found")
    assert response.headers["Content-Type"].startswith("text/plain")

    client = BlueBubblesClient(fake.url, "hunter2")
    with pytest.raises(NoSuchChat):
        client.query_messages({"chatGuid": f"SMS;-;{ALICE}"})
    fake.receive(ALICE, "hi", service="SMS")
    assert [m["text"] for m in client.query_messages({"chatGuid": f"SMS;-;{ALICE}"})] == ["hi"]


def test_a_bare_404_elsewhere_or_a_proxys_404_page_is_still_the_server_unreachable(httpserver):
    httpserver.expect_request("/api/v1/message/query").respond_with_data(
        "<html>ERR_NGROK_3200 tunnel not found</html>", status=404, content_type="text/html")
    client = BlueBubblesClient(httpserver.url_for("").rstrip("/"), "hunter2")
    with pytest.raises(ServerUnreachable):
        client.query_messages({"chatGuid": f"SMS;-;{ALICE}"})


def test_the_fake_refuses_a_temp_guid_only_while_its_send_is_in_flight(fake):
    send = {"chatGuid": f"iMessage;-;{ALICE}", "tempGuid": "T-1", "message": "hi", "method": "apple-script"}
    fake.hold_sends = True
    assert raw(fake, "message/text", **send).status_code == 504
    refused = raw(fake, "message/text", **send)
    assert refused.status_code == 400 and "already queued" in refused.json()["error"]["message"]
    fake.hold_sends = False
    fake.finish_held()

    assert raw(fake, "message/text", **send).status_code == 200  # finished: it sends again
    assert [m["text"] for m in fake.messages.values()] == ["hi", "hi"]


def test_the_fake_accepts_any_guids(fake):
    send = {"tempGuid": "T-2", "message": "hi", "method": "apple-script"}
    sent = raw(fake, "message/text", chatGuid=f"any;-;{ALICE}", **send).json()["data"]
    assert sent["chats"][0]["guid"] == f"any;-;{ALICE}" and sent["handle"]["service"] == "iMessage"


def test_macos_26_files_chats_under_any_guids(tahoe):
    send = {"tempGuid": "T-2", "message": "hi", "method": "apple-script"}
    sent = raw(tahoe, "message/text", chatGuid=f"iMessage;-;{ALICE}", **send).json()["data"]
    assert sent["chats"][0]["guid"] == f"any;-;{ALICE}" and sent["handle"]["service"] == "iMessage"
    assert raw(tahoe, "message/query", chatGuid=f"iMessage;-;{ALICE}").status_code == 404
    assert [m["guid"] for m in raw(tahoe, "message/query", chatGuid=f"any;-;{ALICE}").json()["data"]] == [sent["guid"]]


# --- SMS fallback ---------------------------------------------------------------------------

def test_the_first_sms_after_not_on_imessage_starts_the_sms_chat_once(account, bb_line, fake):
    message = queue_text(account, bb_line)
    fake.not_imessage.add(ALICE)
    result = provider_for(bb_line).send(message)

    assert sms_sends(fake) == [{"addresses": [ALICE], "message": "Hello from Outreach", "method": "apple-script",
                                "service": "SMS", "tempGuid": str(message.handle)}]
    assert fake.messages[result.provider_message_id]["handle"]["service"] == "SMS"
    assert (result.service, result.was_downgraded) == (Service.SMS, True)


def test_on_macos_26_the_sms_goes_to_the_sms_chat_and_is_found_under_any(account, tahoe_line, tahoe):
    message = queue_text(account, tahoe_line)
    tahoe.not_imessage.add(ALICE)
    result = provider_for(tahoe_line).send(message)

    # The failed iMessage made the any;-; chat: the SMS goes to it by its SMS;-; name.
    assert [b["chatGuid"] for b in sms_sends(tahoe)] == [f"SMS;-;{ALICE}"]
    sent = tahoe.messages[result.provider_message_id]
    assert sent["chats"][0]["guid"] == f"any;-;{ALICE}" and sent["handle"]["service"] == "SMS"
    assert (result.service, result.was_downgraded) == (Service.SMS, True)
    assert Handle.objects.get(address=ALICE).service == Service.SMS


# --- a message whose answer was lost is looked up before it is sent again -------------------

def test_on_macos_26_a_retry_after_a_lost_answer_finds_the_copy_filed_under_any(account, tahoe_line, tahoe):
    message = queue_text(account, tahoe_line)
    tahoe.hold_sends = True
    with pytest.raises(TransientProviderError):
        provider_for(tahoe_line).send(message)
    tahoe.hold_sends = False
    [sent] = tahoe.finish_held()

    message.attempts, message.last_error = 2, "timed out"
    result = provider_for(tahoe_line).send(message)

    assert result.provider_message_id == sent["guid"]
    assert len(tahoe.sent_texts()) == 1


def test_a_retry_sends_nothing_while_the_server_cannot_say_whether_the_first_went(account, bb_line, fake):
    message = queue_text(account, bb_line)
    fake.hold_sends = True
    with pytest.raises(TransientProviderError):
        provider_for(bb_line).send(message)
    fake.hold_sends = False
    [sent] = fake.finish_held()  # it did go; a second POST with its tempGuid would send again

    message.attempts, message.last_error = 2, "timed out"
    fake.broken_queries = True
    with pytest.raises(TransientProviderError, match="not sending again"):
        provider_for(bb_line).send(message)
    assert len(fake.sent_texts()) == 1

    fake.broken_queries = False
    assert provider_for(bb_line).send(message).provider_message_id == sent["guid"]
    assert len(fake.sent_texts()) == 1 and len(fake.messages) == 1


def test_a_retried_photo_that_went_out_is_not_uploaded_again(account, bb_line, fake, httpserver):
    httpserver.expect_request("/media/photo.jpg").respond_with_data(b"\xff\xd8\xff" + b"x" * 512,
                                                                     content_type="image/jpeg")
    message = queue_text(account, bb_line, content="", media_url=httpserver.url_for("/media/photo.jpg"))
    fake.hold_sends = True
    with pytest.raises(TransientProviderError):
        provider_for(bb_line).send(message)
    fake.hold_sends = False
    [sent] = fake.finish_held()

    message.attempts, message.last_error = 2, "timed out"
    assert provider_for(bb_line).send(message).provider_message_id == sent["guid"]
    assert len(fake.uploads) == 1


# --- groups on an AppleScript line -----------------------------------------------------------

def test_a_group_on_an_applescript_line_is_one_chat_new_then_a_permanent_error(account, bb_line, fake):
    message = group_message(account, bb_line, [ALICE, BOB])
    with pytest.raises(PermanentProviderError) as raised:
        provider_for(bb_line).send(message)
    assert "Big Sur" in raised.value.message and "Private API" in raised.value.message
    assert len(chat_new_calls(fake)) == 1 and fake.messages == {}


# --- error texts ---------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hang_up_server() -> tuple[int, threading.Event]:
    """A port that accepts a connection and closes it without an answer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    done = threading.Event()

    def serve():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()
        listener.close()
        done.set()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], done


@pytest.mark.parametrize("url", ["closed", "http://no-such-mac.invalid", "hang-up"])
def test_outage_texts_are_the_reason_without_reprs_or_stray_quotes(url):
    if url == "closed":
        url = f"http://127.0.0.1:{closed_port()}"
    elif url == "hang-up":
        port, _ = hang_up_server()
        url = f"http://127.0.0.1:{port}"
    with pytest.raises(requests.RequestException) as raised:
        requests.get(url, timeout=5)
    text = _short(raised.value)
    assert text and text[0] not in "'\"(" and text[-1] not in "'\"" and text.count("(") == text.count(")")
    assert "Caused by" not in text and "HTTPConnection" not in text
    with pytest.raises(ServerUnreachable) as unreachable:
        BlueBubblesClient(url, "hunter2").server_info()
    assert not unreachable.value.message.endswith('"') and "hunter2" not in unreachable.value.message


def test_the_message_body_of_a_bluebubbles_line_does_not_say_sandbox(account, bb_line, fake):
    from messaging.payloads import message_body

    assert account.plan == "sandbox"
    assert message_body(queue_text(account, bb_line))["plan"] == "dedicated"
    sandbox = Line.objects.create(account=account, number="+15125550177", provider="sandbox")
    assert message_body(queue_text(account, sandbox))["plan"] == "sandbox"
