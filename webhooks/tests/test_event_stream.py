"""The event stream (``GET /api/v2/events``): the official SDK reads it; a client that drops
its connection and comes back with Last-Event-ID gets exactly what it missed, in order; a
key sees only the families it may read; many open streams hold few database connections."""
from __future__ import annotations

import json
import socket
import sys

import httpx
import pytest
from django.db import connection
from django.test import override_settings
from sendblue_api import SendblueAPI

import webhooks
from outreach.services import create_api_key
from outreach.testing import Process, free_port, wait_for, worker_env
from webhooks.choices import EventType
from webhooks.stream import Cursor

pytestmark = pytest.mark.django_db(transaction=True)
# The live server is one process shared by the module: streams a test left to time out must
# not use up the slots of the next one.
FAST = override_settings(STREAM_POLL_SECONDS=0.05, STREAM_HEARTBEAT_SECONDS=0.5, STREAM_MAX_SECONDS=30,
                         STREAM_MAX_PER_PROCESS=64)


def key(account, scopes=("read_only",)) -> tuple[str, str]:
    k, secret = create_api_key(account, "stream", list(scopes))
    return k.key_id, secret


def headers(account, scopes=("read_only",), **extra) -> dict:
    key_id, secret = key(account, scopes)
    return {"sb-api-key-id": key_id, "sb-api-secret-key": secret, "Accept": "text/event-stream", **extra}


def emit(account, n: int, type_=EventType.MESSAGE_RECEIVED) -> list[int]:
    return [webhooks.emit(account, type_, {"content": f"#{i}"}).pk for i in range(n)]


def read_events(response, count: int) -> list[dict]:
    """The next ``count`` events of an open SSE response, each with its SSE id."""
    found, sse_id = [], None
    for line in response.iter_lines():
        if line.startswith("id: "):
            sse_id = line[4:]
        elif line.startswith("data: "):
            found.append({"sse_id": sse_id, **json.loads(line[6:])})
            if len(found) == count:
                return found
    raise AssertionError(f"the stream ended after {len(found)} of {count} events: {found}")


def test_the_official_sdk_reads_the_stream_in_its_event_shape(live_server, account):
    before = emit(account, 1)[0]
    emit(account, 2, EventType.MESSAGE_STATUS_UPDATED)
    key_id, secret = key(account)
    sdk = SendblueAPI(api_key=key_id, api_secret=secret, base_url=live_server.url, max_retries=0)
    with FAST:
        events = []
        for event in sdk.events.stream(extra_headers={"Last-Event-ID": str(before)}, timeout=20):
            events.append(event)
            if len(events) == 2:
                break
    assert [e.type for e in events] == ["message.updated", "message.updated"]
    assert all(e.version == 1 and e.occurred_at is not None and e.data["content"] for e in events)
    assert int(events[0].id) < int(events[1].id)


def test_a_dropped_client_resumes_with_last_event_id_and_misses_nothing(live_server, account, other_account):
    url = f"{live_server.url}/api/v2/events"
    with FAST, httpx.Client(timeout=20) as client:
        with client.stream("GET", url, headers=headers(account)) as first:
            assert first.status_code == 200 and first.headers["content-type"].startswith("text/event-stream")
            sent = emit(account, 3)
            got = read_events(first, 2)
        assert [int(e["id"]) for e in got] == sent[:2]
        last = got[-1]["sse_id"]

        # While it is away: more of its events, and another account's (never its).
        emit(other_account, 2)
        missed = sent[2:] + emit(account, 4) + emit(account, 1, EventType.CONTACT_OPTED_OUT)
        with client.stream("GET", url, headers=headers(account, **{"Last-Event-ID": last})) as again:
            resumed = read_events(again, len(missed))
    assert [int(e["id"]) for e in resumed] == missed, "exactly the missed events, in order"
    assert resumed[-1]["type"] == "contact_opted_out"


def test_a_key_sees_only_the_families_it_reads_and_the_types_it_asks_for(live_server, account):
    url = f"{live_server.url}/api/v2/events"
    start = str(emit(account, 1)[0])
    wanted = emit(account, 1, EventType.CONTACT_OPTED_OUT) + emit(account, 1, EventType.CONTACT_CREATED)
    emit(account, 2)  # message events: not a contacts key's
    with FAST, httpx.Client(timeout=20) as client:
        with client.stream("GET", url, headers=headers(account, ["contacts"], **{"Last-Event-ID": start})) as r:
            assert [int(e["id"]) for e in read_events(r, 2)] == wanted
        only = {"types": "contact.created"}
        with client.stream("GET", url, params=only, headers=headers(account, **{"Last-Event-ID": start})) as r:
            [created] = read_events(r, 1)
    assert created["type"] == "contact.created" and int(created["id"]) == wanted[1]


def test_bad_last_event_id_is_a_clear_400(live_server, account):
    response = httpx.get(f"{live_server.url}/api/v2/events", headers=headers(account, **{"Last-Event-ID": "abc"}))
    assert response.status_code == 400 and "Last-Event-ID" in response.json()["error_message"], response.text


def test_the_cursor_waits_for_a_late_commit_then_gives_up_on_a_hole():
    cursor = Cursor(10)
    cursor.take([11, 13, 14], now=0.0, gap_wait=10)
    assert cursor.at == 11, "12 is missing: not yet committed, or never"
    cursor.take([], now=5.0, gap_wait=10)
    assert cursor.at == 11
    cursor.take([12], now=6.0, gap_wait=10)  # the late commit arrives
    assert cursor.at == 14 and not cursor.sent and not cursor.waiting
    cursor.take([16], now=7.0, gap_wait=10)
    assert cursor.at == 14
    cursor.take([], now=17.0, gap_wait=10)  # a rolled-back id: given up after the wait
    assert cursor.at == 16


def test_a_hundred_open_streams_hold_few_database_connections(account):
    """Served as deployed (gunicorn, a thread per stream): each poll closes its connection,
    so 100 idle streams hold almost none; past STREAM_MAX_PER_PROCESS a client gets 503."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "outreach.wsgi:application", "-b", f"127.0.0.1:{port}",
            "-w", "1", "--threads", "110", "--timeout", "120"]
    env = worker_env(PGAPPNAME="test-stream-server", STREAM_MAX_PER_PROCESS="100", STREAM_POLL_SECONDS="1")
    server = Process(argv, port, env=env, name="stream-server").start()
    sockets = []
    try:
        hdrs = headers(account)
        request = ("GET /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n").encode()
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(request)
            sockets.append(s)
        for s in sockets:
            head = s.recv(4096)
            assert head.startswith(b"HTTP/1.1 200"), head[:200]
        emit(account, 1)  # every stream polls, finds it and sends it
        for s in sockets:
            wait_for(lambda s=s: b"message.received" in s.recv(65536), 30)
        assert sessions("test-stream-server") < 20, "a connection per stream would be 100"
        busy = httpx.get(f"http://127.0.0.1:{port}/api/v2/events", headers=hdrs, timeout=30)
        assert busy.status_code == 503 and busy.headers["Retry-After"]
    finally:
        for s in sockets:
            s.close()
        server.kill()


def sessions(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return cursor.fetchone()[0]

