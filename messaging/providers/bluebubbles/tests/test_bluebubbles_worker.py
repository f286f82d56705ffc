"""BlueBubbles with a real Celery worker: the message waits while the Mac is unreachable and
goes out once it answers, then the webhook moves it on."""
from __future__ import annotations

import pytest

from messaging import services
from messaging.choices import Status
from messaging.models import Line, Message
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.tasks import poll_bluebubbles_line
from outreach.testing import running_worker, wait_for

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import LINE, queue_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_waits_out_a_down_server_and_the_message_is_delivered(
    account, fake, httpserver, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    line = services.add_line(account, LINE, "bluebubbles")
    bb.connect(account, line, url=fake.url, method="apple-script", password="hunter2")

    with running_worker(MESSAGE_RETRY_BASE_SECONDS="0.3", MESSAGE_RETRY_MAX_SECONDS="0.6", MESSAGE_MAX_ATTEMPTS="50"):
        httpserver.stop()
        try:
            message = queue_text(account, line)
            wait_for(lambda: not Line.objects.get(pk=line.pk).healthy, timeout=60,
                     message="the worker's send should find the server down and mark the line")
            wait_for(lambda: Message.objects.get(pk=message.pk).status == Status.QUEUED, timeout=60,
                     message="the message should wait in the queue")
            message.refresh_from_db()
            assert message.attempts == 1 and "unreachable" in message.last_error
        finally:
            httpserver.start()
        poll_bluebubbles_line(line.pk)  # the health cycle (beat's poll) finds it back
        wait_for(lambda: Message.objects.get(pk=message.pk).status == Status.SENT, timeout=60,
                 message="the message should go out once the server is back")

    message.refresh_from_db()
    assert [m["text"] for m in fake.messages.values()] == ["Hello from Outreach"]
    assert Line.objects.get(pk=line.pk).healthy
    fake.deliver(message.provider_message_id)
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
