"""BlueBubbles end to end: the dispatcher sends through the fake server, and the fake posts
its webhooks back to a live Outreach server (the URL registered through /api/v1/webhook)."""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from messaging import services
from messaging.choices import ErrorCode, Service, Status
from messaging.models import Line, Message
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.tasks import poll_bluebubbles, poll_bluebubbles_line
from messaging.queue import dispatch
from webhooks import drains
from webhooks.models import Delivery

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, LINE, group_message, queue_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_line(account, fake, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MESSAGE_RETRY_BASE_SECONDS = 0  # a retry is due at once: no waiting in tests
    line = services.add_line(account, LINE, "bluebubbles")
    bb.connect(account, line, url=fake.url, method="apple-script", password="hunter2")
    assert line.healthy, line.health_error
    return line


def test_connecting_registers_our_webhook_on_the_server(live_line, fake, live_server):
    [hook] = fake.webhooks
    assert hook["url"] == bb.webhook_url(live_line)
    assert hook["url"].startswith(live_server.url + f"/messages/providers/bluebubbles/{live_line.pk}/")
    assert sorted(hook["events"]) == ["message-send-error", "new-message", "updated-message"]


def test_a_message_goes_out_is_delivered_read_and_answered(account, live_line, fake):
    message = queue_text(account, live_line)
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_message_id in fake.messages
    fake.flush()  # the server's own new-message about our send: harmless

    fake.deliver(message.provider_message_id)
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    fake.read(message.provider_message_id)
    message.refresh_from_db()
    assert message.status == Status.READ

    fake.receive(ALICE, "Thanks, see you Tuesday")
    reply = Message.objects.get(is_outbound=False)
    assert (reply.status, reply.content, reply.conversation_id) == (
        Status.RECEIVED, "Thanks, see you Tuesday", message.conversation_id
    )


def test_missed_webhooks_are_recovered_by_the_poll(account, live_line, fake):
    message = queue_text(account, live_line)
    dispatch.run_chunk()
    fake.flush()
    fake.drop_webhooks = True  # BlueBubbles posts once and never retries
    message.refresh_from_db()
    fake.read(message.provider_message_id)
    fake.receive(ALICE, "Did you get my reply?")
    message.refresh_from_db()
    assert message.status == Status.SENT and not Message.objects.filter(is_outbound=False).exists()

    poll_bluebubbles()
    poll_bluebubbles_line(live_line.pk)  # polling twice changes nothing more

    message.refresh_from_db()
    assert message.status == Status.READ
    assert list(Message.objects.filter(is_outbound=False).values_list("content", flat=True)) == ["Did you get my reply?"]
    live_line.refresh_from_db()
    assert live_line.provider_settings["last_poll_ms"] >= fake.messages[message.provider_message_id]["dateCreated"]


def test_messages_wait_while_the_server_is_down_and_go_out_once_it_is_back(account, live_line, fake, httpserver):
    message = queue_text(account, live_line)
    later = queue_text(account, live_line, content="Second note")
    httpserver.stop()
    try:
        dispatch.run_chunk()  # the first send finds the server down: the line is unhealthy
        dispatch.run_chunk()  # its queue holds: nothing is attempted while it is
        message.refresh_from_db()
        later.refresh_from_db()
        # One chunk asked the dead server once for both; the second attempted nothing.
        assert (message.status, later.status, message.attempts, later.attempts) == (Status.QUEUED, Status.QUEUED, 1, 1)
        line = Line.objects.get(pk=live_line.pk)
        assert not line.healthy and "unreachable" in line.health_error and line.unhealthy_since
    finally:
        httpserver.start()

    dispatch.run_chunk()  # still unhealthy until its health cycle says otherwise
    assert fake.messages == {}
    poll_bluebubbles_line(live_line.pk)  # the health cycle: healthy, the held messages are due
    assert Line.objects.get(pk=live_line.pk).healthy
    dispatch.run_chunk()
    message.refresh_from_db()
    later.refresh_from_db()
    assert message.status == later.status == Status.SENT
    assert sorted(m["text"] for m in fake.messages.values()) == ["Hello from Outreach", "Second note"]


def test_messages_that_ran_out_of_retries_while_it_was_down_go_out_when_the_poll_sees_it_back(
    account, live_line, fake, httpserver, settings
):
    settings.MESSAGE_MAX_ATTEMPTS = 1
    message = queue_text(account, live_line)
    httpserver.stop()
    try:
        dispatch.run_chunk()
        poll_bluebubbles_line(live_line.pk)  # still down: nothing to revive yet
        message.refresh_from_db()
        assert message.status == Status.ERROR and message.last_error.startswith("BlueBubbles server unreachable:")
    finally:
        httpserver.start()

    poll_bluebubbles_line(live_line.pk)  # the server answers again: the dead letter is queued
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 0)
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m["text"] for m in fake.messages.values()] == ["Hello from Outreach"]


