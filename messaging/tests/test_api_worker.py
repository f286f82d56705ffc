"""Both dialects end to end: sent over HTTP, carried by a real Celery worker through the
sandbox, and read back over HTTP in each dialect's words."""
from __future__ import annotations

import pytest

from messaging.choices import Status
from messaging.models import Message
from messaging.services import add_line
from outreach.testing import assert_matches_schema, key_client, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LINE = "+15125550100"


def status_of(handle) -> str:
    return Message.objects.get(handle=handle).status


def test_a_v1_send_a_dead_letter_and_a_group_send_through_the_worker(account):
    add_line(account, LINE)
    v1 = key_client(account, ["messages"], form="x-api-key")
    sb = key_client(account, ["messages"], form="sendblue")
    with running_worker(name="api", MESSAGE_RETRY_BASE_SECONDS="0.2"):
        ok = v1.post("/api/v1/messages", {"to": "+12125550188", "body": "hi", "priority": 50},
                     format="json").json()["id"]
        doomed = v1.post("/api/v1/messages", {"to": "+12125550102", "body": "no"}, format="json").json()["id"]
        group = sb.post("/api/send-group-message", {
            "numbers": ["+12125550111", "+12125550112"], "content": "hi both", "from_number": LINE,
        }, format="json").json()["message_handle"]

        wait_for(lambda: status_of(ok) == Status.READ, 30, message="the v1 send was not read")
        status = v1.get(f"/api/v1/messages/{ok}/status")
        assert_matches_schema(status, "/api/v1/messages/{message_id}/status")
        body = status.json()
        assert body["status"] == "read" and body["attempts"] == 1
        assert body["queuedAt"] <= body["sentAt"] <= body["deliveredAt"] <= body["readAt"]
        assert sb.get("/api/status", {"handle": ok}).json()["status"] == "READ"

        wait_for(lambda: status_of(doomed) == Status.ERROR, 30, message="the permanent failure did not dead-letter")
        failed = v1.get(f"/api/v1/messages/{doomed}/status").json()
        assert failed["status"] == "failed" and failed["errorCode"] == 10001 and failed["lastError"]
        assert v1.get("/api/v1/messages/queue/stats").json()["deadLetter"] == 1
        assert sb.get("/api/status", {"handle": doomed}).json()["error_code"] == 10001
        assert v1.post(f"/api/v1/messages/{doomed}/retry").json()["status"] == "queued"
        wait_for(lambda: Message.objects.get(handle=doomed).attempts == 1
                 and status_of(doomed) == Status.ERROR, 30, message="the retried dead letter did not run again")

        wait_for(lambda: status_of(group) not in (Status.QUEUED, Status.ACCEPTED), 30,
                 message="the group message was never sent")
        assert status_of(group) in (Status.SENT, Status.DELIVERED, Status.READ), status_of(group)
