"""Drains: who delivers what, when. The sending itself is in ``delivery``.

A *target* is an endpoint (``e:<id>``) or a one-off URL (``u:<digest>``). A drain task
works on one target: it takes a lease slot (at most ``WEBHOOKS_ENDPOINT_CONCURRENCY``
per target, across all workers), then claims and sends due deliveries batch after batch.
Retry waits are due times in the database; ``sweep`` (periodic) wakes targets with due
work, so a lost wake-up, a flushed broker or a killed worker only delays a delivery,
never loses it.

Isolation: a POST has a short timeout, and the first failed attempt ends the drain for
that target: its other claimed deliveries go back with a short cool-down instead of each
waiting out the same timeout. A failing target gets a single slot, so a dead endpoint
holds at most one worker process, briefly, and never another target's deliveries.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .choices import DeliveryStatus
from .delivery import BATCH, COOL_DOWN_SECONDS, MAX_COOL_DOWN_SECONDS, claim, deliver_batch, due
from .models import Delivery

#: A drain gives its slot back after this long and asks for a fresh one (fairness).
DRAIN_BUDGET_SECONDS = 20


# --- wake-ups and leases ----------------------------------------------------------------------


def _wake_key(target: str) -> str:
    return f"webhooks:wake:{target}"


def wake(targets) -> None:
    """Enqueue a drain per target unless one was just asked for (see ``drain``'s end)."""
    from .tasks import drain

    for target in targets:
        if cache.add(_wake_key(target), 1, timeout=10):
            drain.delay(target)


def _failing_key(target: str) -> str:
    return f"webhooks:failing:{target}"


def _slots(target: str) -> int:
    # A failing target gets one slot: probing a dead host must not take a second worker.
    return 1 if cache.get(_failing_key(target)) else max(1, settings.WEBHOOKS_ENDPOINT_CONCURRENCY)


def _acquire(target: str, slots: int) -> tuple[str, int] | None:
    ttl = int(DRAIN_BUDGET_SECONDS + settings.WEBHOOKS_TIMEOUT * 2 + 30)
    for slot in range(slots):
        key = f"webhooks:lease:{target}:{slot}"
        if cache.add(key, 1, timeout=ttl):
            return key, slot
    return None


def drain(target: str) -> int:
    """Deliver what is due for one target; returns the number of attempts made."""
    slots = _slots(target)
    acquired = _acquire(target, slots)
    if acquired is None:
        return 0  # the holders re-check for due work after they let go
    lease, slot = acquired
    made = 0
    again = False
    try:
        started = time.monotonic()
        helped = False
        while True:
            batch = claim(target)
            if not batch:
                break
            # Each failed probe in a row doubles the wait of the target's other deliveries,
            # so however many endpoints are dead, together they take little worker time.
            failures = cache.get(_failing_key(target)) or 0
            cool_down = min(COOL_DOWN_SECONDS * 2**failures, MAX_COOL_DOWN_SECONDS)
            made_now, failed = deliver_batch(
                target, batch, deadline=started + DRAIN_BUDGET_SECONDS, cool_down=cool_down
            )
            made += made_now
            if failed:
                cache.set(_failing_key(target), failures + 1, timeout=24 * 3600)
                break
            cache.delete(_failing_key(target))
            if slot == 0 and not helped and len(batch) == BATCH and slots > 1:
                # A backlog on a target that answers: ask for helpers to fill its other
                # slots (wake-ups are one per target, so nothing else would). Not before
                # a batch went through: each helper of a dead target would wait out the
                # timeout in a worker process of its own.
                _ask_for_helpers(target, slots - 1)
                helped = True
            if time.monotonic() - started > DRAIN_BUDGET_SECONDS:
                again = True  # give the slot back; a fresh task queues behind other targets'
                break
    finally:
        # Order matters: let go, forget the wake-up, then look again. An event committed
        # before this look is seen here; one committed after finds no wake key and wakes.
        cache.delete(lease)
        cache.delete(_wake_key(target))
        if again or due(target).exists():
            wake([target])
        else:
            _follow_up(target)
    return made


def _ask_for_helpers(target: str, count: int) -> None:
    from .tasks import drain as drain_task

    for _ in range(count):
        drain_task.delay(target)


#: Waits up to this long are kept by a delayed task as well as by the sweep; longer ones
#: only by the sweep (long countdowns get redelivered by Redis after its visibility timeout).
SHORT_WAIT_SECONDS = 30


def _follow_up(target: str) -> None:
    """Come back for a short retry (the 5 s one) without waiting for the next sweep."""
    soonest = (
        Delivery.objects.filter(target=target, status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    )
    if soonest is None:
        return
    wait = (soonest - timezone.now()).total_seconds()
    if wait <= SHORT_WAIT_SECONDS:
        from .tasks import drain as drain_task

        drain_task.apply_async((target,), countdown=max(0.0, wait) + 0.05)


# --- periodic -----------------------------------------------------------------------------------


def sweep() -> int:
    """Wake every target with due work (retries whose time came, lost wake-ups)."""
    targets = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by()  # else Meta.ordering's columns join the DISTINCT: one row per delivery
        .values_list("target", flat=True).distinct()
    )
    wake(targets)
    return len(targets)
