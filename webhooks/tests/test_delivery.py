"""The delivery service run in this process against a real local receiver: the retry
schedule, disabling after a failure streak, replay, and the target check at send time."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

import webhooks
from outreach.celery import app
from outreach.exceptions import Conflict
from webhooks import delivery, drains, services
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Delivery, Endpoint, Event

from .helpers import received, verify

pytestmark = pytest.mark.django_db

DEFAULT_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 36000]


def _make_due(d: Delivery) -> None:
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_default_schedule_is_the_documented_one():
    assert [delivery.next_wait(n) for n in range(8)] == DEFAULT_SCHEDULE
    assert delivery.next_wait(8) is None


def test_failures_follow_the_schedule_then_the_delivery_fails(account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("nope", status=500)
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    event = webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 1})
    d = Delivery.objects.get(event=event)
    waits = []
    for n in range(1, 9):
        drains.drain(endpoint.target)
        d.refresh_from_db()
        assert d.attempts == n
        if n < 8:
            assert d.status == DeliveryStatus.PENDING
            last = d.attempt_log.order_by("-number").first()
            waits.append(round((d.next_attempt_at - last.started_at).total_seconds()))
            _make_due(d)
    # Each wait is measured from the attempt's start, which precedes the write by the POST's duration.
    assert all(abs(a - b) <= 1 for a, b in zip(waits, DEFAULT_SCHEDULE[1:], strict=True)), waits
    assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None
    assert [a.number for a in d.attempt_log.all()] == list(range(1, 9))
    assert len(received(httpserver)) == 8
    assert len({r.headers["webhook-id"] for r in received(httpserver)}) == 1


def test_a_failure_streak_of_five_days_disables_the_endpoint(account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 1})
    drains.drain(endpoint.target)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None

    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=5, minutes=1))
    other = webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 2})
    drains.drain(endpoint.target)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "no successful delivery since" in endpoint.disabled_reason and "HTTP 410" in endpoint.disabled_reason
    # What was pending fails (replayable later); new events skip a disabled endpoint.
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).count() == 0
    assert Delivery.objects.get(event=other).status == DeliveryStatus.FAILED
    later = webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 3})
    assert not Delivery.objects.filter(event=later).exists()


def test_a_success_ends_the_failure_streak(account, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=502)
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {}))
    drains.drain(endpoint.target)
    _make_due(d)
    drains.drain(endpoint.target)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.last_success_at is not None


def test_replay_sends_the_same_body_and_id_with_a_new_chain(account, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=500)
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 7}))
    drains.drain(endpoint.target)
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)

    replayed = services.replay_delivery(account, d.pk)
    assert replayed.status == DeliveryStatus.PENDING and replayed.attempts == 0 and replayed.replayed_at
    drains.drain(endpoint.target)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SUCCEEDED
    first, second = received(httpserver)
    assert first.get_data() == second.get_data()
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    verify(endpoint.secret, second)
    assert [a.number for a in d.attempt_log.all()] == [1, 1]  # the replay started a new chain


def test_replay_of_all_failed_since_a_time(account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    events = [webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": i}) for i in range(3)]
    old = Delivery.objects.get(event=events[0])
    Delivery.objects.filter(endpoint=endpoint).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    Delivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    count = services.replay_failed(account, timezone.now() - timedelta(days=1), endpoint_pk=endpoint.pk)
    assert count == 2
    drains.drain(endpoint.target)
    assert sorted(verify(endpoint.secret, r)["data"]["n"] for r in received(httpserver)) == [1, 2]
    assert Delivery.objects.get(pk=old.pk).status == DeliveryStatus.FAILED


def test_a_pending_delivery_cannot_be_replayed(account, httpserver):
    services.create_endpoint(account, httpserver.url_for("/hook"))
    d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {}))
    with pytest.raises(Conflict, match="still pending"):
        services.replay_delivery(account, d.pk)


def test_a_url_that_became_private_is_refused_at_delivery_time(account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {}))
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False):
        drains.drain(endpoint.target)
    d.refresh_from_db()
    # Refused for good (replayable once the URL is fixed), not retried on the schedule.
    assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None
    assert d.attempts == 1 and "loopback" in d.last_error
    [attempt] = d.attempt_log.all()
    assert not attempt.succeeded and attempt.status_code is None and "loopback" in attempt.error
    assert received(httpserver) == []


def test_pending_deliveries_follow_an_edited_endpoint_url(account, httpserver):
    httpserver.expect_request("/new").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/old"))
    d = Delivery.objects.get(event=webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {}))
    services.update_endpoint(account, endpoint.pk, url=httpserver.url_for("/new"))
    drains.drain(endpoint.target)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SUCCEEDED and d.url == httpserver.url_for("/new")
    assert len(received(httpserver, "/new")) == 1 and received(httpserver, "/old") == []


def test_a_test_ping_goes_to_one_endpoint_only(account, httpserver):
    httpserver.expect_request("/a").respond_with_data("ok")
    httpserver.expect_request("/b").respond_with_data("ok")
    a = services.create_endpoint(account, httpserver.url_for("/a"), event_types=[EventType.MESSAGE_RECEIVED])
    b = services.create_endpoint(account, httpserver.url_for("/b"))
    services.send_test(account, a)
    drains.drain(a.target)
    drains.drain(b.target)
    [ping] = received(httpserver, "/a")
    assert verify(a.secret, ping)["type"] == "webhook.test"
    assert received(httpserver, "/b") == []


def test_endpoints_get_only_the_events_they_subscribe_to(account, other_account, httpserver):
    only_received = services.create_endpoint(account, httpserver.url_for("/r"), event_types=["message.received"])
    everything = services.create_endpoint(account, httpserver.url_for("/all"))
    services.create_endpoint(other_account, httpserver.url_for("/other"))
    event = webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {})
    assert set(Delivery.objects.filter(event=event).values_list("endpoint", flat=True)) == {everything.pk}
    event = webhooks.emit(account, EventType.MESSAGE_RECEIVED, {})
    assert set(Delivery.objects.filter(event=event).values_list("endpoint", flat=True)) == {
        everything.pk, only_received.pk
    }
    assert Event.objects.filter(account=other_account).count() == 0


def test_emit_many_writes_every_event_and_delivery_in_a_few_queries(
    account, other_account, httpserver, django_assert_max_num_queries
):
    httpserver.expect_request("/a").respond_with_data("ok")
    mine = services.create_endpoint(account, httpserver.url_for("/a"))
    theirs = services.create_endpoint(other_account, httpserver.url_for("/b"), event_types=["message.received"])
    items = [
        (account, EventType.MESSAGE_STATUS_UPDATED, {"n": i}, [httpserver.url_for("/cb")]) for i in range(20)
    ] + [(other_account, EventType.MESSAGE_STATUS_UPDATED, {"n": 99}, [])]
    with django_assert_max_num_queries(5):
        events = webhooks.emit_many(items)
    assert [e.payload["n"] for e in events] == [*range(20), 99]
    assert Delivery.objects.filter(endpoint=mine).count() == 20
    assert Delivery.objects.filter(endpoint=None, url=httpserver.url_for("/cb")).count() == 20
    assert not Delivery.objects.filter(endpoint=theirs).exists()  # not subscribed
    drains.drain(mine.target)
    assert sorted(verify(mine.secret, r)["data"]["n"] for r in received(httpserver, "/a")) == list(range(20))


def test_a_drain_past_its_deadline_hands_back_the_rest_due_at_once(account, httpserver):
    import time

    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(3)])
    batch = delivery.claim(endpoint.target)
    made, failed = delivery.deliver_batch(endpoint.target, batch, deadline=time.monotonic() - 1)
    assert (made, failed) == (1, False)  # one POST at least, then the time is up
    assert len(received(httpserver)) == 1
    rest = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    assert rest.count() == 2 and all(d.attempts == 0 for d in rest)
    assert delivery.due(endpoint.target).count() == 2  # due at once, not after the claim's lease


def test_the_sweep_wakes_each_due_target_once(account, httpserver, django_assert_max_num_queries):
    a = services.create_endpoint(account, httpserver.url_for("/a"))
    b = services.create_endpoint(account, httpserver.url_for("/b"))
    webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(5)])
    Delivery.objects.filter(endpoint=b).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    with django_assert_max_num_queries(1):
        assert drains.sweep() == 1  # a's five deliveries are one target; b's are not due
    assert delivery.due(a.target).count() == 5


def test_a_dead_endpoint_is_probed_less_and_less_often(account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(10)])
    cool_downs = []
    for _ in range(4):
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        before = timezone.now()
        drains.drain(endpoint.target)
        untried = Delivery.objects.filter(attempts=0).order_by("next_attempt_at").first()
        cool_downs.append(round((untried.next_attempt_at - before).total_seconds()))
    assert cool_downs == [5, 10, 20, 40]
    assert len(received(httpserver)) == 4  # one probe per drain, not one timeout per delivery


def test_a_callback_url_two_accounts_share_is_signed_with_each_accounts_secret(account, other_account, httpserver):
    """A one-off URL's deliveries are one target whatever their account, so one batch may
    hold both accounts' callbacks: each is signed with its own account's secret."""
    httpserver.expect_request("/cb").respond_with_data("ok")
    url = httpserver.url_for("/cb")
    webhooks.emit_many([(a, EventType.CONTACT_OPTED_OUT, {"who": a.name}, (url,)) for a in (account, other_account)],
                       to_endpoints=False)
    assert drains.drain(services.url_target(url)) == 2
    got = {}
    for request in received(httpserver, "/cb"):
        body = json.loads(request.get_data())
        who = (body.get("data") or body)["who"]
        got[who] = verify(services.account_secret(account if who == account.name else other_account).secret, request)
    assert set(got) == {account.name, other_account.name}



def _purge_broker() -> None:
    with app.connection_for_write() as conn:
        app.control.purge(connection=conn)


def _drains_queued() -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True).message_count


@override_settings(WEBHOOKS_ENDPOINT_CONCURRENCY=4)
def test_helpers_are_asked_for_only_once_a_batch_went_through(account, httpserver):
    """A backlog gets helpers to fill the target's other slots, but a target that does not
    answer gets none: each would hold a worker process for the whole timeout."""
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    httpserver.expect_request("/up").respond_with_data("ok")
    down = services.create_endpoint(account, httpserver.url_for("/down"))
    webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(delivery.BATCH + 1)])
    _purge_broker()
    drains.drain(down.target)
    assert _drains_queued() == 1  # its own follow-up after the cool-down, no helpers

    services.disable_endpoint(account, down.pk, "out of the way")
    up = services.create_endpoint(account, httpserver.url_for("/up"))
    webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(delivery.BATCH + 1)])
    _purge_broker()
    drains.drain(up.target)
    assert _drains_queued() == 3  # the target's three other slots
    assert Delivery.objects.filter(endpoint=up, status=DeliveryStatus.SUCCEEDED).count() == delivery.BATCH + 1
