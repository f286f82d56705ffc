"""The v1 messages dialect (seed 004) over HTTP."""
from __future__ import annotations

import uuid

import pytest

from messaging.choices import Status
from messaging.models import Attachment, Message
from messaging.services import add_line
from outreach.testing import assert_matches_schema, key_client

from .console_data import LINE, listed

pytestmark = pytest.mark.django_db


def post(v1, **body):
    return v1.post("/api/v1/messages", body, format="json")


def test_send_answers_201_in_seed_004s_shape(v1):
    response = post(v1, to="+1 555 201 0100", body="Hello!", priority=7)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "to", "body", "priority", "createdAt"}
    assert body["status"] == "queued" and body["to"] == "+15552010100"
    assert body["body"] == "Hello!" and body["priority"] == 7
    message = Message.objects.get(handle=body["id"])
    assert message.priority == 7 and message.status == Status.QUEUED and message.line.number == LINE
    assert_matches_schema(response, "/api/v1/messages", "POST")


def test_send_to_an_apple_id_and_with_attachments(v1):
    urls = [f"https://cdn.example.com/p{i}.jpg" for i in range(3)]
    response = post(v1, to="Pat@Example.com", attachments=urls, fromNumber=LINE)
    assert response.status_code == 201, response.content
    message = Message.objects.get(handle=response.json()["id"])
    assert message.to_number == "pat@example.com" and message.media_url == urls[0]
    assert [a.url for a in message.attachments.order_by("id")] == urls
    listed = v1.get(f"/api/v1/messages/{message.handle}/attachments")
    assert listed.status_code == 200
    assert [a["url"] for a in listed.json()["items"]] == urls
    assert_matches_schema(listed, "/api/v1/messages/{message_id}/attachments")


def test_send_to_a_group_id(v1, account):
    sb = key_client(account, ["messages"], form="sendblue")
    group_id = sb.post("/api/send-group-message", {
        "numbers": ["+15552010101", "+15552010102"], "content": "hi", "from_number": LINE,
    }, format="json").json()["group_id"]
    response = post(v1, to=group_id, body="to the group")
    assert response.status_code == 201, response.content
    assert response.json()["to"] == group_id
    assert Message.objects.get(handle=response.json()["id"]).conversation.group_id == group_id


@pytest.mark.parametrize("body,field,fragment", [
    ({"to": "+15552010103"}, "body", "Send body, attachments, or both."),
    ({"to": "+15552010103", "body": "x", "priority": 101}, "priority", "less than or equal to 100"),
    ({"to": "+15552010103", "body": "x", "priority": -1}, "priority", "greater than or equal to 0"),
    ({"to": "+15552010103", "attachments": [f"https://c.example.com/{i}.png" for i in range(11)]},
     "attachments", "no more than 10"),
    ({"to": "+15552010103", "attachments": ["https://c.example.com/a.exe"]}, "attachments.0", "extension"),
    ({"to": "+15552010103", "body": "x" * 18996}, "body", "shorter than 18996"),
    ({"to": "bogus", "body": "x"}, "to", "E.164"),
    ({"body": "x"}, "to", "required"),
    ({"to": str(uuid.uuid4()), "body": "x"}, "to", "No group"),
])
def test_invalid_bodies_are_422_with_errors_per_field(v1, body, field, fragment):
    response = post(v1, **body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert field in data["errors"], data
    assert fragment in " ".join(data["errors"][field])
    assert fragment in data["detail"]
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert_matches_schema(response, "/api/v1/messages", "POST")


def test_from_a_line_not_yours_is_400(v1, other_account):
    add_line(other_account, "+15125550199")
    response = post(v1, to="+15552010104", body="x", fromNumber="+15125550199")
    assert response.status_code == 400
    assert response.json()["errors"] == {"fromNumber": [response.json()["detail"]]}


def test_emergency_numbers_are_refused(v1):
    response = post(v1, to="911", body="x")
    assert response.status_code == 400 and "emergency" in response.json()["detail"]


def test_a_body_that_is_not_json_is_400(v1):
    response = v1.post("/api/v1/messages", "{nope", content_type="application/json")
    assert response.status_code == 400


@pytest.fixture
def history(v1, receive):
    """Three messages sent over the API, then one received."""
    sent = [post(v1, to=f"+1555201011{i}", body=f"m{i}").json()["id"] for i in range(3)]
    return sent, receive("+15552010110", "yo")


def test_list_pages_and_filters(v1, history):
    sent, inbound = history
    body = listed(v1, "/api/v1/messages", limit=2)
    assert body["total"] == 4 and body["per_page"] == 2 and body["pages"] == 2 and body["page"] == 1
    assert body["items"][0]["id"] == str(inbound.handle)
    assert body["items"][0]["direction"] == "received" and body["items"][0]["status"] == "received"
    assert v1.get("/api/v1/messages").json()["per_page"] == 20

    def ids(**params):
        return [m["id"] for m in v1.get("/api/v1/messages", params).json()["items"]]

    assert ids(direction="received") == [str(inbound.handle)]
    assert set(ids(direction="sent")) == set(sent)
    assert set(ids(participant="(555) 201-0110")) == {sent[0], str(inbound.handle)}
    assert ids(page=3, limit=2) == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"direction": "up"}, {"page": "x"}])
