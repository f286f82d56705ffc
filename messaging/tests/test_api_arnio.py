"""The Arnio dialect (seed 000): its own send paths, and its five status words in responses
and status callbacks, through the real dispatcher and webhook drains."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from contacts.services import contact_for_address, opt_out
from messaging.models import Message
from messaging.queue import dispatch
from outreach.testing import assert_matches_schema, key_client
from webhooks import drains
from webhooks.models import Delivery
from webhooks.services import create_endpoint

pytestmark = pytest.mark.django_db

ARNIO_WORDS = {"QUEUED", "SENT", "DELIVERED", "READ", "FAILED"}


@pytest.fixture
def arnio(account, line):
    return key_client(account, ["messages"], form="sendblue", dialect="arnio")


@pytest.fixture
def sendblue(account, line):
    return key_client(account, ["messages"], form="sendblue")


@pytest.fixture
def fast_retries(settings):
    settings.MESSAGE_RETRY_BASE_SECONDS = 0


def run_everything():
    """The real tasks in-process: dispatch chunks (sends, sandbox reports), then every
    webhook target's drain."""
    for _ in range(50):
        if not dispatch.run_chunk().claimed:
            break
    for target in sorted(set(Delivery.objects.values_list("target", flat=True))):
        drains.drain(target)


def received(httpserver, path: str) -> dict[str, list[dict]]:
    """The bodies each message's handle got at ``path``, in arrival order."""
    bodies = defaultdict(list)
    for request, _ in httpserver.log:
        if request.path == path:
            body = json.loads(request.get_data())
            if "message_handle" in body:  # not another event (contact_opted_out)
                bodies[body["message_handle"]].append(body)
    return bodies


def words(bodies: list[dict]) -> list[str]:
    return [b["status"] for b in bodies]


def test_an_arnio_keys_failed_and_declined_messages_call_back_in_arnio_words_only(
    account, arnio, httpserver
):
    httpserver.expect_request("/cb").respond_with_data("ok")
    httpserver.expect_request("/hook").respond_with_data("ok")
    create_endpoint(account, httpserver.url_for("/hook"), payload_format="raw")
    opt_out(account, contact_for_address(account, "+15552010011", create=True), source="test")
    cb = httpserver.url_for("/cb")
    failing = arnio.post("/api/send-message", {"number": "+15552010002", "content": "hi", "status_callback": cb}, format="json")
    declined = arnio.post("/api/send-message", {"number": "+15552010011", "content": "hi", "status_callback": cb}, format="json")
    assert failing.status_code == declined.status_code == 200, (failing.content, declined.content)
    assert failing.json()["status"] == "QUEUED" and declined.json()["status"] == "FAILED"
    assert declined.json()["error_code"] is not None and declined.json()["error_message"]
    run_everything()

    callbacks = received(httpserver, "/cb")
    assert words(callbacks[failing.json()["message_handle"]]) == ["QUEUED", "FAILED"]
    assert words(callbacks[declined.json()["message_handle"]]) == ["FAILED"]
    every = [b for bodies in callbacks.values() for b in bodies]
    assert {b["status"] for b in every} <= ARNIO_WORDS
    for body in every:
        if body["status"] == "FAILED":
            assert body["error_code"] is not None and body["error_message"], body
    # The account's webhook endpoint keeps the canonical words (it is per account, not key).
    hooks = received(httpserver, "/hook")
    assert words(hooks[failing.json()["message_handle"]]) == ["QUEUED", "ACCEPTED", "ERROR"]
    assert words(hooks[declined.json()["message_handle"]]) == ["DECLINED"]


