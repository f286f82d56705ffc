"""The Sendblue-compatible webhook configuration (``/api/account/webhooks``) over endpoints.

Sendblue groups URLs by type; here each type is an event (``receive`` ->
``message.received``, ``outbound`` -> ``message.status_updated``, ``call_log`` ->
``call_completed``) and each URL is an ``Endpoint`` posting raw Sendblue bodies. The
account's default secret plays ``globalSecret``; secrets are never listed back.
"""
from __future__ import annotations

from django.db import transaction

from outreach.exceptions import InvalidInput, NotFound
from outreach.net import check_url

from . import services, signing
from .choices import SENDBLUE_EVENTS, EventType, PayloadFormat
from .models import Endpoint


def types_of(endpoint: Endpoint) -> list[str]:
    return [t for t, event in SENDBLUE_EVENTS.items() if endpoint.receives(event)]


def config(account) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t: [] for t in SENDBLUE_EVENTS}
    for endpoint in Endpoint.objects.filter(account=account, enabled=True):
        for t in types_of(endpoint):
            out[t].append(endpoint.url)
    return out


def _check_all(hooks: list[dict]) -> None:
    for i, hook in enumerate(hooks):
        check_url(hook["url"], field=f"webhooks.{i}")


def add(account, type_: str, hooks: list[dict], global_secret: str | None = None) -> None:
    """Append URLs to a type (a URL already there gains the type)."""
    _check_all(hooks)
    event = SENDBLUE_EVENTS[type_]
    with transaction.atomic():
        if global_secret:
            services.set_sendblue_global_secret(account, global_secret)
        for hook in hooks:
            _subscribe(account, hook, event)


def _subscribe(account, hook: dict, event: str) -> None:
    endpoint = Endpoint.objects.filter(account=account, url=hook["url"]).first()
    if endpoint is None:
        _create(account, hook, [event])
        return
    if not endpoint.receives(event):
        services.update_endpoint(account, endpoint.pk, event_types=[*endpoint.event_types, event])
    if hook["secret"] and hook["secret"] != endpoint.sendblue_secret:
        services.set_endpoint_sendblue_secret(account, endpoint.pk, hook["secret"])


def _create(account, hook: dict, events: list[str]) -> Endpoint:
    """An endpoint posting raw Sendblue bodies. Its secret goes out verbatim as
    ``sb-signing-secret``; a ``whsec_`` one also keys its Standard Webhooks signature
    (any other: a generated key does)."""
    secret = hook["secret"] or ""
    return services.create_endpoint(
        account, hook["url"], description="Added through /api/account/webhooks", event_types=events,
        payload_format=PayloadFormat.RAW, secret=secret if signing.is_standard_secret(secret) else None,
        sendblue_secret=secret,
    )


def replace(account, webhooks: dict) -> None:
    """Make the account's URLs exactly these, per type; kept URLs keep secret and log."""
    wanted: dict[str, set[str]] = {}
    hooks: dict[str, dict] = {}
    for type_, event in SENDBLUE_EVENTS.items():
        for hook in webhooks.get(type_, []):
            wanted.setdefault(hook["url"], set()).add(event)
            hooks.setdefault(hook["url"], hook)
    _check_all(list(hooks.values()))
    with transaction.atomic():
        if webhooks.get("globalSecret"):
            services.set_sendblue_global_secret(account, webhooks["globalSecret"])
        for endpoint in Endpoint.objects.filter(account=account):
            events = wanted.pop(endpoint.url, None)
            if events is None:
                endpoint.delete()
            else:
                services.update_endpoint(account, endpoint.pk, event_types=sorted(events))
                secret = hooks[endpoint.url]["secret"]
                if secret and secret != endpoint.sendblue_secret:
                    services.set_endpoint_sendblue_secret(account, endpoint.pk, secret)
        for url, events in wanted.items():
            _create(account, hooks[url], sorted(events))


def remove(account, urls: list[str], type_: str | None = None) -> int:
    """Remove URLs (from one type only, when given); returns how many endpoints changed."""
    if not urls:
        raise InvalidInput("Give the URLs to remove in webhook_urls.", field="webhook_urls")
    changed = 0
    with transaction.atomic():
        for endpoint in Endpoint.objects.filter(account=account, url__in=urls):
            if type_ is None:
                endpoint.delete()
                changed += 1
                continue
            event = SENDBLUE_EVENTS[type_]
            if not endpoint.receives(event):
                continue
            remaining = [e for e in (endpoint.event_types or EventType.values) if e != event]
            if remaining:
                services.update_endpoint(account, endpoint.pk, event_types=remaining)
            else:
                endpoint.delete()
            changed += 1
    if not changed:
        raise NotFound(f"No webhook{' of type ' + type_ if type_ else ''} has the URL(s) {', '.join(urls)}.")
    return changed
