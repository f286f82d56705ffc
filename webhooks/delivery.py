"""Sending webhooks: claim due deliveries, POST them signed, record every attempt, apply
the retry schedule and the endpoint's health. Which target is drained when is ``drains``.

Deliveries are claimed in batches with ``SKIP LOCKED`` and POSTed one after another over a
keep-alive session of the outbound guard (``outreach.net``: the checked address is the
one connected to, redirects are not followed); the first failure ends the batch and the
rest wait a short cool-down. A URL the guard refuses fails for good (replayable), with the
reason in the attempt log.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outreach import net
from outreach.db import relax_commit

from . import signing
from .choices import DeliveryStatus, PayloadFormat
from .models import AccountSecret, Attempt, Delivery, Endpoint, Event
from .services import account_secret, disable_endpoint

logger = logging.getLogger(__name__)

BATCH = 100
#: How long claimed rows stay invisible to other drains (a crashed worker's rows come back).
CLAIM_SECONDS = 300
#: After a failure, the target's other due deliveries wait this long before the next probe.
COOL_DOWN_SECONDS = 5
#: The cool-down doubles with each failed probe of a target, up to this.
MAX_COOL_DOWN_SECONDS = 600
USER_AGENT = "Outreach-Webhooks/1.0"
#: The header Sendblue receivers compare with the secret they configured.
SENDBLUE_SECRET_HEADER = "sb-signing-secret"
#: Bytes of a receiver's answer read (the log keeps an excerpt); more drops the connection.
MAX_RESPONSE_BYTES = 256 * 1024

_session: net.GuardedSession | None = None


def session() -> net.GuardedSession:
    """One keep-alive session per worker process: reconnecting per POST would halve throughput.
    Pools are per (host, checked address)."""
    global _session
    if _session is None:
        _session = net.GuardedSession(pool_connections=64, pool_maxsize=4)
        _session.headers["User-Agent"] = USER_AGENT
    return _session


def due(target: str):
    return Delivery.objects.filter(
        target=target, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    )


def claim(target: str, limit: int = BATCH) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        relax_commit()  # a claim lost in a crash is sent again: at least once, as webhooks promise
        ids = list(
            due(target).order_by("next_attempt_at", "id").select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    if not ids:
        return []
    return list(
        Delivery.objects.filter(id__in=ids).select_related("event", "endpoint", "account").order_by("id")
    )


# --- one batch ------------------------------------------------------------------------------


def body_bytes(event: Event, payload_format: str) -> bytes:
    """The exact bytes sent; rebuilt identically on every attempt and replay."""
    if payload_format == PayloadFormat.RAW:
        doc = event.payload
    else:
        doc = {
            "type": event.type,
            "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
            "data": event.payload,
        }
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Outcome:
    delivery: Delivery
    started_at: object
    duration_ms: int
    headers: dict
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    #: Not to be retried: the outbound guard refused the URL.
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class Batch:
    outcomes: list[Outcome] = field(default_factory=list)
    #: Not tried because an attempt failed: they wait the cool-down.
    untried: list[Delivery] = field(default_factory=list)
    cool_down: float = COOL_DOWN_SECONDS
    #: Not tried because the drain's time was up: due again at once.
    released: list[Delivery] = field(default_factory=list)


@dataclass(frozen=True)
class Signer:
    #: Standard Webhooks secrets, the current one first.
    secrets: list[str]
    #: Sent verbatim as ``sb-signing-secret`` (Sendblue's scheme), or "".
    sendblue_secret: str = ""


def _signer(delivery: Delivery, cache_: dict) -> Signer:
    """How a delivery is signed: its endpoint's secrets, else the account's. Raw (Sendblue)
    bodies also carry ``sb-signing-secret``: the endpoint's Sendblue secret, else the
    account's ``globalSecret``."""
    def account() -> AccountSecret:
        # By account: a one-off URL's target is the URL's, and two accounts may share it.
        if delivery.account_id not in cache_:
            cache_[delivery.account_id] = account_secret(delivery.account)
        return cache_[delivery.account_id]

    if delivery.endpoint_id:
        endpoint = delivery.endpoint
        sendblue = endpoint.sendblue_secret
        if not sendblue and delivery.payload_format == PayloadFormat.RAW:
            sendblue = account().sendblue_secret
        return Signer(endpoint.signing_secrets(), sendblue)
    return Signer(account().signing_secrets(), account().sendblue_secret)


