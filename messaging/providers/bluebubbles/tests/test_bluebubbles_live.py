"""BlueBubbles end to end: the dispatcher sends through the fake server, and the fake posts
its webhooks back to a live Outreach server (the URL registered through /api/v1/webhook)."""
from __future__ import annotations

import pytest

from messaging import services
from messaging.choices import Status
from messaging.models import Line, Message
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.tasks import poll_bluebubbles, poll_bluebubbles_line
from messaging.queue import dispatch

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, LINE, queue_text

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
    httpserver.stop()
    try:
        dispatch.run_chunk()
        dispatch.run_chunk()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.QUEUED, 2)
        assert "unreachable" in message.last_error
        line = Line.objects.get(pk=live_line.pk)
        assert not line.healthy and "unreachable" in line.health_error
    finally:
        httpserver.start()

    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m["text"] for m in fake.messages.values()] == ["Hello from Outreach"]
    assert Line.objects.get(pk=live_line.pk).healthy


def test_messages_that_ran_out_of_retries_while_it_was_down_go_out_when_the_poll_sees_it_back(
    account, live_line, fake, httpserver, settings
):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    message = queue_text(account, live_line)
    httpserver.stop()
    try:
        dispatch.run_chunk()
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
