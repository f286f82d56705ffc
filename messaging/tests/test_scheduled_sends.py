"""Scheduled sends (``send_at`` / ``sendAt``): SCHEDULED until their time, sent then and not
before, cancellable until then, and judged by the rules of send time (opt-outs, line
limits). The clock is injected in the unit tests; one test runs a real worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from contacts.services import create_contact, opt_out
from messaging import services
from messaging.choices import Status
from messaging.models import Message, SandboxSend
from messaging.queue import dispatch
from outreach.testing import key_client, running_worker, wait_for

LINE = "+15125550160"


@pytest.fixture
def line(account):
    return services.add_line(account, LINE)


def iso(when) -> str:
    return when.isoformat().replace("+00:00", "Z")


def at(monkeypatch, when):
    """Move the clock the services and the dispatcher read to ``when``."""
    monkeypatch.setattr(timezone, "now", lambda: when)


def claim_all() -> list[Message]:
    claimed = []
    while chunk := dispatch.claim().claimed:
        claimed += chunk
    return claimed


@pytest.mark.django_db
def test_a_scheduled_send_waits_as_scheduled_then_goes_at_its_time(account, line, monkeypatch):
    now = timezone.now()
    when = now + timedelta(minutes=10)
    api = key_client(account)
    r = api.post("/api/send-message", {"number": "+12145556100", "content": "later", "send_at": iso(when)},
                 format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "SCHEDULED" and r.json()["send_at"] == iso(when)
    handle = r.json()["message_handle"]
    assert api.get("/api/status", {"handle": handle}).json()["status"] == "SCHEDULED"
    v1 = api.get(f"/api/v1/messages/{handle}").json()
    assert v1["status"] == "scheduled" and v1["sendAt"] == iso(when)

    at(monkeypatch, when - timedelta(seconds=1))
    assert claim_all() == [], "not a second early"
    at(monkeypatch, when)
    [claimed] = claim_all()
    assert str(claimed.handle) == handle and claimed.status == Status.ACCEPTED
    assert api.get("/api/status", {"handle": handle}).json()["status"] == "ACCEPTED"


@pytest.mark.django_db
def test_send_at_must_be_one_minute_to_35_days_ahead_in_every_dialect(account, line):
    api = key_client(account)
    now = timezone.now()
    for when in [now + timedelta(seconds=10), now + timedelta(days=36), now - timedelta(minutes=5)]:
        r = api.post("/api/send-message", {"number": "+12145556101", "content": "x", "send_at": iso(when)},
                     format="json")
        assert r.status_code == 400 and "35 days" in r.json()["error_message"], r.content
    r = api.post("/api/v1/messages", {"to": "+12145556101", "body": "x", "sendAt": iso(now)}, format="json")
    assert r.status_code == 422 and "sendAt" in str(r.json()), r.content
    r = api.post("/api/send-group-message", {"numbers": ["+12145556101", "+12145556102"], "content": "x",
                                             "send_at": "tomorrow"}, format="json")
    assert r.status_code == 400 and "send_at" in r.json()["error_message"]
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_cancel_before_its_time_and_never_after(account, line, monkeypatch):
    api = key_client(account)
    when = timezone.now() + timedelta(hours=2)
    created = api.post("/api/v1/messages", {"to": "+12145556103", "body": "soon", "sendAt": iso(when)}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "scheduled", created.content
    assert created.json()["sendAt"] == iso(when)
    handle = created.json()["id"]
    cancelled = api.delete(f"/api/v1/messages/{handle}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "declined"
    assert "Cancelled" in cancelled.json()["lastError"]
    at(monkeypatch, when + timedelta(minutes=1))
    assert claim_all() == [], "a cancelled message never goes out"
    again = api.delete(f"/api/v1/messages/{handle}")  # no longer scheduled: redacted
    assert again.status_code == 200 and again.json()["body"] == "" and again.json()["redactedAt"]

    # Once due (and claimed) it is no longer scheduled: too late to cancel.
    monkeypatch.undo()
    due = api.post("/api/v1/messages", {"to": "+12145556104", "body": "now", "sendAt": iso(when)}, format="json")
    at(monkeypatch, when)
    claim_all()
    late = api.delete(f"/api/v1/messages/{due.json()['id']}")
    assert late.status_code == 409 and "cancelled" in late.json()["detail"]

    # Another account's scheduled message is not found, and stays scheduled.
    monkeypatch.undo()
    other = api.post("/api/v1/messages", {"to": "+12145556105", "body": "mine", "sendAt": iso(when)}, format="json")
    from outreach.tests.factories import AccountFactory

    assert key_client(AccountFactory()).delete(f"/api/v1/messages/{other.json()['id']}").status_code == 404
    assert Message.objects.get(handle=other.json()["id"]).status == Status.QUEUED


@pytest.mark.django_db
def test_opt_outs_and_line_limits_apply_at_send_time_not_schedule_time(account, line, monkeypatch):
    line.new_contacts_per_hour = 1
    line.save()
    api = key_client(account)
    when = timezone.now() + timedelta(minutes=30)
    contact = create_contact(account, {"phone_number": "+12145556106"})
    handles = {}
    for n in ("+12145556106", "+12145556107", "+12145556108"):
        r = api.post("/api/send-message", {"number": n, "content": "hi", "send_at": iso(when)}, format="json")
        assert r.json()["status"] == "SCHEDULED"
        handles[n] = r.json()["message_handle"]
    opt_out(account, contact, source="api")  # after scheduling, before the time

    at(monkeypatch, when)
    claimed = claim_all()
    assert len(claimed) == 1, "one new contact an hour: the other waits for the limit"
    declined = Message.objects.get(handle=handles["+12145556106"])
    assert declined.status == Status.DECLINED and declined.error_key == "OPTED_OUT"
    waiting = Message.objects.filter(status=Status.QUEUED).get()
    assert waiting.next_attempt_at > when, "held by the line's limit, not sent"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@override_settings(SCHEDULED_SEND_MIN_SECONDS=1)
def test_a_real_worker_sends_a_scheduled_message_at_its_time_and_not_before(account, line):
    api = key_client(account)
    with running_worker(concurrency=1, name="scheduler"):
        when = timezone.now() + timedelta(seconds=2)
        r = api.post("/api/send-message", {"number": "+12145556120", "content": "on time", "send_at": iso(when)},
                     format="json")
        assert r.status_code == 200 and r.json()["status"] == "SCHEDULED", r.content
        message = wait_for(lambda: Message.objects.filter(handle=r.json()["message_handle"], sent_at__isnull=False)
                           .first(), 30, interval=0.1)
    assert message.sent_at >= when, "not before its time"
    assert SandboxSend.objects.filter(handle=message.handle).count() == 1
