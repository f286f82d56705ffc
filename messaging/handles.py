"""Services about addresses on the network: which service a number or Apple ID can
receive (``/api/evaluate-service``), and typing indicators."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from outreach.models import Account

from . import validation
from .models import Handle, Line
from .providers import provider_for
from .services import pick_line, resolve_from_line

#: A lookup is asked of the network again after this long (phones change hands).
HANDLE_FRESH_FOR = timedelta(days=7)


def line_for(account: Account, address: str, from_number: str | None = None) -> Line:
    """The line that talks to ``address``: ``from_number``, else its sticky or least busy line."""
    if from_number:
        return resolve_from_line(account, from_number)
    line, _ = pick_line(account, address)
    return line


def evaluate_service(account: Account, raw: str) -> Handle:
    """iMessage or SMS for a number or email, cached on the Handle for a week."""
    address = validation.normalize_address(raw, field="number")
    handle = Handle.objects.filter(address=address).first()
    now = timezone.now()
    if handle and handle.service and handle.checked_at and now - handle.checked_at < HANDLE_FRESH_FOR:
        return handle
    service = provider_for(line_for(account, address)).lookup(address)
    handle, _ = Handle.objects.update_or_create(
        address=address, defaults={"service": service, "checked_at": now}
    )
    return handle


def send_typing(account: Account, raw: str, from_number: str | None = None) -> str:
    """Show the typing dots to ``raw`` from the line that talks to it; returns the address.

    A typing indicator is ephemeral (nothing is stored, nothing retried), so it goes to
    the network at once rather than through the queue.
    """
    address = validation.normalize_address(raw, field="number")
    provider_for(line_for(account, address, from_number)).typing(address)
    return address
