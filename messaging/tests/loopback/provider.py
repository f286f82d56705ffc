"""Loopback: a minimal third provider. It sends by POSTing JSON to the line's ``url`` and
hears back on messaging's generic callback route. The tests use it to prove that a
provider is one package plus one registry line; it is not shipped to production."""
from __future__ import annotations

import json

import requests

from messaging.choices import Status
from messaging.providers.base import (
    BadCallback,
    BaseProvider,
    ProviderEvent,
    SendResult,
    TransientProviderError,
)
from outreach import net

WORDS = {"sent": Status.SENT, "delivered": Status.DELIVERED, "read": Status.READ, "failed": Status.ERROR}


class LoopbackProvider(BaseProvider):
    name = "loopback"

    def send(self, message) -> SendResult:
        body = {"handle": str(message.handle), "to": message.to_number, "text": message.content}
        try:
            response = net.request("POST", self.settings["url"], json=body, timeout=5)
        except requests.RequestException as exc:
            raise TransientProviderError(f"the loopback network is unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise TransientProviderError(f"the loopback network answered {response.status_code}")
        return SendResult(provider_message_id=response.json()["id"])

    def parse_callback(self, request) -> list[ProviderEvent]:
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            raise BadCallback("Expected a JSON object.") from None
        if not isinstance(body, dict) or not (body.get("from") or body.get("status") in WORDS):
            raise BadCallback('Expected {"id", "status"} or {"id", "from", "text"}.')
        if body.get("from"):
            return [ProviderEvent(kind="inbound", from_address=body["from"], to_number=self.line.number,
                                  content=body.get("text", ""), provider_message_id=body.get("id", ""), raw=body)]
        return [ProviderEvent(kind="status", status=WORDS[body["status"]], provider_message_id=body.get("id", ""), raw=body)]
