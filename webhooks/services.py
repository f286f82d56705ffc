"""The verbs of webhooks: emit events, manage endpoints and secrets, replay deliveries.

Delivery itself (claiming due rows, POSTing, recording attempts) lives in ``delivery.py``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from outreach.exceptions import Conflict, InvalidInput
from outreach.net import check_url

from . import signing
from .choices import DeliveryStatus, EventType, PayloadFormat
from .models import AccountSecret, Delivery, Endpoint, Event

#: Fields a client may change on an endpoint.
EDITABLE = ("url", "description", "event_types", "payload_format")


def url_target(url: str) -> str:
    return "u:" + hashlib.sha256(url.encode()).hexdigest()[:32]


def wake_after_commit(targets: Iterable[str]) -> None:
    """Ask a worker to drain these targets once the caller's transaction commits; a
    rolled-back event never wakes anything (and its rows are gone with it)."""
    targets = sorted(set(targets))
    if not targets:
        return
    from .drains import wake

    transaction.on_commit(lambda: wake(targets))


# --- events -----------------------------------------------------------------------------


def emit(account, event_type: str, payload: dict, extra_urls=()) -> Event:
    """Write the event and a delivery per subscribed endpoint and per extra URL, in the
    caller's transaction; workers deliver after commit."""
    return emit_many([(account, event_type, payload, extra_urls)])[0]


def emit_many(items: Iterable[tuple], *, returning: bool = True, to_endpoints: bool = True) -> list[Event]:
    """``emit`` for many events at once, (account, type, payload, extra_urls) each: one
    INSERT of the events, one query of endpoints per account, one INSERT of deliveries.
    Added for the message dispatcher, which records status changes by the chunk.

    ``to_endpoints=False``: delivered to their extra URLs alone, not to the account's
    endpoints (a status_callback whose body differs from the endpoints' one)."""
    items = list(items)
    known = set(EventType.values)  # a list built on every access: once per batch, not per item
    for _, event_type, _, _ in items:
        if event_type not in known:
            raise InvalidInput(f"Unknown webhook event type {event_type!r}.", field="event_type")
    if not items:
        return []
    if not returning and not any(extra for _, _, _, extra in items) and (not to_endpoints or not Endpoint.objects.filter(
        account_id__in={account.pk for account, _, _, _ in items}, enabled=True
    ).exists()):
        # Nothing to deliver and no caller needing the rows back (the message dispatcher):
        # the outbox rows alone, by COPY, several times cheaper than bulk_create's INSERT.
        _copy_events(items)
        return []
    # No savepoint inside the caller's transaction (two round trips saved per call);
    # alone, the events and their deliveries still commit together.
    with transaction.atomic(savepoint=False):
        events = Event.objects.bulk_create(
            [
                Event(account=account, type=event_type, payload=payload, extra_urls=[u for u in dict.fromkeys(extra or ()) if u])
                for account, event_type, payload, extra in items
            ],
            batch_size=1000,
        )
        accounts = {account.pk: account for account, _, _, _ in items}
        endpoints = {pk: [] for pk in accounts}
        for ep in Endpoint.objects.filter(account_id__in=list(accounts), enabled=True) if to_endpoints else ():
            endpoints[ep.account_id].append(ep)
        now = timezone.now()
        rows = []
        for event in events:
            rows += [
                Delivery(
                    account_id=event.account_id, event=event, endpoint=ep, url=ep.url, target=ep.target,
                    payload_format=ep.payload_format, next_attempt_at=now,
                )
                for ep in endpoints[event.account_id]
                if ep.receives(event.type)
            ]
            # A one-off URL is checked when it is attempted: one the guard refuses is
            # logged as a failed delivery, not dropped unseen.
            for url in event.extra_urls:
                rows.append(
                    Delivery(
                        account_id=event.account_id, event=event, endpoint=None, url=url, target=url_target(url),
                        payload_format=PayloadFormat.RAW, next_attempt_at=now,
                    )
                )
        if rows:
            Delivery.objects.bulk_create(rows, batch_size=1000)
            wake_after_commit(d.target for d in rows)
    return events


