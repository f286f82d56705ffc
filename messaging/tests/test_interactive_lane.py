"""The interactive lane: single sends have a queue and a worker of their own, and that
worker never takes campaign or bulk work (queued at negative priorities)."""
from __future__ import annotations

import pytest
from django.conf import settings

from messaging import dispatch
from messaging.choices import Status
from messaging.models import Message
from messaging.services import add_line, send
from outreach.testing import running_worker, wait_for


def _backlog(account, n: int = 5) -> list[int]:
    ids = [send(account, to=f"+1512555{2000 + i}", content="bulk").pk for i in range(n)]
    Message.objects.filter(pk__in=ids).update(priority=-50)
    return ids


@pytest.mark.django_db
def test_a_lane_claim_takes_only_single_sends(account):
    add_line(account, "+15125550100")
    backlog = _backlog(account)
    single = send(account, to="+15125559900", content="hi")
    chunk = dispatch.claim(20, min_priority=0)
    assert [m.pk for m in chunk.claimed] == [single.pk]
    assert set(Message.objects.filter(pk__in=backlog).values_list("status", flat=True)) == {Status.QUEUED}


@pytest.mark.django_db(transaction=True)
def test_a_lane_worker_sends_an_api_message_while_bulk_work_waits(account, api):
    add_line(account, "+15125550100")
    backlog = _backlog(account)
    with running_worker(name="lane", concurrency=1, queues=[settings.CELERY_INTERACTIVE_QUEUE]):
        response = api.post("/api/v1/messages", {"to": "+15125559900", "body": "hi"}, format="json")
        assert response.status_code == 201, response.content
        handle = response.json()["id"].removeprefix("msg_")
        wait_for(lambda: Message.objects.get(handle=handle).sent_at, message="the lane never sent it")
    assert set(Message.objects.filter(pk__in=backlog).values_list("status", flat=True)) == {Status.QUEUED}
