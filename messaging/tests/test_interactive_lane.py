"""The interactive lane: single sends have a queue and a worker of their own, and that
worker never takes campaign or bulk work (queued at negative priorities)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from messaging import tasks
from messaging.choices import Status
from messaging.models import Message
from messaging.queue import dispatch, foreground
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
    chunk = dispatch.claim(20, interactive=True)
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


# --- bulk holds back while a single send waits (messaging/queue/foreground.py) ------------------

def _flag_up() -> bool:
    return bool(cache.get(foreground.FLAG))


@pytest.fixture
def flag(settings):
    # The flag's lifetime is a safety net against a lost lowering; tests lower it themselves,
    # so a slow machine must not see it expire between two statements.
    settings.DISPATCH_FOREGROUND_FLAG_SECONDS = settings.DISPATCH_FOREGROUND_RECENT_SECONDS = 3600
    cache.delete(foreground.FLAG)
    yield
    cache.delete(foreground.FLAG)


@pytest.mark.django_db
def test_a_single_send_raises_the_flag_and_the_lane_lowers_it_once_sent(
    account, api, flag, django_capture_on_commit_callbacks
):
    add_line(account, "+15125550100")
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post("/api/v1/messages", {"to": "+15125559900", "body": "hi"}, format="json")
    assert response.status_code == 201, response.content
    assert _flag_up()
    assert tasks.dispatch_interactive() == 1
    assert not _flag_up()


@pytest.mark.django_db
def test_the_lane_keeps_the_flag_up_while_another_single_send_is_due(account, flag):
    add_line(account, "+15125550100")
    send(account, to="+15125559900", content="one")
    send(account, to="+15125559901", content="two")
    foreground.raise_flag()
    dispatch.run_chunk(1, interactive=True)  # one of the two
    foreground.lower_flag_if_idle()
    assert _flag_up()
    dispatch.run_chunk(1, interactive=True)
    foreground.lower_flag_if_idle()
    assert not _flag_up()


class FakeClock:
    """The hold-back's time: ``sleep`` advances it, and runs what was due by then (another
    process lowering the flag), so a test reads waits off the clock, not the machine."""

    def __init__(self):
        self.now = 0.0
        self.due: list[tuple[float, object]] = []

    def at(self, when: float, action) -> None:
        self.due.append((when, action))

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        for when, action in [d for d in self.due if d[0] <= self.now]:
            self.due.remove((when, action))
            action()


def test_a_bulk_chunk_waits_while_the_flag_is_up_and_goes_on_once_it_is_lowered(flag):
    clock = FakeClock()
    foreground.raise_flag()
    clock.at(0.15, lambda: cache.delete(foreground.FLAG))  # the lane sent the single send
    hold = foreground.HoldBack(budget=2.0, clock=clock, sleep=clock.sleep)
    hold()
    # It waited until the flag went down, one poll at most after.
    assert 0.15 <= hold.waited < 0.15 + 2 * foreground.POLL_SECONDS
    assert hold.left == pytest.approx(2.0 - hold.waited)


def test_a_bulk_chunk_holds_back_for_its_budget_at_most(flag):
    clock = FakeClock()
    foreground.raise_flag()
    hold = foreground.HoldBack(budget=0.2, clock=clock, sleep=clock.sleep)
    for _ in range(3):  # before claim, send and record: the budget is the chunk's, not each step's
        hold()
    assert 0.2 <= hold.waited < 0.2 + 2 * foreground.POLL_SECONDS
    assert clock.now == pytest.approx(hold.waited)  # the later steps did not wait at all
    assert _flag_up()  # nobody lowered it: the drain went on all the same


def test_without_a_flag_a_bulk_chunk_does_not_wait(flag):
    clock = FakeClock()
    hold = foreground.HoldBack(budget=1.0, clock=clock, sleep=clock.sleep)
    hold()
    assert hold.waited == 0 and clock.now == 0


@pytest.mark.django_db
def test_a_bulk_chunk_that_sends_single_sends_itself_lowers_the_flag(account, flag):
    """No lane worker running: the general dispatcher sends them, and bulk work that
    follows does not keep holding back for a send that has gone."""
    add_line(account, "+15125550100")
    send(account, to="+15125559900", content="hi")
    foreground.raise_flag()
    assert tasks.dispatch() == 1
    assert not _flag_up()


def test_bulk_chunks_are_small_while_single_sends_are_around(flag, settings):
    settings.DISPATCH_BATCH_SIZE, settings.DISPATCH_YIELDING_BATCH_SIZE = 500, 50
    cache.delete(foreground.RECENT)
    assert foreground.bulk_batch_size() == 500
    foreground.raise_flag()
    cache.delete(foreground.FLAG)  # the lane sent it; "recent" stays for a few seconds
    assert foreground.bulk_batch_size() == 50
    cache.delete(foreground.RECENT)
    assert foreground.bulk_batch_size() == 500


@pytest.mark.django_db
def test_a_send_request_raises_the_flag_once_authenticated_before_its_body_is_read(account, api, flag):
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/messages", {"to": "+15125559900", "body": "hi"}, format="json")
    assert response.status_code == 401
    assert not _flag_up()  # no key: nothing held back
    assert api.get("/api/v1/messages").status_code == 200
    assert not _flag_up()  # reading is not sending
    response = api.post("/api/v1/messages", {"to": "+15125559900"}, format="json")
    assert response.status_code in (400, 422)
    assert _flag_up()  # raised before the body was validated
