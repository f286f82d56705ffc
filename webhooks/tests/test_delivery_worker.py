"""Delivery end to end: a real Celery worker POSTs to a real local receiver
(pytest-httpserver) and the customer's side verifies with the standardwebhooks library."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

import webhooks
from outreach.testing import running_worker, wait_for
from webhooks import services
from webhooks.choices import DeliveryStatus, EventType
from webhooks.drains import sweep
from webhooks.models import Attempt, Delivery, Event

from .helpers import received, settled, verify

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5
SCHEDULE = [0, 1, 1, 1, 300]


@pytest.fixture(scope="module")
def wh_worker(django_db_setup, django_db_blocker):
    """One worker for the module, with a short timeout and schedule so retries run fast."""
    with django_db_blocker.unblock():
        with running_worker(
            name="webhooks",
            WEBHOOKS_TIMEOUT=str(TIMEOUT),
            WEBHOOKS_RETRY_SCHEDULE=",".join(map(str, SCHEDULE)),
        ) as w:
            yield w


def _emit(account, payload, event_type=EventType.CONTACT_OPTED_OUT, extra_urls=()):
    with transaction.atomic():
        return webhooks.emit(account, event_type, payload, extra_urls)


def test_an_event_arrives_signed_and_the_attempt_is_logged(wh_worker, account, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("thanks", status=200)
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    event = _emit(account, {"number": "+15125550100", "source": "api"})

    delivery = wait_for(lambda: settled(Delivery.objects.get(event=event).pk), message="not delivered")
    [request] = received(httpserver)
    body = verify(endpoint.secret, request)
    assert body["type"] == "contact_opted_out"
    assert body["data"] == {"number": "+15125550100", "source": "api"}
    assert request.headers["webhook-id"] == event.webhook_id
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.last_status_code == 200
    [attempt] = delivery.attempt_log.all()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.response_excerpt == "thanks"
    assert attempt.request_headers["webhook-id"] == event.webhook_id


def test_a_status_callback_gets_the_raw_body_signed_with_the_account_secret(wh_worker, account, httpserver):
    httpserver.expect_request("/callback", method="POST").respond_with_data("", status=204)
    body = {"status": "DELIVERED", "message_handle": "h-1", "is_outbound": True}
    _emit(account, body, EventType.MESSAGE_STATUS_UPDATED, extra_urls=[httpserver.url_for("/callback")])

    wait_for(lambda: received(httpserver, "/callback"), message="callback not received")
    [request] = received(httpserver, "/callback")
    assert verify(services.account_secret(account).secret, request) == body
    assert request.headers["x-outreach-event"] == "message.status_updated"


def test_a_500_is_retried_with_the_same_webhook_id_until_success(wh_worker, account, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("boom", status=500)
    httpserver.expect_oneshot_request("/hook").respond_with_data("still down", status=503)
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    event = _emit(account, {"n": 1})

    delivery = wait_for(lambda: settled(Delivery.objects.get(event=event).pk), message="not settled")
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    requests_ = received(httpserver)
    assert [r.headers["webhook-id"] for r in requests_] == [event.webhook_id] * 3
    for r in requests_:
        verify(endpoint.secret, r)
    attempts = list(delivery.attempt_log.order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in attempts] == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert attempts[0].response_excerpt == "boom"
    # The waits of the schedule were kept between attempts (never earlier).
    for before, after, wait in zip(attempts, attempts[1:], SCHEDULE[1:], strict=False):
        assert after.started_at - before.started_at >= timedelta(seconds=wait)


def test_a_timeout_is_retried_then_succeeds(wh_worker, account, httpserver):
    calls = []

    def slow_then_fast(request):
        calls.append(1)
        if len(calls) == 1:
            threading.Event().wait(TIMEOUT + 1)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(slow_then_fast)
    services.create_endpoint(account, httpserver.url_for("/hook"))
    event = _emit(account, {"n": 2})

    delivery = wait_for(lambda: settled(Delivery.objects.get(event=event).pk), timeout=40, message="not settled")
    assert delivery.status == DeliveryStatus.SUCCEEDED
    first, second = delivery.attempt_log.order_by("number")
    assert first.status_code is None and "Timed out" in first.error
    assert second.status_code == 200


def test_an_event_in_a_rolled_back_transaction_is_never_delivered(wh_worker, account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.create_endpoint(account, httpserver.url_for("/hook"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": "rolled back"})
            raise RuntimeError("the caller failed")
    later = _emit(account, {"n": "committed"})

    wait_for(lambda: settled(Delivery.objects.get(event=later).pk), message="committed event not delivered")
    assert [verify_body(r) for r in received(httpserver)] == [{"n": "committed"}]
    assert list(Event.objects.values_list("payload", flat=True)) == [{"n": "committed"}]


def verify_body(request) -> dict:
    import json

    return json.loads(request.get_data())["data"]


def test_after_rotation_both_secrets_sign_until_the_grace_ends(wh_worker, account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    old = endpoint.secret
    new = services.rotate_endpoint_secret(account, endpoint.pk, grace_hours=1).secret
    event = _emit(account, {"n": 3})

    wait_for(lambda: settled(Delivery.objects.get(event=event).pk))
    [request] = received(httpserver)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify(old, request)
    verify(new, request)

    services.rotate_endpoint_secret(account, endpoint.pk, grace_hours=0)
    newest = services.get_endpoint(account, endpoint.pk).secret
    event = _emit(account, {"n": 4})
    wait_for(lambda: settled(Delivery.objects.get(event=event).pk))
    request = received(httpserver)[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    verify(newest, request)


def test_a_long_wait_is_picked_up_by_the_sweep_when_due(wh_worker, account, httpserver):
    """Past the short retries the wait is a due time in the database; the periodic sweep
    (what beat runs) turns it into work once due."""
    for _ in range(4):
        httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=500)
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.create_endpoint(account, httpserver.url_for("/hook"))
    event = _emit(account, {"n": 5})

    def waiting_long():
        d = Delivery.objects.get(event=event)
        return d if d.attempts == 4 else None

    d = wait_for(waiting_long, message="4 attempts not made")
    assert d.status == DeliveryStatus.PENDING
    assert d.next_attempt_at - d.updated_at >= timedelta(seconds=SCHEDULE[4] - 1)
    # Time passes: make it due, as if 5 minutes went by, and let the sweep find it.
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep() >= 1
    d = wait_for(lambda: settled(d.pk), message="sweep did not deliver")
    assert d.status == DeliveryStatus.SUCCEEDED and d.attempts == 5


def test_a_hanging_endpoint_does_not_hold_another(wh_worker, account, httpserver):
    """The slow endpoint's request is held open until the fast one has all its events;
    it can only succeed if the fast endpoint was served while it hung."""
    fast_done = threading.Event()
    fast_count = []

    def fast(request):
        fast_count.append(1)
        if len(fast_count) == 3:
            fast_done.set()
        return Response("ok")

    def hang(request):
        fast_done.wait(30)
        return Response("late but fine")

    slow = HTTPServer(threaded=True)
    slow.expect_request("/slow").respond_with_handler(hang)
    slow.start()
    try:
        httpserver.expect_request("/fast").respond_with_handler(fast)
        services.create_endpoint(account, slow.url_for("/slow"))
        services.create_endpoint(account, httpserver.url_for("/fast"))
        events = [_emit(account, {"n": i}) for i in range(3)]
        wait_for(fast_done.is_set, timeout=30, message="fast endpoint starved")
        first_slow = wait_for(
            lambda: Attempt.objects.filter(delivery__event=events[0], delivery__url__endswith="/slow").first()
        )
        assert first_slow.succeeded, first_slow.error
    finally:
        fast_done.set()
        slow.clear()
        if slow.is_running():
            slow.stop()
