"""The BlueBubbles password never shows in an error: not in a line's health, a message's
last error or events, the API, or the logs, whatever way the server fails."""
from __future__ import annotations

import logging

import pytest

from messaging.models import Line, MessageEvent
from messaging.providers.bluebubbles import services as bb
from messaging.queue import dispatch
from messaging.redact import redact

from .bluebubbles_fixtures import *  # noqa: F401,F403
from .bluebubbles_fixtures import queue_text

pytestmark = pytest.mark.django_db
PASSWORD = "hunter2"


def assert_no_password(api, line, message, caplog):
    line.refresh_from_db()
    message.refresh_from_db()
    stored = [line.health_error, message.last_error, message.error_message,
              *MessageEvent.objects.filter(message=message).values_list("detail", flat=True)]
    assert any(stored), "the failure left no error text to check"
    assert not [t for t in stored if PASSWORD in t], stored
    lines = api.get("/api/v1/lines")
    status = api.get(f"/api/v1/messages/{message.handle}/status")
    assert lines.status_code == status.status_code == 200
    assert PASSWORD not in lines.content.decode() and PASSWORD not in status.content.decode()
    # Our logs and the HTTP library's (the fake server's own request log is not ours).
    logged = "\n".join(caplog.handler.format(r) for r in caplog.records if r.name != "werkzeug")
    assert PASSWORD not in logged
    return line, message


def fail_once(account, line, settings, caplog):
    settings.MESSAGE_MAX_ATTEMPTS = 1  # a dead letter at once: error_message is written too
    message = queue_text(account, line)
    with caplog.at_level(logging.DEBUG):
        dispatch.run_chunk()
        bb.test_connection(line)
    return message


def test_a_server_that_is_down_leaks_nothing_and_says_why(api, account, bb_line, httpserver, settings, caplog):
    httpserver.stop()
    try:
        message = fail_once(account, bb_line, settings, caplog)
    finally:
        httpserver.start()
    line, message = assert_no_password(api, bb_line, message, caplog)
    assert "Connection refused" in line.health_error
    assert not line.health_error.endswith('"') and not message.last_error.endswith('"')


def test_a_server_that_answers_500_quoting_the_url_leaks_nothing(api, account, bb_line, fake, settings, caplog):
    fake.crashing = True
    message = fail_once(account, bb_line, settings, caplog)
    assert fake.calls, "the server was asked"
    line, message = assert_no_password(api, bb_line, message, caplog)
    assert "password=[redacted]" in message.last_error


def test_a_tls_failure_quoting_the_url_leaks_nothing(api, account, bb_line, fake, settings, caplog):
    # https to a plain-HTTP server: urllib3's error quotes the URL it asked, query and all.
    bb.configure_line(account, bb_line, url=fake.url.replace("http://", "https://"), method="apple-script")
    message = fail_once(account, bb_line, settings, caplog)
    line, message = assert_no_password(api, Line.objects.get(pk=bb_line.pk), message, caplog)
    assert "unreachable" in line.health_error


def test_redact_strips_secret_query_values_credentials_and_known_secrets():
    text = "GET https://me:pw@mac.example/api/v1/x?password=s3cret&guid=abc&with=chats said s3cret-ish hunter2"
    assert redact(text, ["hunter2"]) == (
        "GET https://[redacted]@mac.example/api/v1/x?password=[redacted]&guid=[redacted]&with=chats "
        "said s3cret-ish [redacted]"
    )
