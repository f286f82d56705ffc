"""Helpers for webhook tests: read what a local receiver got and verify it as a customer
would, with the ``standardwebhooks`` library from PyPI."""
from __future__ import annotations

import json

from standardwebhooks.webhooks import Webhook

from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery


def received(httpserver, path: str = "/hook") -> list:
    """Requests the receiver got on ``path``, oldest first."""
    return [req for req, _ in httpserver.log if req.path == path]


def verify(secret: str, request) -> dict:
    """Verify a received request's signature; returns the JSON body."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    Webhook(secret).verify(request.get_data(), headers)
    return json.loads(request.get_data())


def settled(delivery_pk: int) -> Delivery | None:
    d = Delivery.objects.get(pk=delivery_pk)
    return d if d.status != DeliveryStatus.PENDING else None