def post(delivery: Delivery, body: bytes, signer: Signer) -> Outcome:
    timestamp = int(time.time())
    headers = signing.headers(signer.secrets, delivery.event.webhook_id, timestamp, body)
    headers["content-type"] = "application/json"
    headers["x-outreach-event"] = delivery.event.type
    started_at = timezone.now()
    t0 = time.perf_counter()
    # The attempt log keeps the headers sent, with the Sendblue secret's value left out.
    outcome = Outcome(delivery, started_at, 0, dict(headers))
    if signer.sendblue_secret:
        headers[SENDBLUE_SECRET_HEADER] = signer.sendblue_secret
        outcome.headers[SENDBLUE_SECRET_HEADER] = "[redacted]"
    try:
        response = net.send_body(
            session(), "POST", delivery.url, body=body, headers=headers, timeout=settings.WEBHOOKS_TIMEOUT,
            max_bytes=MAX_RESPONSE_BYTES, truncate=True,
        )
        outcome.status_code = response.status_code
        # Decode only the excerpt, as UTF-8: charset sniffing of the whole body costs more than the POST.
        outcome.excerpt = response.content[: Attempt.EXCERPT].decode("utf-8", "replace")
        if not outcome.ok:
            outcome.error = f"HTTP {response.status_code}"
    except net.OutboundRefused as exc:
        outcome.error, outcome.permanent = f"Refused: {exc.message}", True
    except requests.Timeout:
        outcome.error = f"Timed out after {settings.WEBHOOKS_TIMEOUT:g} s."
    except requests.RequestException as exc:
        outcome.error = f"Connection failed: {type(exc).__name__}: {str(exc)[:300]}"
    outcome.duration_ms = int((time.perf_counter() - t0) * 1000)
    return outcome


def deliver_batch(
    target: str, batch: list[Delivery], deadline: float | None = None, cool_down: float = COOL_DOWN_SECONDS
) -> tuple[int, bool]:
    """POST each delivery in turn until one fails or ``deadline`` (``time.monotonic``)
    passes; record everything in one transaction. Returns (attempts, failed).

    The deadline keeps a drain on a slow endpoint well inside its lease and the task's
    time limit, so a slow receiver never gets a delivery twice from a killed task."""
    result = Batch(cool_down=cool_down)
    endpoint = batch[0].endpoint
    if endpoint is not None:
        # An endpoint's pending deliveries follow it when its URL is edited.
        for d in batch:
            d.url = endpoint.url
    if endpoint is not None and not endpoint.enabled:
        _refuse(batch, "Endpoint disabled before delivery.")
        return 0, True
    bodies: dict[tuple[int, str], bytes] = {}
    secrets_cache: dict = {}
    for i, delivery in enumerate(batch):
        key = (delivery.event_id, delivery.payload_format)
        if key not in bodies:
            bodies[key] = body_bytes(delivery.event, delivery.payload_format)
        if deadline is not None and i and time.monotonic() > deadline:
            result.released = batch[i:]
            break
        outcome = post(delivery, bodies[key], _signer(delivery, secrets_cache))
        result.outcomes.append(outcome)
        if outcome.permanent:
            # Same URL for the whole batch: each is refused for the same reason, unsent.
            result.outcomes += [
                Outcome(d, outcome.started_at, 0, {}, error=outcome.error, permanent=True) for d in batch[i + 1 :]
            ]
            break
        if not outcome.ok:
            result.untried = batch[i + 1 :]
            break
    record(endpoint, result)
    return len(result.outcomes), bool(result.untried) or not result.outcomes[-1].ok


