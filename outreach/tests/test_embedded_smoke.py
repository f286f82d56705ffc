"""``make run`` end to end: embedded settings (SQLite, file-system broker), gunicorn + worker
+ beat as ``bin/run`` starts them, in a temporary ``var/`` on a free port, driven over HTTP
as a user would. Everything waits on what it observes, with generous deadlines."""
from __future__ import annotations

import re

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from outreach.testing import wait_for
from outreach.testing_embedded import MakeRun, manage

pytestmark = [pytest.mark.worker, pytest.mark.embedded]

#: Deadlines for what the worker does at the sandbox's ``make run`` pace (2 s a step).
SLOW = 180


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    run = MakeRun(tmp_path_factory.mktemp("embedded-var")).start()
    try:
        wait_for(lambda: _ok(f"{run.url}/healthz"), timeout=60, interval=0.5,
                 message=f"/healthz never answered:\n{run.output()}")
        key = re.search(r"X-API-Key: (\S+)", run.output())
        assert key, run.output()
        session = requests.Session()
        session.headers["X-API-Key"] = key.group(1)
        run.api = session
        yield run
    finally:
        run.stop()


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow on a busy machine
        return False


def _call(app, method: str, path: str, expect: int = 200, **kwargs):
    response = app.api.request(method, app.url + path, timeout=30, **kwargs)
    assert response.status_code == expect, (response.status_code, response.text, app.output()[-3000:])
    return response.json()


def _wait(app, predicate, what: str, timeout: float = SLOW):
    try:
        return wait_for(predicate, timeout=timeout, interval=0.5)
    except AssertionError:
        raise AssertionError(f"{what}; make run's output ends:\n{app.output()[-4000:]}") from None


def _status(app, handle: str) -> str:
    return _call(app, "GET", f"/api/status?handle={handle}")["status"]


def test_a_send_reaches_read(app):
    sent = _call(app, "POST", "/api/send-message", json={"number": "+15551230000", "content": "Hi"})
    assert sent["status"] == "QUEUED"
    handle = sent["message_handle"]
    _wait(app, lambda: _status(app, handle) == "READ", "the message never reached READ")


def test_a_reply_lands_in_the_inbox_and_its_webhook_arrives_signed_once(app, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    endpoint = _call(app, "POST", "/api/v1/webhooks", expect=201, json={
        "url": httpserver.url_for("/hook"), "event_types": ["message.received"]})
    # The sandbox's "Thanks!" number: delivered, then the customer writes back.
    _call(app, "POST", "/api/send-message", json={"number": "+15551230006", "content": "How was it?"})

    def reply():
        found = _call(app, "GET", "/api/v2/messages?is_outbound=false&number=%2B15551230006")["data"]
        return found[0] if found else None

    inbound = _wait(app, reply, "the simulated reply never arrived")
    assert inbound["content"] == "Thanks!" and inbound["status"] == "RECEIVED"
    _wait(app, lambda: httpserver.log, "the webhook never arrived")

    def delivered():
        return _call(app, "GET", f"/api/v1/webhooks/{endpoint['id']}/deliveries?status=succeeded")["items"]

    _wait(app, delivered, "the delivery never recorded its success")
    [(request, _response)] = httpserver.log
    payload = Webhook(endpoint["secret"]).verify(request.get_data(), dict(request.headers))
    assert payload["type"] == "message.received"
    assert payload["data"]["message_handle"] == inbound["message_handle"]


def test_a_100_contact_campaign_completes(app):
    # The demo lines take 15 new contacts an hour each (iMessage's pace); the operator
    # raises them, as the console's line page does, so 100 fit at once.
    manage(app.var_dir, "shell", "-c", "from messaging.models import Line; "
           "Line.objects.update(new_contacts_per_hour=1000, new_contacts_per_day=1000)")
    listed = _call(app, "POST", "/api/v1/lists", expect=201, json={"name": "Smoke audience"})
    contacts = [{"phone_number": f"+1212555{i:02d}90", "first_name": f"C{i}"} for i in range(100)]
    batch = _call(app, "POST", "/api/v1/contacts/batch",
                  json={"contacts": contacts, "list_ids": [listed["id"]]})
    assert batch["created"] == 100, batch
    campaign = _call(app, "POST", "/api/v1/campaigns", expect=201, json={
        "name": "Smoke", "body": "Hi {first_name|there}", "list_ids": [listed["id"]],
        "window_start": "00:00", "window_end": "00:00"})
    _call(app, "POST", f"/api/v1/campaigns/{campaign['id']}/start")

    def completed():
        return _call(app, "GET", f"/api/v1/campaigns/{campaign['id']}")["status"] == "COMPLETED"

    _wait(app, completed, "the campaign never completed", timeout=SLOW * 2)
    progress = _call(app, "GET", f"/api/v1/campaigns/{campaign['id']}")["progress"]
    assert progress["audience"] == 100 and progress["sent"] == 100, progress
