"""The dispatcher in-process: claim order, limits, retries, dead letters, stale claims and
the sandbox network's idempotency. (test_pipeline_worker.py runs it on real workers.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services
from messaging.choices import ErrorCode, ErrorKey, Status
from messaging.models import LineUsage, Message, MessageEvent, SandboxSend
from messaging.queue import dispatch, lease, limits
from outreach.exceptions import Conflict, NotFound
from webhooks.models import Event

pytestmark = pytest.mark.django_db
#: Later than any lease: every claim counts as its dead worker's.
LEASE_GONE = timedelta(hours=1)


def queue(account, to, **kwargs):
    return services.send(account, to=to, content="hi", **kwargs)


def drain(max_chunks: int = 20, batch_size: int | None = None):
    for _ in range(max_chunks):
        if not dispatch.run_chunk(batch_size).claimed:
            return
    raise AssertionError("the queue did not drain")


def statuses(message):
    return list(MessageEvent.objects.filter(message=message).values_list("status", flat=True))


def test_it_claims_higher_priority_first_then_oldest(account, line):
    low = queue(account, "+12125550110", priority=0)
    high = queue(account, "+12125550111", priority=50)
    low2 = queue(account, "+12125550112", priority=0)
    chunk = dispatch.claim(batch_size=2)
    assert [m.pk for m in chunk.claimed] == [high.pk, low.pk]
    assert chunk.full
    low2.refresh_from_db()
    assert low2.status == Status.QUEUED


def test_a_default_number_is_sent_delivered_and_read_with_every_step_recorded(account, line):
    message = queue(account, "+12125550188")
    drain()
    message.refresh_from_db()
    assert message.status == Status.READ
    assert message.service == "iMessage" and message.was_downgraded is False
    assert message.sent_at and message.delivered_at and message.read_at and message.attempts == 1
    assert statuses(message) == ["QUEUED", "ACCEPTED", "SENT", "DELIVERED", "READ"]
    bodies = [e.payload for e in Event.objects.filter(type="message.status_updated").order_by("id")]
    assert [b["status"] for b in bodies] == ["QUEUED", "ACCEPTED", "SENT", "DELIVERED", "READ"]
    assert all(b["message_handle"] == str(message.handle) for b in bodies)


@pytest.mark.parametrize(
    "number, final, service, downgraded",
    [
        ("+12125550101", Status.SENT, "SMS", True),
        ("+12125550104", Status.DELIVERED, "iMessage", False),
        ("+12125550107", Status.SENT, "iMessage", False),
    ],
)
def test_sandbox_outcomes_in_process(account, line, number, final, service, downgraded):
    message = queue(account, number)
    drain()
    message.refresh_from_db()
    assert (message.status, message.service, message.was_downgraded) == (final, service, downgraded)


def test_a_transient_failure_retries_with_backoff_then_succeeds(account, line, settings):
    settings.MESSAGE_RETRY_BASE_SECONDS = 30
    message = queue(account, "+12125550103")
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1
    assert "timed out" in message.last_error
    wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)
    assert not dispatch.run_chunk().claimed  # not due yet
    for expected_wait in (60, 0):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        dispatch.run_chunk()
        message.refresh_from_db()
        if expected_wait:
            assert message.status == Status.QUEUED and message.attempts == 2
            assert message.next_attempt_at - timezone.now() > timedelta(seconds=55)
    assert message.status == Status.READ and message.attempts == 3 and message.last_error == ""
    assert list(SandboxSend.objects.filter(handle=message.handle).values_list("outcome", flat=True)) == [
        "failed", "failed", "sent"
    ]


def test_attempts_run_out_into_a_dead_letter(account, line, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    settings.MESSAGE_RETRY_BASE_SECONDS = 0
    message = queue(account, "+12125550103")
    drain()
    message.refresh_from_db()
    assert message.status == Status.ERROR and message.attempts == 2
    assert message.error_code == ErrorCode.SEND_FAILED and message.error_key == ErrorKey.SEND_FAILED
    assert "timed out" in message.error_message


def test_a_permanent_failure_is_a_dead_letter_at_once(account, line):
    message = queue(account, "+12125550102")
    drain()
    message.refresh_from_db()
    assert message.status == Status.ERROR and message.attempts == 1
    assert message.error_code == 10001


def test_a_dead_letter_can_be_retried_or_discarded_by_its_account_only(account, other_account, line):
    message = queue(account, "+12125550102")
    drain()
    with pytest.raises(NotFound):
        services.retry_dead_letter(other_account, message)
    message = services.retry_dead_letter(account, message)
    assert message.status == Status.QUEUED and message.attempts == 0 and message.error_code is None
    with pytest.raises(Conflict):
        services.retry_dead_letter(account, message)
    drain()
    message.refresh_from_db()
    assert message.status == Status.ERROR and message.attempts == 1
    with pytest.raises(NotFound):
        services.discard_dead_letter(other_account, message)
    message = services.discard_dead_letter(account, message)
    assert message.discarded_at is not None
    with pytest.raises(Conflict):
        services.retry_dead_letter(account, message)


def test_a_stale_claim_is_requeued_and_the_resend_meets_the_networks_idempotency(account, line):
    message = queue(account, "+12125550188")
    chunk = dispatch.claim()
    dispatch.send(chunk.claimed)  # the network took it, then the worker "died"
    assert dispatch.reconcile().requeued == 0  # a fresh claim is left alone
    result = dispatch.reconcile(expired_before=timezone.now() + LEASE_GONE)
    assert result.requeued == 1 and result.due
    drain()
    message.refresh_from_db()
    assert message.status == Status.READ and message.attempts == 2
    ledger = list(SandboxSend.objects.filter(handle=message.handle).values_list("outcome", "duplicate"))
    assert ledger == [("sent", False), ("sent", True)]
    assert statuses(message).count("SENT") == 1


def test_a_result_for_a_claim_that_expired_is_not_recorded(account, line):
    message = queue(account, "+12125550188")
    chunk = dispatch.claim()
    outcomes = dispatch.send(chunk.claimed)
    dispatch.reconcile(expired_before=timezone.now() + LEASE_GONE)
    dispatch.record(chunk, outcomes)
    message.refresh_from_db()
    assert message.status == Status.QUEUED


def test_a_claim_that_used_its_last_attempt_becomes_unresolved(account, line, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 1
    message = queue(account, "+12125550188")
    dispatch.claim()
    assert dispatch.reconcile(expired_before=timezone.now() + LEASE_GONE).dead == 1
    message.refresh_from_db()
    assert message.status == Status.ERROR and message.error_code == ErrorCode.STATUS_UNRESOLVED


def test_a_claim_whose_lease_ran_out_is_not_in_flight_and_is_requeued(account, line, settings):
    settings.DISPATCH_CLAIM_LEASE_SECONDS = 5
    line.burst_per_second = 1
    line.save()
    first = queue(account, "+12125550188")
    chunk = dispatch.claim()  # its worker dies here: nobody renews the lease
    assert [m.pk for m in chunk.claimed] == [first.pk]
    second = queue(account, "+12125550189")  # a fresh single send on the same line
    claimed_at = chunk.claimed[0].claimed_at
    lines = {line.pk: line}

    alive, gone = claimed_at + timedelta(seconds=4), claimed_at + timedelta(seconds=6)
    assert limits.line_windows([line.pk], alive)[line.pk].inflight == 1
    assert limits.admit([second], lines, alive)[0] == []  # the burst of 1 is taken
    assert limits.line_windows([line.pk], gone)[line.pk].inflight == 0
    assert [m.pk for m, _ in limits.admit([second], lines, gone)[0]] == [second.pk]

    assert dispatch.reconcile(expired_before=alive).requeued == 0
    assert dispatch.reconcile(expired_before=gone).requeued == 1
    first.refresh_from_db()
    assert first.status == Status.QUEUED


def test_a_live_worker_renews_only_its_own_claims_lease(account, line, settings):
    settings.DISPATCH_CLAIM_LEASE_SECONDS = 5
    message = queue(account, "+12125550188")
    claimed = dispatch.claim().claimed[0]
    later = claimed.claimed_at + timedelta(seconds=30)
    assert lease.renew([message.pk], claimed.claimed_at, later) == 1
    message.refresh_from_db()
    assert message.lease_until == later + timedelta(seconds=5)
    assert dispatch.reconcile(expired_before=later).requeued == 0  # renewed: still held
    # Another claim's renewal (a worker whose claim expired and was taken over) is a no-op.
    assert lease.renew([message.pk], claimed.claimed_at - timedelta(seconds=1), later) == 0


def test_the_burst_limit_holds_the_rest_back_without_failing_them(account, line):
    line.burst_per_second = 3
    line.save()
    # Contacts with recent activity, so only the burst limit applies.
    messages = [queue(account, f"+1212555{n:04d}") for n in range(2000, 2005)]
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(status=Status.QUEUED)
    chunk = dispatch.claim()
    assert len(chunk.claimed) == 3
    held = Message.objects.filter(status=Status.QUEUED)
    assert held.count() == 2
    # Held past the claim (compared with the claim's own clock: the machine may be slow).
    assert all(m.next_attempt_at > chunk.claimed[0].claimed_at for m in held)
    assert chunk.wake_at is not None
    # While three are in flight, nothing more goes.
    Message.objects.filter(status=Status.QUEUED).update(next_attempt_at=timezone.now())
    assert dispatch.claim().claimed == []


def test_new_contacts_per_hour_hold_only_new_conversations(account, line):
    line.new_contacts_per_hour = 2
    line.save()
    # One contact we talked to last week: not new.
    known = queue(account, "+12125553000")
    drain()
    week_ago = timezone.now() - timedelta(days=7)
    Message.objects.filter(pk=known.pk).update(sent_at=week_ago, claimed_at=week_ago)
    LineUsage.objects.update(minute=week_ago.replace(second=0, microsecond=0))
    new = [queue(account, f"+1212555{n:04d}") for n in range(3011, 3014)]
    again = queue(account, "+12125553000")
    drain()
    states = {m.pk: m.status for m in Message.objects.filter(pk__in=[m.pk for m in [*new, again]])}
    assert states[again.pk] == Status.READ
    assert [states[m.pk] for m in new] == [Status.READ, Status.READ, Status.QUEUED]
    held = Message.objects.get(pk=new[2].pk)
    assert held.next_attempt_at > timezone.now() + timedelta(minutes=59)
    assert Message.objects.filter(new_contact=True).count() == 3  # known's first send, and two
    assert sum(LineUsage.objects.values_list("new_contacts", flat=True)) == 3
    assert not Message.objects.get(pk=again.pk).new_contact


def test_a_second_message_to_a_held_new_contact_waits_too(account, line):
    line.new_contacts_per_hour = 0
    line.save()
    first = queue(account, "+12125554001")
    second = queue(account, "+12125554001")
    assert dispatch.claim().claimed == []
    assert Message.objects.filter(pk__in=[first.pk, second.pk], status=Status.QUEUED).count() == 2


def test_a_message_is_sticky_to_the_line_its_contact_talks_to(account, line):
    other = services.add_line(account, "+15125550199")
    first = queue(account, "+12125555001")
    services.simulate_inbound(account, other, "+12125555002", "hello")
    second = queue(account, "+12125555001")
    reply = queue(account, "+12125555002")
    assert second.line_id == first.line_id
    assert reply.line_id == other.pk
    drain()
    sends = dict(SandboxSend.objects.values_list("to_number", "line__number"))
    assert sends == {"+12125555001": first.line.number, "+12125555002": other.number}


def test_the_default_send_many_sorts_answers_and_stops_when_time_runs_out(account, line):
    from celery.exceptions import SoftTimeLimitExceeded

    from messaging.providers.base import BaseProvider, PermanentProviderError, SendResult

    class Scripted(BaseProvider):
        script = [SendResult(), PermanentProviderError("no"), ConnectionError("reset"), SoftTimeLimitExceeded()]

        def send(self, message):
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

    messages = [queue(account, f"+1212555{n:04d}") for n in range(7001, 7006)]
    results = Scripted(line).send_many(messages)
    kinds = [type(results[m.pk]).__name__ for m in messages]
    assert kinds == ["SendResult", "PermanentProviderError", "TransientProviderError",
                     "TransientProviderError", "TransientProviderError"]
    assert "ConnectionError: reset" in str(results[messages[2].pk])
    assert "ran out of time" in str(results[messages[4].pk])
