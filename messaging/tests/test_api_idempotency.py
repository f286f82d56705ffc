"""Idempotency-Key on the send endpoints, over HTTP (both dialects), with real concurrency."""
from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from messaging.models import Message
from messaging.services import add_line
from outreach import idempotency
from outreach.models import IdempotencyKey
from outreach.testing import assert_matches_schema, key_client

from .console_data import LINE

BODY = {"number": "+15552010200", "content": "Only once, please."}


def send(client, key, body=None, path="/api/send-message"):
    return client.post(path, body or BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_the_same_key_and_body_answer_the_first_response_and_send_once(sb):
    first = send(sb, "order-1001")
    second = send(sb, "order-1001")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Message.objects.count() == 1
    assert_matches_schema(second, "/api/send-message")
    # Without a key (or with another one) each request is its own send.
    assert send(sb, "order-1002").json()["message_handle"] != first.json()["message_handle"]
    sb.post("/api/send-message", BODY, format="json")
    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_keys_belong_to_an_account(sb, other_account):
    add_line(other_account, "+15125550199")
    theirs = key_client(other_account, ["messages"], form="sendblue")
    mine = send(sb, "shared-key").json()["message_handle"]
    assert send(theirs, "shared-key").json()["message_handle"] != mine
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_another_body_with_the_same_key_is_422_in_both_dialects(sb, account):
    assert send(sb, "k-1").status_code == 200
    response = send(sb, "k-1", {**BODY, "content": "Something else"})
    assert response.status_code == 422
    assert response.json()["status"] == "ERROR" and "different request" in response.json()["error_message"]
    assert_matches_schema(response, "/api/send-message")
    # The same key on another endpoint is another request too.
    v1 = key_client(account, ["messages"])
    other = v1.post("/api/v1/messages", {"to": "+15552010200", "body": "x"}, format="json",
                    HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_v1_send_replays_its_201(account, line):
    v1 = key_client(account, ["messages"], form="x-api-key")
    body = {"to": "+15552010201", "body": "hi", "priority": 3}
    first = v1.post("/api/v1/messages", body, format="json", HTTP_IDEMPOTENCY_KEY="v1-key")
    again = v1.post("/api/v1/messages", body, format="json", HTTP_IDEMPOTENCY_KEY="v1-key")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and Message.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_stores_nothing_so_it_can_be_fixed_and_resent(sb):
    bad = send(sb, "fix-me", {"number": "+15552010200"})
    assert bad.status_code == 400
    good = send(sb, "fix-me")
    assert good.status_code == 200 and Message.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_malformed_key_is_400(sb, key):
    response = send(sb, key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error_message"]
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_group_sends_are_idempotent_too(sb):
    body = {"numbers": ["+15552010202", "+15552010203"], "content": "hi", "from_number": LINE}
    first = send(sb, "group-1", body, "/api/send-group-message")
    again = send(sb, "group-1", body, "/api/send-group-message")
    assert again.json() == first.json() and Message.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_kept_24_hours_then_purged(sb, account):
    handle = send(sb, "old-key").json()["message_handle"]
    record = IdempotencyKey.objects.get(account=account, key="old-key")
    IdempotencyKey.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    assert idempotency.purge_expired() == 0
    assert send(sb, "old-key").json()["message_handle"] == handle
    IdempotencyKey.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    assert idempotency.purge_expired() == 1
    assert send(sb, "old-key").json()["message_handle"] != handle


def test_the_purge_runs_periodically():
    entry = settings.CELERY_BEAT_SCHEDULE["outreach-purge-idempotency-keys"]
    assert entry["task"] == "outreach.tasks.purge_idempotency_keys"
    from outreach.tasks import purge_idempotency_keys

    assert purge_idempotency_keys.name == entry["task"]


def _lock_holder(account, key):
    """A second database session holding the key's lock: a request still in flight."""
    db = connection.settings_dict
    conn = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
        autocommit=True,
    )
    conn.execute("SELECT pg_advisory_lock(%s)", [idempotency.lock_id(account.pk, key)])
    return conn


@pytest.mark.django_db(transaction=True)
def test_while_the_first_is_in_flight_the_same_key_is_409(sb, account):
    holder = _lock_holder(account, "busy-key")
    try:
        response = send(sb, "busy-key")
        assert response.status_code == 409
        assert "still being processed" in response.json()["error_message"]
        assert_matches_schema(response, "/api/send-message")
        assert not Message.objects.exists()
    finally:
        holder.close()
    assert send(sb, "busy-key").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_identical_requests_send_one_message(live_server, account, line):
    client = key_client(account, ["messages"], form="sendblue")
    headers = {
        "sb-api-key-id": client.key.key_id, "sb-api-secret-key": client.secret,
        "Idempotency-Key": "burst-key",
    }
    start = threading.Barrier(20)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def fire():
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            start.wait()
            response = http.post("/api/send-message", json=BODY, headers=headers)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=fire) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == 20
    assert {r.status_code for r in results} <= {200, 409}, [r.text for r in results]
    handles = {r.json()["message_handle"] for r in results if r.status_code == 200}
    assert len(handles) == 1
    assert Message.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="burst-key").count() == 1
    # Once the first finished, every retry gets its response.
    with httpx.Client(base_url=live_server.url) as http:
        late = http.post("/api/send-message", json=BODY, headers=headers)
    assert late.status_code == 200 and late.json()["message_handle"] in handles


@pytest.mark.django_db
def test_a_request_that_loses_the_race_rolls_back_and_answers_the_winners_response(sb, monkeypatch):
    """The unique row is the backstop: a request whose claim did not see the winner's
    record (it started before the winner committed) fails on INSERT, its message is rolled
    back, and it answers what the winner stored."""
    first = send(sb, "race-key")
    real_claim = idempotency._claim
    calls = []

    def stale_then_real(account, key):
        calls.append(key)
        return idempotency._MISSING if len(calls) == 1 else real_claim(account, key)

    monkeypatch.setattr(idempotency, "_claim", stale_then_real)
    second = send(sb, "race-key")
    assert len(calls) == 2  # the stale claim, then the re-read after the lost INSERT
    assert second.status_code == 200 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 1
