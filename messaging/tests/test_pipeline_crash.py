"""The pipeline under stress on real workers: a worker killed with SIGKILL mid-drain, and a
line's rate limit as the network sees it. Each test runs its own workers."""
from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import services, tasks
from messaging.choices import Status
from messaging.models import Message, MessageEvent, SandboxSend
from messaging.queue import dispatch
from outreach.testing import Worker, key_client, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
#: Later than any lease: every claim counts as its dead worker's.
LEASE_GONE = timedelta(hours=1)


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
        # Freeze it (SIGSTOP) at a moment it holds a claim, then kill it there.
        wait_for(lambda: frozen_holding_a_claim(doomed), 30, interval=0.01)
    finally:
        doomed.kill()
    # Its sessions end with it: what they had not committed is rolled back, and the rows
    # they held are free for the reconciler (which skips locked rows).
    wait_for(lambda: not sessions_of(doomed), 60, message=f"the killed worker's sessions linger: {sessions_of(doomed)}")
    stuck = Message.objects.filter(status=Status.ACCEPTED).count()
    assert stuck > 0
    assert Message.objects.filter(status=Status.QUEUED).exists()

    # The reconciler finds the dead worker's claims (the timeout is long past: no worker
    # is alive) and a new worker drains the rest.
    assert dispatch.reconcile(expired_before=timezone.now() + LEASE_GONE).requeued == stuck
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


def frozen_holding_a_claim(worker: Worker) -> bool:
    """Stop the worker, let the statements it already sent finish (a COMMIT in flight
    still lands), then look: what is ACCEPTED now stays ACCEPTED, since a stopped worker
    commits nothing more and its open transactions die with it."""
    os.killpg(worker.proc.pid, signal.SIGSTOP)
    wait_for(lambda: running_statements() == 0, 30, interval=0.01, message="a statement never finished")
    if Message.objects.filter(status=Status.ACCEPTED).exists():
        return True
    os.killpg(worker.proc.pid, signal.SIGCONT)
    return False


def running_statements() -> int:
    """Statements of other sessions that can still finish. One waiting on a lock held only
    by stopped sessions (idle in transaction) never will, nor one writing its answer to a
    stopped client: those count as finished, their work dies with the kill."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity a WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state = 'active' "
            "AND wait_event IS DISTINCT FROM 'ClientWrite' "
            "AND NOT (wait_event_type = 'Lock' AND NOT EXISTS ("
            "  SELECT 1 FROM pg_stat_activity b WHERE b.pid = ANY(pg_blocking_pids(a.pid)) "
            "  AND b.state <> 'idle in transaction'))"
        )
        return cursor.fetchone()[0]


def sessions_of(worker: Worker) -> list[tuple]:
    """The worker's sessions on the test database (named after it: see ``Worker.start``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s",
            [f"test-worker-{worker.name}"],
        )
        return cursor.fetchall()


def test_a_worker_killed_mid_claim_costs_its_line_seconds_not_minutes(account, line):
    """Leases of 1 s (the old claim timeout was 330 s): the line, single sends included,
    is free again once the dead worker's lease runs out, and its claims go back to the queue
    at the next reconcile. The rescuer's network is slower than a lease, so its claims live
    only by renewal: one taken from it would be sent twice."""
    line.burst_per_second = 1  # one claim in flight blocks the line
    line.save()
    queued = queue_many(account, 3, first=7010)
    # A network that hangs: the worker dies while its claim is ACCEPTED, nothing sent yet.
    hung = Worker(concurrency=1, name="hung", SANDBOX_SEND_SECONDS="600", DISPATCH_CLAIM_LEASE_SECONDS="1").start()
    try:
        tasks.dispatch.delay()
        wait_for(lambda: Message.objects.filter(status=Status.ACCEPTED).exists(), 30)
    finally:
        hung.kill()
    assert not SandboxSend.objects.exists()

    single = key_client(account).post("/api/send-message", {"number": "+12145557020", "content": "now"}, format="json")
    assert single.status_code == 200, single.content
    fresh = Message.objects.get(handle=single.json()["message_handle"])
    with running_worker(concurrency=2, name="rescuer", SANDBOX_SEND_SECONDS="3", DISPATCH_CLAIM_LEASE_SECONDS="1"):
        # No reconcile yet: the expired lease alone frees the line for the single send.
        wait_for(lambda: Message.objects.filter(pk=fresh.pk, sent_at__isnull=False).exists(), 30)

        def all_sent() -> bool:
            tasks.reconcile.delay()  # what beat runs, only far more often than every 10 s
            return Message.objects.filter(pk__in=[m.pk for m in queued], sent_at__isnull=False).count() == 3

        wait_for(all_sent, 60, interval=0.5)
    ledger = list(SandboxSend.objects.values_list("handle", "duplicate"))
    assert sorted(str(h) for h, _ in ledger) == sorted(str(m.handle) for m in [*queued, fresh])
    assert not any(duplicate for _, duplicate in ledger), "a live worker's claim was taken from it"


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
