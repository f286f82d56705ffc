"""The pipeline under stress on real workers: a worker killed with SIGKILL mid-drain, and a
line's rate limit as the network sees it. Each test runs its own workers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from messaging import dispatch, services, tasks
from messaging.choices import Status
from messaging.models import Message, MessageEvent, SandboxSend
from outreach.testing import Worker, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def line(account):
    line = services.add_line(account, "+15125550100")
    line.burst_per_second = line.new_contacts_per_hour = line.new_contacts_per_day = 1000
    line.save()
    return line


def queue_many(account, count: int, first: int = 4010) -> list[Message]:
    # Numbers ending 10+ (not a special sandbox outcome): sent, delivered, read.
    return [services.send(account, to=f"+1214555{n:04d}", content=f"#{n}") for n in range(first, first + count)]


def test_a_worker_killed_mid_drain_loses_nothing_and_sends_nothing_twice(account, line):
    messages = queue_many(account, 40)
    # A network with latency (50 ms a send) and small chunks, so the kill lands mid-chunk.
    doomed = Worker(concurrency=2, name="doomed", SANDBOX_SEND_SECONDS="0.05", DISPATCH_BATCH_SIZE="5").start()
    try:
        wait_for(lambda: SandboxSend.objects.count() >= 12, 30)
    finally:
        doomed.kill()
    stuck = Message.objects.filter(status=Status.ACCEPTED).count()
    assert stuck > 0, "the worker died between chunks; nothing to recover"
    assert Message.objects.filter(status=Status.QUEUED).exists()

    # The reconciler finds the dead worker's claims (the timeout is long past: no worker
    # is alive) and a new worker drains the rest.
    assert dispatch.reconcile(stale_after=timedelta(0)).requeued == stuck
    with running_worker(concurrency=2, name="rescuer", DISPATCH_BATCH_SIZE="5"):
        tasks.dispatch.delay()
        wait_for(lambda: Message.objects.filter(status=Status.READ).count() == 40, 60)

    delivered = SandboxSend.objects.filter(outcome="sent", duplicate=False)
    assert sorted(str(h) for h in delivered.values_list("handle", flat=True)) == sorted(
        str(m.handle) for m in messages
    ), "every message reached the network exactly once"
    for message in Message.objects.filter(pk__in=[m.pk for m in messages]):
        events = list(MessageEvent.objects.filter(message=message).values_list("status", flat=True))
        assert events.count("SENT") == 1 and events[-1] == "READ", (message.to_number, events)


def test_a_lines_rate_limit_holds_in_every_ten_second_window(account, line):
    line.burst_per_second = 3
    line.save()
    queue_many(account, 40, first=5010)
    with running_worker(concurrency=2, name="rate", DISPATCH_BATCH_SIZE="10"):
        wait_for(lambda: Message.objects.filter(status=Status.READ).count() == 40, 60)
    times = sorted(SandboxSend.objects.filter(outcome="sent").values_list("created_at", flat=True))
    assert len(times) == 40
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + timedelta(seconds=10)) <= 30
        # Stronger: the one-second window itself holds, as the network saw the sends.
        assert sum(1 for t in times[i:] if t < start + timedelta(seconds=1)) <= 3


def test_a_flushed_broker_loses_nothing_the_reconciler_wakes_the_queue(account, line):
    from outreach.celery import app

    messages = queue_many(account, 5, first=6010)
    with app.connection_for_write() as conn:
        purged = app.control.purge(connection=conn)  # the wake-ups are gone, as after a flush
    assert purged >= 1
    with running_worker(concurrency=1, name="after-flush"):
        tasks.reconcile.delay()  # what beat runs every DISPATCH_RECONCILE_SECONDS
        wait_for(lambda: Message.objects.filter(status=Status.READ).count() == 5, 30)
    assert SandboxSend.objects.filter(handle__in=[m.handle for m in messages]).count() == 5