def _copy_events(items: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        Event.objects.bulk_create(
            [Event(account=a, type=t, payload=p, extra_urls=[]) for a, t, p, _ in items], batch_size=1000
        )
        return
    now = timezone.now()
    with connection.cursor() as cursor, cursor.cursor.copy(
        "COPY webhooks_event (account_id, type, payload, extra_urls, created_at) FROM STDIN"
    ) as copy:
        for account, event_type, payload, _ in items:
            copy.write_row((account.pk, event_type, json.dumps(payload, cls=DjangoJSONEncoder), "[]", now))


def send_test(account, endpoint: Endpoint) -> Delivery:
    """A ``webhook.test`` ping to this endpoint alone (even if it does not subscribe to it).
    A URL the outbound guard now refuses (DNS changed) is refused here, with the reason."""
    endpoint = get_endpoint(account, endpoint.pk)
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled; enable it before sending a test event.")
    check_url(endpoint.url)
    with transaction.atomic():
        event = Event.objects.create(
            account=account,
            type=EventType.WEBHOOK_TEST,
            payload={"message": "Test event from Outreach.", "endpoint_id": endpoint.pk},
        )
        delivery = Delivery.objects.create(
            account=account, event=event, endpoint=endpoint, url=endpoint.url, target=endpoint.target,
            payload_format=endpoint.payload_format, next_attempt_at=timezone.now(),
        )
        wake_after_commit([delivery.target])
    return delivery


# --- endpoints ----------------------------------------------------------------------------


def get_endpoint(account, pk) -> Endpoint:
    try:
        return Endpoint.objects.get(account=account, pk=pk)
    except (Endpoint.DoesNotExist, ValueError, TypeError):
        from outreach.exceptions import NotFound

        raise NotFound("Webhook endpoint not found.")


def clean_event_types(event_types) -> list[str]:
    if event_types is None:
        return []
    if not isinstance(event_types, (list, tuple)):
        raise InvalidInput("event_types must be a list of event types (empty for all).", field="event_types")
    unknown = [t for t in event_types if t not in EventType.values]
    if unknown:
        raise InvalidInput(
            f"Unknown event type(s): {', '.join(map(str, unknown))}. Choose from: {', '.join(EventType.values)}.",
            field="event_types",
        )
    return list(dict.fromkeys(event_types))


def create_endpoint(
    account, url: str, *, description: str = "", event_types=None,
    payload_format: str = PayloadFormat.ENVELOPE, secret: str | None = None, sendblue_secret: str = "",
) -> Endpoint:
    """``sendblue_secret``: a secret configured the Sendblue way, sent as ``sb-signing-secret``."""
    check_url(url)
    if payload_format not in PayloadFormat.values:
        raise InvalidInput(f"payload_format must be one of {', '.join(PayloadFormat.values)}.", field="payload_format")
    return Endpoint.objects.create(
        account=account,
        url=url,
        description=description or "",
        event_types=clean_event_types(event_types),
        payload_format=payload_format,
        secret=signing.validate_secret(secret) if secret else signing.new_secret(),
        sendblue_secret=signing.validate_sendblue_secret(sendblue_secret) if sendblue_secret else "",
    )


def set_endpoint_sendblue_secret(account, pk, secret: str) -> Endpoint:
    """Give an endpoint the Sendblue-style secret it is sent in ``sb-signing-secret``."""
    signing.validate_sendblue_secret(secret)
    endpoint = get_endpoint(account, pk)
    Endpoint.objects.filter(pk=endpoint.pk).update(sendblue_secret=secret, updated_at=timezone.now())
    endpoint.sendblue_secret = secret
    return endpoint


def update_endpoint(account, pk, **changes) -> Endpoint:
    unknown = set(changes) - set(EDITABLE) - {"enabled"}
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=get_endpoint(account, pk).pk)
        if "url" in changes:
            endpoint.url = check_url(changes["url"])
        if "description" in changes:
            endpoint.description = changes["description"] or ""
        if "event_types" in changes:
            endpoint.event_types = clean_event_types(changes["event_types"])
        if "payload_format" in changes:
            if changes["payload_format"] not in PayloadFormat.values:
                raise InvalidInput(
                    f"payload_format must be one of {', '.join(PayloadFormat.values)}.", field="payload_format"
                )
            endpoint.payload_format = changes["payload_format"]
        endpoint.save()
        if "enabled" in changes and changes["enabled"] != endpoint.enabled:
            if changes["enabled"]:
                enable_endpoint(account, endpoint.pk)
            else:
                disable_endpoint(account, endpoint.pk, "Disabled by a user.")
            endpoint.refresh_from_db()
    return endpoint


def delete_endpoint(account, pk) -> None:
    get_endpoint(account, pk).delete()


def enable_endpoint(account, pk) -> Endpoint:
    endpoint = get_endpoint(account, pk)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, disabled_reason="", disabled_at=None, failing_since=None, updated_at=timezone.now()
    )
    endpoint.refresh_from_db()
    return endpoint