def test_an_arnio_message_delivered_and_read_hears_each_word_once(arnio, httpserver, fast_retries):
    """The 03 number fails twice before it is sent: ACCEPTED and the retries' QUEUED are
    nothing new to an Arnio client."""
    httpserver.expect_request("/cb").respond_with_data("ok")
    cb = httpserver.url_for("/cb")
    plain = arnio.post("/api/send-message", {"number": "+15552010088", "content": "hi", "status_callback": cb}, format="json")
    retried = arnio.post("/api/send-message", {"number": "+15552010003", "content": "hi", "status_callback": cb}, format="json")
    run_everything()
    run_everything()
    run_everything()
    callbacks = received(httpserver, "/cb")
    assert Message.objects.get(handle=retried.json()["message_handle"]).attempts == 3
    for response in (plain, retried):
        assert words(callbacks[response.json()["message_handle"]]) == ["QUEUED", "SENT", "DELIVERED", "READ"]


def test_a_sendblue_keys_callbacks_keep_every_canonical_word(account, sendblue, httpserver):
    httpserver.expect_request("/cb").respond_with_data("ok")
    opt_out(account, contact_for_address(account, "+15552010011", create=True), source="test")
    cb = httpserver.url_for("/cb")
    sent = [
        sendblue.post("/api/send-message", {"number": number, "content": "hi", "status_callback": cb}, format="json").json()
        for number in ("+15552010002", "+15552010011", "+15552010088")
    ]
    run_everything()
    callbacks = received(httpserver, "/cb")
    assert [words(callbacks[s["message_handle"]]) for s in sent] == [
        ["QUEUED", "ACCEPTED", "ERROR"], ["DECLINED"], ["QUEUED", "ACCEPTED", "SENT", "DELIVERED", "READ"],
    ]
    assert {m.dialect for m in Message.objects.all()} == {"sendblue"}


@pytest.mark.parametrize("form", ["sendblue", "x-api-key"])
def test_arnios_paths_are_arnio_whatever_the_key(account, line, form):
    client = key_client(account, ["messages"], form=form)  # a Sendblue key
    opt_out(account, contact_for_address(account, "+15552010011", create=True), source="test")
    response = client.post("/send-message", {"number": "+15552010011", "content": "hi"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "FAILED" and body["error_code"] is not None and body["error_message"]
    assert_matches_schema(response, "/send-message")
    assert Message.objects.get(handle=body["message_handle"]).dialect == "arnio"
    group = client.post("/send-group-message", {"numbers": ["+15552010020", "+15552010021"], "content": "hi"}, format="json")
    assert group.status_code == 200 and group.json()["status"] == "QUEUED", group.content
    assert Message.objects.get(handle=group.json()["message_handle"]).dialect == "arnio"
    # The key's own dialect still holds on /api/.
    again = client.post("/api/send-message", {"number": "+15552010011", "content": "hi"}, format="json")
    assert again.json()["status"] == "DECLINED"


def test_arnios_paths_keep_scopes_validation_and_idempotency(account, line):
    assert key_client(account, ["contacts"]).post("/send-message", {"number": "+15552010030"}, format="json").status_code == 403
    assert key_client(account, form="x-api-key").post("/send-message", {}, format="json").status_code == 400
    client = key_client(account, ["messages"], form="sendblue", dialect="arnio")
    body = {"number": "+15552010031", "content": "once"}
    first = client.post("/send-message", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/send-message", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 200
    assert first.json()["message_handle"] == second.json()["message_handle"]
    assert Message.objects.filter(content="once").count() == 1
    assert client.post("/send-message", {}, format="json").json()["error_code"] == 4000


def test_reads_answer_in_the_keys_dialect(account, arnio, sendblue):
    opt_out(account, contact_for_address(account, "+15552010011", create=True), source="test")
    handle = sendblue.post("/api/send-message", {"number": "+15552010011", "content": "hi"}, format="json").json()["message_handle"]
    for client, word in ((arnio, "FAILED"), (sendblue, "DECLINED")):
        assert client.get("/api/status", {"handle": handle}).json()["status"] == word
        assert client.get(f"/api/v2/messages/{handle}").json()["data"]["status"] == word
        listed = client.get("/api/v2/messages")
        assert [m["status"] for m in listed.json()["data"]] == [word]
        assert_matches_schema(listed, "/api/v2/messages")
