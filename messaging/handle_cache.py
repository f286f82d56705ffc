"""What a provider told an account about an address: the service it can receive (iMessage
or SMS), kept per account and provider (``Handle``) and trusted for one window,
``HANDLE_FRESH_DAYS``, wherever it is read.

Scoped because a lookup is only as good as who made it: the sandbox answers by the
number's last digits (a real number ending in 01 is "SMS" there), and one account's Mac
may see an address differently from another's.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Handle, Line


def fresh_for() -> timedelta:
    return timedelta(days=settings.HANDLE_FRESH_DAYS)


def known(line: Line, address: str) -> Handle | None:
    """The service ``line``'s provider taught its account about ``address``, while fresh."""
    since = timezone.now() - fresh_for()
    return (
        Handle.objects.filter(account_id=line.account_id, provider=line.provider, address=address)
        .exclude(service="")
        .filter(checked_at__gt=since)
        .first()
    )


def remember(line: Line, address: str, service: str) -> Handle:
    handle, _ = Handle.objects.update_or_create(
        account_id=line.account_id, provider=line.provider, address=address,
        defaults={"service": service, "checked_at": timezone.now()},
    )
    return handle