def _refuse(batch: list[Delivery], reason: str) -> None:
    now = timezone.now()
    Delivery.objects.filter(id__in=[d.pk for d in batch]).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=reason[:500], updated_at=now
    )


def next_wait(attempts_made: int) -> int | None:
    """Seconds until the next attempt after ``attempts_made`` attempts, or None when the
    schedule is spent. The schedule lists the wait before each attempt (first: 0)."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    return schedule[attempts_made] if attempts_made < len(schedule) else None


def record(endpoint: Endpoint | None, result: Batch) -> None:
    now = timezone.now()
    with transaction.atomic():
        relax_commit()  # a claim lost in a crash is sent again: at least once, as webhooks promise
        Attempt.objects.bulk_create(
            Attempt(
                delivery=o.delivery, number=o.delivery.attempts + 1, started_at=o.started_at,
                duration_ms=o.duration_ms, status_code=o.status_code, succeeded=o.ok,
                error=o.error[:500], request_headers=o.headers, response_excerpt=o.excerpt,
            )
            for o in result.outcomes
        )
        succeeded: dict[int, list[int]] = {}
        for o in result.outcomes:
            if o.ok:
                succeeded.setdefault(o.status_code, []).append(o.delivery.pk)
                continue
            made = o.delivery.attempts + 1
            wait = None if o.permanent else next_wait(made)
            Delivery.objects.filter(pk=o.delivery.pk).update(
                url=o.delivery.url, attempts=made, last_status_code=o.status_code, last_error=o.error[:500], updated_at=now,
                status=DeliveryStatus.PENDING if wait is not None else DeliveryStatus.FAILED,
                next_attempt_at=now + timedelta(seconds=wait) if wait is not None else None,
            )
        # Successes are most of the traffic: one UPDATE per status code, not per row.
        for code, ids in succeeded.items():
            Delivery.objects.filter(id__in=ids).update(
                url=result.outcomes[0].delivery.url,
                status=DeliveryStatus.SUCCEEDED, attempts=F("attempts") + 1, last_status_code=code,
                last_error="", next_attempt_at=None, delivered_at=now, updated_at=now,
            )
        if result.untried:
            Delivery.objects.filter(id__in=[d.pk for d in result.untried]).update(
                next_attempt_at=now + timedelta(seconds=result.cool_down)
            )
        if result.released:
            Delivery.objects.filter(id__in=[d.pk for d in result.released]).update(next_attempt_at=now)
        if endpoint is not None and any(o.ok for o in result.outcomes):
            _note_success(endpoint, now)
    if endpoint is not None and not result.outcomes[-1].ok:
        _track_failure(endpoint, result, now)


def _note_success(endpoint: Endpoint, now) -> None:
    """A success ends the failure streak. ``last_success_at`` is written at most once a
    minute while all is well: a write per batch would cost a commit per 100 deliveries."""
    fresh = endpoint.last_success_at and now - endpoint.last_success_at < timedelta(minutes=1)
    if endpoint.failing_since is None and fresh:
        return
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None, last_success_at=now)


def _track_failure(endpoint: Endpoint, result: Batch, now) -> None:
    """A failure starts a streak (if none runs); a streak past the limit disables the endpoint."""
    last = result.outcomes[-1]
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since", "enabled"])
    limit = timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    if endpoint.enabled and endpoint.failing_since and now - endpoint.failing_since >= limit:
        since = timezone.localtime(endpoint.failing_since).strftime("%Y-%m-%d %H:%M %Z")
        disable_endpoint(
            endpoint.account,
            endpoint.pk,
            f"Disabled automatically: no successful delivery since {since}. Last error: {last.error}",
        )
        logger.warning("webhook endpoint %s disabled after a failure streak", endpoint.pk)
