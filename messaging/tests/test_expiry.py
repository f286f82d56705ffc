"""Expiry (``expires_at`` / ``expiresAt``): a message not sent by its deadline is withdrawn
(EXPIRED, v1 ``expired``, a ``message.status_updated`` event) and never sent late, decided
at claim time and by the sweep. The clock is injected in the unit tests; one test runs a
real worker while the line's limit holds the message back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services
from messaging.choices import ErrorKey, Status
from messaging.models import Message, MessageEvent, SandboxSend
from messaging.queue import dispatch
from messaging.services.expiry import expire_due
from messaging.tests.test_scheduled_sends import at, claim_all, iso
from outreach.testing import key_client, running_worker, wait_for
from webhooks.models import Event

LINE = "+15125550170"


@pytest.fixture
def line(account):
    return services.add_line(account, LINE)


@pytest.mark.django_db
def test_expires_at_must_be_in_the_future_and_after_send_at_in_every_dialect(account, line):
    api = key_client(account)
    now = timezone.now()
    r = api.post("/api/send-message", {"number": "+12145557100", "content": "x",
                                       "expires_at": iso(now - timedelta(minutes=1))}, format="json")
    assert r.status_code == 400 and "expires_at must be in the future" in r.json()["error_message"], r.content
    r = api.post("/api/v1/messages", {"to": "+12145557100", "body": "x", "sendAt": iso(now + timedelta(hours=2)),
                                      "expiresAt": iso(now + timedelta(hours=1))}, format="json")
    assert r.status_code == 422 and "expiresAt must be after sendAt" in str(r.json()), r.content
    r = api.post("/api/send-group-message", {"numbers": ["+12145557101", "+12145557102"], "content": "x",
                                             "expires_at": "soon"}, format="json")
    assert r.status_code == 400 and "expires_at" in r.json()["error_message"]
    deadline = now + timedelta(hours=1)
    r = api.post("/api/send-group-message", {"numbers": ["+12145557101", "+12145557102"], "content": "x",
                                             "expires_at": iso(deadline)}, format="json")
    assert r.status_code == 200 and r.json()["expires_at"] == iso(deadline), r.content
    assert Message.objects.get(handle=r.json()["message_handle"]).expires_at == deadline


@pytest.mark.django_db
def test_a_message_claimed_after_its_deadline_expires_instead_of_going_late(account, line, monkeypatch):
    api = key_client(account)
    now = timezone.now()
    deadline = now + timedelta(minutes=10)
    r = api.post("/api/v1/messages", {"to": "+12145557103", "body": "flash sale", "expiresAt": iso(deadline)},
                 format="json")
    assert r.status_code == 201, r.content
    handle = r.json()["id"]
    at(monkeypatch, deadline + timedelta(seconds=1))
    assert claim_all() == []
    message = Message.objects.get(handle=handle)
    assert (message.status, message.error_key, message.sent_at) == (Status.EXPIRED, ErrorKey.EXPIRED, None)
    assert not SandboxSend.objects.filter(handle=message.handle).exists()
    got = api.get(f"/api/v1/messages/{handle}").json()
    assert got["status"] == "expired" and got["expiresAt"] == iso(deadline)
    assert api.get("/api/status", {"handle": handle}).json()["status"] == "EXPIRED"
    statuses = [e.payload["status"] for e in Event.objects.filter(type="message.status_updated").order_by("id")]
    assert statuses == ["QUEUED", "EXPIRED"]


@pytest.mark.django_db
def test_the_sweep_expires_held_messages_and_leaves_the_rest(account, line):
    now = timezone.now()
    held = services.send(account, to="+12145557104", content="held", expires_at=now + timedelta(minutes=5))
    keeps = services.send(account, to="+12145557105", content="no deadline")
    later = services.send(account, to="+12145557106", content="later", expires_at=now + timedelta(hours=5))
    Message.objects.filter(pk=held.pk).update(next_attempt_at=now + timedelta(hours=1))  # a line limit's hold
    assert expire_due(now + timedelta(minutes=4)) == 0
    assert expire_due(now + timedelta(minutes=6)) == 1
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {held.pk: Status.EXPIRED, keeps.pk: Status.QUEUED, later.pk: Status.QUEUED}
    assert expire_due(now + timedelta(minutes=7)) == 0  # final: nothing moves it again


@pytest.mark.django_db
def test_a_message_sent_before_its_deadline_is_not_expired(account, line, monkeypatch):
    now = timezone.now()
    message = services.send(account, to="+12145557107", content="in time", expires_at=now + timedelta(minutes=5))
    [claimed] = claim_all()
    at(monkeypatch, now + timedelta(minutes=6))
    assert expire_due() == 0
    claimed.refresh_from_db()
    assert claimed.pk == message.pk and claimed.status == Status.ACCEPTED


@pytest.mark.django_db
def test_a_claimed_message_whose_deadline_passes_before_the_send_expires_and_stays_off_the_network(
    account, line, monkeypatch
):
    now = timezone.now()
    deadline = now + timedelta(minutes=5)
    late = services.send(account, to="+12145557108", content="flash sale", expires_at=deadline)
    on_time = services.send(account, to="+12145557109", content="no deadline")
    chunk = dispatch.claim()
    at(monkeypatch, deadline + timedelta(seconds=1))  # a slow worker reaches the send step
    dispatch.record(chunk, dispatch.send(chunk.claimed))
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.status, late.error_key, late.sent_at) == (Status.EXPIRED, ErrorKey.EXPIRED, None)
    assert on_time.status == Status.READ
    assert list(SandboxSend.objects.values_list("handle", flat=True)) == [on_time.handle]
    events = MessageEvent.objects.filter(message=late).order_by("pk").values_list("status", flat=True)
    assert list(events) == [Status.QUEUED, Status.ACCEPTED, Status.EXPIRED]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_expires_a_message_its_lines_limit_holds_back(account, line):
    line.new_contacts_per_hour = 1
    line.save()
    api = key_client(account)
    with running_worker(concurrency=1, name="expiry"):
        first = api.post("/api/send-message", {"number": "+12145557110", "content": "goes"}, format="json")
        wait_for(lambda: Message.objects.filter(handle=first.json()["message_handle"], sent_at__isnull=False).exists(),
                 30, interval=0.1)
        deadline = timezone.now() + timedelta(seconds=3)
        held = api.post("/api/send-message", {"number": "+12145557111", "content": "too late",
                                              "expires_at": iso(deadline)}, format="json")
        assert held.status_code == 200, held.content
        message = wait_for(lambda: Message.objects.filter(handle=held.json()["message_handle"],
                                                          status=Status.EXPIRED).first(), 30, interval=0.2)
    assert message.sent_at is None and message.updated_at >= deadline
    assert not SandboxSend.objects.filter(handle=message.handle).exists()
