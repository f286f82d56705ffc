"""End to end with a real Celery worker: a send through the sandbox, the customer's reply
reopening the closed conversation for the same agent, and the snooze sweep as a task."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import tasks
from inbox.choices import State
from inbox.models import Work
from messaging.choices import Status
from messaging.models import Message
from messaging.services import add_line
from outreach.testing import key_client, running_worker, wait_for
from webhooks.models import Event

from .helpers import person

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
CUSTOMER = "+12125550188"


def test_a_reply_reopens_a_closed_conversation_for_its_agent(account):
    add_line(account, "+15125550100")
    ann = person(account, "ann", available=True)
    api = key_client(account, ["messages"])
    with running_worker(name="inbox"):
        sent = api.post("/api/send-message", {"number": CUSTOMER, "content": "Your order shipped"}, format="json")
        assert sent.status_code in (200, 202), sent.content
        handle = sent.json()["message_handle"]
        wait_for(lambda: Message.objects.get(handle=handle).status == Status.READ, 30, message="the send was not read")
        conv = Message.objects.get(handle=handle).conversation_id
        response = api.patch(f"/api/v1/conversations/{conv}", {"assignee": ann.pk, "state": "closed"}, format="json")
        assert response.status_code == 200 and response.json()["state"] == "closed"

        reply = api.post("/api/v1/sandbox/inbound", {"from": CUSTOMER, "body": "Thanks! One question"}, format="json")
        assert reply.status_code == 201, reply.content
        body = api.get(f"/api/v1/conversations/{conv}").json()
        assert (body["state"], body["assignee"]["username"]) == ("open", "ann")
        reopened = Event.objects.get(type="conversation.reopened").payload
        assert (reopened["conversation_id"], reopened["previous_state"]) == (conv, "closed")

        response = api.patch(f"/api/v1/conversations/{conv}",
                             {"snooze_until": (timezone.now() + timedelta(seconds=1)).isoformat()}, format="json")
        assert response.json()["state"] == "snoozed"
        time.sleep(1.2)
        tasks.wake_snoozed.delay()
        wait_for(lambda: Work.objects.get(pk=conv).state == State.OPEN, 30, message="the sweep did not wake it")
        assert Work.objects.get(pk=conv).assignee == ann