def disable_endpoint(account, pk, reason: str) -> Endpoint:
    """Stop delivering to an endpoint; what was still pending fails (replayable later)."""
    endpoint = get_endpoint(account, pk)
    now = timezone.now()
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            enabled=False, disabled_reason=reason[:500], disabled_at=now, updated_at=now
        )
        Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None,
            last_error="Endpoint disabled before delivery.", updated_at=now,
        )
    endpoint.refresh_from_db()
    return endpoint


def _rotate(obj, grace_hours: float | None) -> str:
    hours = settings.WEBHOOKS_SECRET_GRACE_HOURS if grace_hours is None else grace_hours
    if hours < 0 or hours > 24 * 30:
        raise InvalidInput("grace_hours must be between 0 and 720.", field="grace_hours")
    now = timezone.now()
    obj.previous_secret = obj.secret
    obj.previous_secret_expires_at = now + timedelta(hours=hours)
    obj.secret = signing.new_secret()
    obj.secret_rotated_at = now
    obj.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at"])
    return obj.secret


def rotate_endpoint_secret(account, pk, grace_hours: float | None = None) -> Endpoint:
    """A new secret signs from now on; the old one keeps signing for the grace period."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=get_endpoint(account, pk).pk)
        _rotate(endpoint, grace_hours)
    return endpoint


def account_secret(account) -> AccountSecret:
    """The account's default secret, made on first use."""
    obj, _ = AccountSecret.objects.get_or_create(account=account, defaults={"secret": signing.new_secret()})
    return obj


def set_account_secret(account, secret: str) -> AccountSecret:
    signing.validate_secret(secret, "globalSecret")
    obj = account_secret(account)
    if obj.secret != secret:
        obj.previous_secret, obj.secret = "", secret
        obj.previous_secret_expires_at, obj.secret_rotated_at = None, timezone.now()
        obj.save()
    return obj


def set_sendblue_global_secret(account, secret: str) -> AccountSecret:
    """Sendblue's ``globalSecret``: sent as ``sb-signing-secret`` by every endpoint added the
    Sendblue way that has no secret of its own, and by status callbacks. A ``whsec_`` one
    also becomes the account's Standard Webhooks key (as ``set_account_secret``)."""
    signing.validate_sendblue_secret(secret, "globalSecret")
    obj = set_account_secret(account, secret) if signing.is_standard_secret(secret) else account_secret(account)
    if obj.sendblue_secret != secret:
        AccountSecret.objects.filter(pk=obj.pk).update(sendblue_secret=secret)
        obj.sendblue_secret = secret
    return obj


def rotate_account_secret(account, grace_hours: float | None = None) -> AccountSecret:
    with transaction.atomic():
        obj = AccountSecret.objects.select_for_update().get(pk=account_secret(account).pk)
        _rotate(obj, grace_hours)
    return obj


# --- replay -------------------------------------------------------------------------------


def _replay_rows(qs) -> int:
    now = timezone.now()
    with transaction.atomic():
        rows = list(qs.select_for_update(of=("self",)).exclude(status=DeliveryStatus.PENDING).values_list("id", "target"))
        if not rows:
            return 0
        Delivery.objects.filter(id__in=[r[0] for r in rows]).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, replayed_at=now, updated_at=now
        )
        wake_after_commit(r[1] for r in rows)
    return len(rows)


def replay_delivery(account, pk) -> Delivery:
    """Deliver again (same body, same webhook-id) with a fresh retry schedule."""
    try:
        delivery = Delivery.objects.select_related("endpoint").get(account=account, pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        from outreach.exceptions import NotFound

        raise NotFound("Webhook delivery not found.")
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict("This delivery is still pending; it will be attempted on its schedule.")
    if delivery.endpoint_id and not delivery.endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before replaying.")
    _replay_rows(Delivery.objects.filter(pk=delivery.pk))
    delivery.refresh_from_db()
    return delivery


def replay_failed(account, since: datetime, endpoint_pk=None) -> int:
    """Replay every failed delivery created since ``since`` (of one endpoint, or all enabled)."""
    if since > timezone.now():
        raise InvalidInput("since is in the future.", field="since")
    qs = Delivery.objects.filter(account=account, status=DeliveryStatus.FAILED, created_at__gte=since)
    if endpoint_pk is not None:
        endpoint = get_endpoint(account, endpoint_pk)
        if not endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it before replaying.")
        qs = qs.filter(endpoint=endpoint)
    else:
        qs = qs.exclude(endpoint__enabled=False)
    return _replay_rows(qs)
