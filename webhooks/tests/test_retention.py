"""Data retention's webhooks share (webhooks/retention.py) run by ``outreach.retention`` with
an injected clock, and the beat task draining a backlog in bounded steps on a real worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

import webhooks
from outreach import retention
from outreach.services import set_retention
from outreach.tasks import apply_retention
from outreach.testing import Worker, wait_for
from webhooks import services
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Attempt, Delivery, Event

DELIVERIES, EVENTS = "webhooks.deliveries", "webhooks.events"


def _emit(account, n: int) -> list[Event]:
    return webhooks.emit_many([(account, EventType.CONTACT_OPTED_OUT, {"n": i}, ()) for i in range(n)])


def _settle(events) -> None:
    """As if each delivery had succeeded, with its attempt logged."""
    Delivery.objects.filter(event__in=events).update(status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
    for d in Delivery.objects.filter(event__in=events):
        Attempt.objects.create(delivery=d, number=1, started_at=d.created_at, duration_ms=3, status_code=200,
                               succeeded=True)


def _age(events, days: float) -> None:
    then = timezone.now() - timedelta(days=days)
    Event.objects.filter(pk__in=[e.pk for e in events]).update(created_at=then)
    Delivery.objects.filter(event__in=events).update(created_at=then)


@pytest.mark.django_db
def test_old_settled_rows_go_and_recent_and_pending_ones_stay(account, httpserver):
    services.create_endpoint(account, httpserver.url_for("/hook"))
    old_done, old_pending, recent = _emit(account, 3)
    _age([old_done, old_pending], days=31)
    _settle([old_done, recent])

    result = retention.run()

    assert set(Event.objects.values_list("pk", flat=True)) == {old_pending.pk, recent.pk}
    assert not Delivery.objects.filter(event_id=old_done.pk).exists()
    assert Delivery.objects.get(event=old_pending).status == DeliveryStatus.PENDING  # still being retried
    assert Attempt.objects.filter(delivery__event=recent).count() == 1
    assert (result.handled[DELIVERIES], result.handled[EVENTS], result.more) == (1, 1, False)


@pytest.mark.django_db
def test_the_accounts_own_days_decide_at_the_injected_time(account, httpserver):
    services.create_endpoint(account, httpserver.url_for("/hook"))
    events = _emit(account, 2)
    _settle(events)
    set_retention(account, event_retention_days=3, webhook_delivery_retention_days=2)
    now = timezone.now()

    retention.run(now=now + timedelta(days=1, hours=23))
    assert Delivery.objects.count() == 2 and Attempt.objects.count() == 2

    retention.run(now=now + timedelta(days=2, hours=1))
    assert (Delivery.objects.count(), Attempt.objects.count(), Event.objects.count()) == (0, 0, 2)

    retention.run(now=now + timedelta(days=3, hours=1))
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_events_and_delivery_logs_go_with_the_message_content_they_carry(account, httpserver):
    """Payloads and request bodies hold message text: a shorter message retention cuts the
    events' and delivery logs' own, so no text outlives the account's promise."""
    services.create_endpoint(account, httpserver.url_for("/hook"))
    events = _emit(account, 2)
    _settle(events)
    set_retention(account, message_retention_days=2, event_retention_days=30, webhook_delivery_retention_days=30)
    now = timezone.now()

    retention.run(now=now + timedelta(days=1, hours=23))
    assert (Delivery.objects.count(), Event.objects.count()) == (2, 2)

    retention.run(now=now + timedelta(days=2, hours=1))
    assert (Delivery.objects.count(), Attempt.objects.count(), Event.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_an_event_stays_while_a_delivery_log_of_it_is_kept(account, httpserver):
    services.create_endpoint(account, httpserver.url_for("/hook"))
    events = _emit(account, 1)
    _settle(events)
    set_retention(account, event_retention_days=1, webhook_delivery_retention_days=10)

    retention.run(now=timezone.now() + timedelta(days=5))
    assert Event.objects.count() == 1  # its delivery can still be replayed: the body is needed

    retention.run(now=timezone.now() + timedelta(days=11))
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_event_streams_replay_window_is_kept_whatever_the_setting(account, settings):
    settings.WEBHOOKS_RETENTION_DAYS = 0
    _emit(account, 2)  # no endpoint: events for the stream only
    now = timezone.now()

    retention.run(now=now + timedelta(hours=23))
    assert Event.objects.count() == 2

    retention.run(now=now + timedelta(hours=25))
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_a_run_works_in_bounded_batches_and_says_when_more_is_left(account, settings):
    settings.RETENTION_BATCH_SIZE = 3
    settings.RETENTION_MAX_BATCHES_PER_RUN = 2
    _emit(account, 10)
    later = timezone.now() + timedelta(days=40)

    first = retention.run(now=later)
    assert (first.handled[EVENTS], first.more, Event.objects.count()) == (6, True, 4)

    second = retention.run(now=later)
    assert (second.handled[EVENTS], second.more, Event.objects.count()) == (4, False, 0)


@pytest.mark.django_db
def test_each_delete_names_at_most_one_batch_of_rows(account, settings):
    settings.RETENTION_BATCH_SIZE = 4
    _emit(account, 10)
    deletes: list[tuple[str, int]] = []

    def spy(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("DELETE"):
            deletes.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        retention.run(now=timezone.now() + timedelta(days=40))
    assert Event.objects.count() == 0
    # Every DELETE names its rows by id (no range delete), a batch at most.
    assert deletes and all(" IN (" in sql and n <= 4 for sql, n in deletes), deletes


@pytest.mark.django_db
def test_another_accounts_rows_are_untouched(account, other_account, httpserver):
    for a in (account, other_account):
        services.create_endpoint(a, httpserver.url_for(f"/{a.pk}"))
    mine, theirs = _emit(account, 2), _emit(other_account, 2)
    _settle(mine + theirs)
    _age(mine + theirs, days=5)
    set_retention(account, event_retention_days=2, webhook_delivery_retention_days=2)

    retention.run()

    assert not Event.objects.filter(account=account).exists()
    assert Event.objects.filter(account=other_account).count() == 2  # the default: 30 days
    assert Delivery.objects.filter(account=other_account).count() == 2
    assert Attempt.objects.filter(delivery__account=other_account).count() == 2


def test_the_beat_task_queues_itself_until_the_backlog_is_gone(account, transactional_db):
    """One run does RETENTION_BATCH_SIZE x RETENTION_MAX_BATCHES_PER_RUN rows per purger and
    account; the rest is done by the runs the task queues after itself, on a real worker."""
    old = _emit(account, 9)
    _age(old, days=40)
    recent = _emit(account, 1)
    worker = Worker(RETENTION_BATCH_SIZE=2, RETENTION_MAX_BATCHES_PER_RUN=1).start()
    try:
        apply_retention.delay()
        wait_for(lambda: Event.objects.count() == 1, timeout=60, message="the backlog was not purged")
    finally:
        worker.stop()
    assert list(Event.objects.values_list("pk", flat=True)) == [recent[0].pk]
    runs = worker.log.read_text().count("outreach.tasks.apply_retention") // 2  # received + succeeded
    assert runs >= 5  # nine rows, two per run