def test_bad_list_parameters_are_400(v1, history, params):
    response = v1.get("/api/v1/messages", params)
    assert response.status_code == 400 and response.json()["detail"]


def test_status_reports_attempts_and_times(v1, history):
    sent, _ = history
    Message.objects.filter(handle=sent[0]).update(attempts=2, last_error="carrier timeout")
    response = v1.get(f"/api/v1/messages/{sent[0]}/status")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == sent[0] and body["status"] == "queued" and body["attempts"] == 2
    assert body["lastError"] == "carrier timeout" and body["queuedAt"] and body["sentAt"] is None
    assert_matches_schema(response, "/api/v1/messages/{message_id}/status")


def test_another_accounts_message_is_404_everywhere(v1, history, other_account):
    sent, _ = history
    theirs = key_client(other_account, ["full_access"])
    for path in (f"/api/v1/messages/{sent[0]}/status", f"/api/v1/messages/{sent[0]}/attachments"):
        assert theirs.get(path).status_code == 404
    assert theirs.post(f"/api/v1/messages/{sent[0]}/retry").status_code == 404
    assert v1.get("/api/v1/messages/nothing-here/status").status_code == 404


def test_queue_stats_count_by_state(v1, history, account, other_account):
    sent, _ = history
    Message.objects.filter(handle=sent[0]).update(status=Status.ACCEPTED)
    Message.objects.filter(handle=sent[1]).update(attempts=1)  # failed once, waiting to retry
    other = add_line(other_account, "+15125550199")
    Message.objects.create(account=other_account, line=other, status=Status.ERROR)
    response = v1.get("/api/v1/messages/queue/stats")
    assert response.status_code == 200
    assert response.json() == {"pending": 1, "processing": 1, "failed": 1, "deadLetter": 0}
    assert_matches_schema(response, "/api/v1/messages/queue/stats")


def test_retry_puts_a_dead_letter_back_in_the_queue(v1, history):
    sent, _ = history
    Message.objects.filter(handle=sent[0]).update(status=Status.ERROR, attempts=5, error_code=10001)
    stats = v1.get("/api/v1/messages/queue/stats").json()
    assert stats["deadLetter"] == 1
    response = v1.post(f"/api/v1/messages/{sent[0]}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "queued"
    assert_matches_schema(response, "/api/v1/messages/{message_id}/retry")
    assert Message.objects.get(handle=sent[0]).status == Status.QUEUED
    again = v1.post(f"/api/v1/messages/{sent[0]}/retry")
    assert again.status_code == 409 and again.json()["detail"]
