"""The pipeline end to end on real Celery worker processes and PostgreSQL: every sandbox
outcome, limits holding messages back, sticky lines, dead letters, two workers on one
queue. One worker is shared by the module (starting one costs seconds)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from messaging import services
from messaging.choices import ErrorCode, Status
from messaging.models import Conversation, Message, MessageEvent, SandboxSend
from outreach.testing import assert_matches_schema, key_client, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_ENV = {"MESSAGE_RETRY_BASE_SECONDS": "0.2", "DISPATCH_BATCH_SIZE": "5"}


@pytest.fixture(scope="module")
def pipeline_worker(django_db_setup, django_db_blocker):
    with running_worker(concurrency=2, name="pipeline", **WORKER_ENV) as worker:
        yield worker


def final_states(messages) -> dict[str, str]:
    return dict(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("to_number", "status"))


EXPECTED = {
    "+12125550101": Status.SENT,       # SMS only
    "+12125550102": Status.ERROR,      # permanent failure
    "+12125550103": Status.READ,       # fails twice, then succeeds
    "+12125550104": Status.DELIVERED,  # never read
    "+12125550105": Status.DELIVERED,  # replies STOP
    "+12125550106": Status.DELIVERED,  # replies Thanks!
    "+12125550107": Status.SENT,       # no delivery receipt
    "+12125550188": Status.READ,       # anything else
}


def send_over_http(client, line, to: str) -> Message:
    response = client.post(
        "/api/send-message", {"number": to, "from_number": line.number, "content": f"hello {to}"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/send-message")
    return Message.objects.get(handle=response.json()["message_handle"])


def test_every_sandbox_outcome_end_to_end(pipeline_worker, account, line):
    client = key_client(account, ["messages"], form="sendblue")
    messages = {to: send_over_http(client, line, to) for to in EXPECTED}
    wait_for(lambda: final_states(messages.values()) == EXPECTED, 30)
    # What the API reports at the end is the final state, in the Sendblue body.
    for to, message in messages.items():
        response = client.get("/api/status", {"handle": str(message.handle)})
        assert_matches_schema(response, "/api/status")
        assert response.json()["status"] == EXPECTED[to]
    wait_for(lambda: Message.objects.filter(status=Status.RECEIVED).count() == 2, 10)
    got = {m.to_number: m for m in Message.objects.filter(is_outbound=True)}

    sms = got["+12125550101"]
    assert (sms.service, sms.was_downgraded) == ("SMS", True)
    failed = got["+12125550102"]
    assert (failed.error_code, failed.attempts) == (ErrorCode.SEND_FAILED, 1)
    flaky = got["+12125550103"]
    assert flaky.attempts == 3 and flaky.read_at is not None
    assert got["+12125550104"].read_at is None and got["+12125550104"].delivered_at is not None
    assert got["+12125550107"].delivered_at is None and got["+12125550107"].service == "iMessage"
    assert list(MessageEvent.objects.filter(message=got["+12125550188"]).values_list("status", flat=True)) == [
        "QUEUED", "ACCEPTED", "SENT", "DELIVERED", "READ"
    ]

    replies = dict(Message.objects.filter(status=Status.RECEIVED).values_list("from_number", "content"))
    assert replies == {"+12125550105": "STOP", "+12125550106": "Thanks!"}
    assert Contact.objects.get(e164_number="+12125550105").opted_out
    assert not Contact.objects.get(e164_number="+12125550106").opted_out
    # The STOP sticks: the next message to that number is declined, never queued.
    again = services.send(account, to="+12125550105", content="one more")
    assert again.status == Status.DECLINED and again.error_key == "OPTED_OUT"
    # Every handle reached the network once; 03's two failures are on the ledger too.
    sent = list(SandboxSend.objects.filter(outcome="sent").values_list("handle", flat=True))
    assert sorted(map(str, sent)) == sorted(str(m.handle) for to, m in messages.items() if to != "+12125550102")
    assert SandboxSend.objects.filter(to_number="+12125550103", outcome="failed").count() == 2
    assert not SandboxSend.objects.filter(duplicate=True).exists()


def test_new_contact_limits_hold_messages_back_without_failing_them(pipeline_worker, account, line):
    line.new_contacts_per_hour = 3
    line.save()
    messages = [services.send(account, to=f"+1212555{n:04d}", content="hi") for n in range(2010, 2015)]
    held = Message.objects.filter(
        pk__in=[m.pk for m in messages], status=Status.QUEUED,
        next_attempt_at__gt=timezone.now() + timedelta(minutes=59),
    )
    # Every wake-up has run once the two are pushed an hour out and three were read.
    wait_for(lambda: held.count() == 2 and Message.objects.filter(status=Status.READ).count() == 3, 20)
    assert not Message.objects.filter(status=Status.ERROR).exists()
    # A contact already talked to is not new: it goes at once, past the held ones.
    known = services.send(account, to=messages[0].to_number, content="and again")
    wait_for(lambda: Message.objects.get(pk=known.pk).status == Status.READ, 20)
    assert held.count() == 2


def test_a_contact_stays_on_its_line(pipeline_worker, account, line):
    second = services.add_line(account, "+15125550199")
    services.simulate_inbound(account, second, "+12125556011", "hi, it's me")
    to_second = [services.send(account, to="+12125556011", content=f"#{i}") for i in range(3)]
    to_first = services.send(account, to="+12125556012", content="hello")
    assert [m.line_id for m in to_second] == [second.pk] * 3
    # A new contact goes to the least-loaded line (the first has no conversation yet).
    assert to_first.line_id == line.pk, list(Conversation.objects.values_list("line__number", "address"))
    everything = [*to_second, to_first]
    wait_for(lambda: Message.objects.filter(pk__in=[m.pk for m in everything], status=Status.READ).count() == 4, 20)
    lines = dict(SandboxSend.objects.values_list("to_number", "line__number").distinct())
    assert lines == {"+12125556011": second.number, "+12125556012": line.number}
    assert SandboxSend.objects.filter(to_number="+12125556011").count() == 3


def test_a_dead_letter_retried_goes_through_the_worker_again(pipeline_worker, account, line):
    message = services.send(account, to="+12125550102", content="doomed")
    wait_for(lambda: Message.objects.get(pk=message.pk).status == Status.ERROR, 20)
    services.retry_dead_letter(account, message)
    wait_for(lambda: SandboxSend.objects.filter(handle=message.handle).count() == 2, 20)
    wait_for(lambda: Message.objects.get(pk=message.pk).status == Status.ERROR, 20)
    statuses = list(MessageEvent.objects.filter(message=message).values_list("status", flat=True))
    assert statuses == ["QUEUED", "ACCEPTED", "ERROR", "QUEUED", "ACCEPTED", "ERROR"]


def dispatch_counts(worker) -> list[int]:
    """What each dispatch task on this worker claimed (from its log)."""
    text = worker.log.read_text()
    return [int(n) for n in re.findall(r"messaging\.tasks\.dispatch\[[^\]]+\] succeeded in [\d.e-]+s: (\d+)", text)]


def test_two_workers_drain_one_queue_and_send_nothing_twice(pipeline_worker, account, line):
    line.burst_per_second = line.new_contacts_per_hour = line.new_contacts_per_day = 1000
    line.save()
    with running_worker(concurrency=1, name="pipeline-b", SANDBOX_SEND_SECONDS="0.02", **WORKER_ENV) as other:
        before = sum(dispatch_counts(pipeline_worker))
        messages = [services.send(account, to=f"+1213555{n:04d}", content="hi") for n in range(3010, 3070)]
        wait_for(lambda: Message.objects.filter(status=Status.READ).count() == 60, 60)
        assert sum(dispatch_counts(other)) > 0, "the second worker never took part"
        assert sum(dispatch_counts(pipeline_worker)) > before
    sends = list(SandboxSend.objects.values_list("handle", "duplicate"))
    assert len(sends) == 60 and not any(dup for _, dup in sends)
    assert {str(h) for h, _ in sends} == {str(m.handle) for m in messages}
    assert MessageEvent.objects.filter(status=Status.SENT).count() == 60
