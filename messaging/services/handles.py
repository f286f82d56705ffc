"""Services about addresses on the network: which service a number or Apple ID can
receive (``/api/evaluate-service``), and typing indicators."""
from __future__ import annotations

from outreach.models import Account

from .. import handle_cache, validation
from ..lines import line_for
from ..models import Handle
from ..providers.registry import provider_for


def evaluate_service(account: Account, raw: str) -> Handle:
    """iMessage or SMS for a number or email, as the line that talks to it knows it
    (cached per account and provider for ``HANDLE_FRESH_DAYS``)."""
    address = validation.normalize_address(raw, field="number")
    line = line_for(account, address)
    handle = handle_cache.known(line, address)
    if handle is not None:
        return handle
    return handle_cache.remember(line, address, provider_for(line).lookup(address))


def send_typing(account: Account, raw: str, from_number: str | None = None) -> str:
    """Show the typing dots to ``raw`` from the line that talks to it; returns the address.

    A typing indicator is ephemeral (nothing is stored, nothing retried), so it goes to
    the network at once rather than through the queue.
    """
    address = validation.normalize_address(raw, field="number")
    provider_for(line_for(account, address, from_number)).typing(address)
    return address
