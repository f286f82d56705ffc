"""Structured logs: one JSON object per line with the context's fields, and secrets never
in the output, whether a caller logs them by mistake or a request carries them."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
import requests
from django.conf import settings

from outreach.logs import ContextFilter, JsonLogFormatter, log_context, redact
from outreach.services import create_staff_user, full_key
from outreach.testing import app_server, key_client, running_worker, wait_for
from webhooks import services as webhook_services

SECRET = "s3cr3t-Value-That-Must-Not-Leak"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    handler.setFormatter(JsonLogFormatter(**config))  # as LOG_FORMAT=json configures it
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("outreach.tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)


def _events(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_line_with_the_bound_fields(captured):
    logger, stream = captured
    with log_context(account="acct-1", message_handle="h-1", line="+15550001001"):
        with log_context(task_id="t-1"):
            logger.info("sent\nwith a newline")
        logger.warning("after the task")
    logger.info("outside")
    first, second, third = _events(stream)
    assert first["message"] == "sent\nwith a newline" and first["level"] == "INFO" and "time" in first
    assert (first["account"], first["message_handle"], first["line"], first["task_id"]) == (
        "acct-1", "h-1", "+15550001001", "t-1")
    assert second["account"] == "acct-1" and "task_id" not in second
    assert "account" not in third


@pytest.mark.parametrize("leak", [
    f"ok_0123456789abcdef.{SECRET}",
    WHSEC,
    f"Authorization: Bearer {SECRET}",
    f"postgres://app:{SECRET}@db.internal:5432/outreach",
    f"password={SECRET}",
    f'{{"sb-api-secret-key": "{SECRET}"}}',
])
def test_a_secret_logged_by_mistake_is_scrubbed_from_message_args_extras_and_tracebacks(captured, leak):
    logger, stream = captured
    logger.info(leak)
    logger.info("with %s", leak)
    logger.info("extra", extra={"detail": leak})
    try:
        raise ValueError(leak)
    except ValueError:
        logger.exception("failed")
    output = stream.getvalue()
    assert SECRET not in output and "MfKQ9r8GKYqr" not in output
    assert output.count("[redacted]") >= 4
    assert len(_events(stream)) == 4


def test_redaction_keeps_the_public_key_id():
    assert redact("key ok_0123456789abcdef.abc-DEF_123 used") == "key ok_0123456789abcdef.[redacted] used"


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.django_db(transaction=True)
def test_requests_and_tasks_carrying_every_secret_leave_none_in_the_logs(account, httpserver):
    """A real gunicorn and a real worker with JSON logs at DEBUG: API keys in every header
    form, a wrong key, a login password, a webhook signing secret -- none is written."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    api = key_client(account, ["full_access"])
    secret_key = full_key(api.key, api.secret)
    endpoint = webhook_services.create_endpoint(account, httpserver.url_for("/hook"), secret=WHSEC)
    create_staff_user(account, "alice", SECRET, "owner")
    env = {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    server = app_server(**env)
    try:
        with running_worker(name="logs", **env) as worker:
            url = server.url
            headers = [{"X-API-Key": secret_key}, {"Authorization": f"Bearer {secret_key}"},
                       {"sb-api-key-id": api.key.key_id, "sb-api-secret-key": api.secret},
                       {"Authorization": f"Bearer {api.key.key_id}.wrong-{SECRET}"}]
            statuses = [requests.get(f"{url}/api/v1/contacts", headers=h, timeout=30).status_code for h in headers]
            assert statuses == [200, 200, 200, 401]
            sent = requests.post(f"{url}/api/v1/webhooks/{endpoint.pk}/test", headers=headers[0], timeout=30)
            assert sent.status_code in (200, 202), sent.text
            wait_for(lambda: httpserver.log, timeout=60, message="the test event never arrived")
            session = requests.Session()
            session.get(f"{url}/login/", timeout=30)
            form = {"username": "alice", "password": f"wrong-{SECRET}",
                    "csrfmiddlewaretoken": session.cookies["csrftoken"]}
            assert session.post(f"{url}/login/", data=form, timeout=30).status_code == 200
        worker_log = worker.log.read_text()
    finally:
        server.kill()
    web_log = server.log.read_text()
    for log in (web_log, worker_log):
        assert SECRET not in log and api.secret not in log and WHSEC not in log
    web, tasks = _json_lines(web_log), _json_lines(worker_log)
    api_requests = [e for e in web if e.get("logger") == "outreach.request" and e["path"] == "/api/v1/contacts"]
    assert [e["status"] for e in api_requests] == [200, 200, 200, 401]
    assert {e.get("account") for e in api_requests[:3]} == {str(account.pk)}
    task_ids = {e["task_id"] for e in tasks if "task_id" in e}
    assert any(re.fullmatch(r"[0-9a-f-]{36}", t) for t in task_ids), tasks[-5:]