def test_a_retry_of_a_send_still_in_flight_is_sent_once_and_confirmed(account, live_line, fake):
    message = queue_text(account, live_line)
    fake.hold_sends = True
    dispatch.run_chunk()  # the proxy gives up (504) while Messages.app is still sending
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert Line.objects.get(pk=live_line.pk).healthy  # a slow send, not a broken line: no hold

    dispatch.run_chunk()  # BlueBubbles refuses the tempGuid as already queued: it is sent
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "")

    [sent] = fake.finish_held()  # its new-message webhook tells us the guid
    message.refresh_from_db()
    assert message.provider_message_id == sent["guid"]
    fake.deliver(sent["guid"])
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert len(fake.messages) == 1


def test_a_wrong_password_is_a_line_error_and_fixing_it_sends_what_failed(account, live_line, fake):
    bb.configure_line(account, live_line, url=fake.url, method="apple-script", password="not-it")
    message = queue_text(account, live_line)
    dispatch.run_chunk()
    message.refresh_from_db()
    line = Line.objects.get(pk=live_line.pk)
    assert not line.healthy and "refused the password" in line.health_error
    assert message.status == Status.ERROR and "refused the password" in message.error_message
    assert fake.messages == {}

    bb.connect(account, line, url=fake.url, method="apple-script", password="hunter2")
    message.refresh_from_db()
    assert line.healthy and message.status == Status.QUEUED
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m["text"] for m in fake.messages.values()] == ["Hello from Outreach"]


def callbacks(httpserver, path: str) -> list[dict]:
    """The status callback bodies that reached ``path``, in order (after draining)."""
    for target in sorted(set(Delivery.objects.values_list("target", flat=True))):
        drains.drain(target)
    return [json.loads(request.get_data()) for request, _ in httpserver.log if request.path == path]


def test_not_on_imessage_reported_later_goes_out_as_sms_once_and_reports_downgraded(
    account, live_line, fake, httpserver
):
    """The real server's answer to a query of the SMS chat before the first SMS is a bare
    404; that is "no such chat", not "server unreachable"."""
    httpserver.expect_request("/status-callback").respond_with_data("ok")
    message = queue_text(account, live_line, status_callback=httpserver.url_for("/status-callback"))
    dispatch.run_chunk()
    message.refresh_from_db()
    assert (message.status, message.service) == (Status.SENT, Service.IMESSAGE)
    fake.flush()

    fake.fail(message.provider_message_id, code=22)  # Messages.app: not on iMessage, after the fact
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    dispatch.run_chunk()
    fake.flush()
    poll_bluebubbles_line(live_line.pk)  # nothing to revive, nothing to send again
    dispatch.run_chunk()

    message.refresh_from_db()
    assert (message.status, message.service, message.was_downgraded) == (Status.SENT, Service.SMS, True)
    sms = [b for m, path, b in fake.calls if path == "chat/new" or (path == "message/text" and b["chatGuid"].startswith("SMS;"))]
    assert sms == [{"addresses": [ALICE], "message": "Hello from Outreach", "method": "apple-script",
                    "service": "SMS", "tempGuid": str(message.handle)}]
    assert fake.messages[message.provider_message_id]["handle"]["service"] == "SMS"
    assert Line.objects.get(pk=live_line.pk).healthy
    last = callbacks(httpserver, "/status-callback")[-1]
    assert (last["status"], last["service"], last["was_downgraded"]) == ("SENT", "SMS", True)
    assert last["plan"] != "sandbox"


def test_a_group_on_an_applescript_line_fails_at_once_saying_to_use_the_private_api(account, live_line, fake):
    message = group_message(account, live_line, [ALICE, BOB])
    dispatch.run_chunk()
    dispatch.run_chunk()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (Status.ERROR, 1, ErrorCode.SEND_FAILED)
    assert "Private API" in message.error_message and "Big Sur" in message.error_message
    assert len([c for c in fake.calls if c[1] == "chat/new"]) == 1
    assert Line.objects.get(pk=live_line.pk).healthy  # the line works; the request cannot


def test_a_reply_posted_while_our_web_is_down_is_recovered_by_the_poll_once(account, live_line, fake):
    with socket.socket() as s:  # a port nobody listens on: our web, down
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    [hook] = fake.webhooks
    ours = hook["url"]
    hook["url"] = down + urlsplit(ours).path
    reply = fake.receive(ALICE, "Are you there?")
    assert fake.undelivered == [(hook["url"], "new-message")]
    assert not Message.objects.filter(is_outbound=False).exists()

    hook["url"] = ours  # our web is back; BlueBubbles does not post that message again
    poll_bluebubbles_line(live_line.pk)
    poll_bluebubbles_line(live_line.pk)

    [received] = Message.objects.filter(is_outbound=False)
    assert (received.content, received.from_number, received.provider_message_id) == (
        "Are you there?", ALICE, reply["guid"])
