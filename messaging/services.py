"""The verbs of messaging."""
from __future__ import annotations

from outreach.exceptions import InvalidInput
from outreach.models import Account
from outreach.phones import to_e164

from .choices import Provider
from .models import Line


def add_line(
    account: Account,
    number: str,
    provider: str = Provider.SANDBOX,
    *,
    name: str = "",
    provider_settings: dict | None = None,
) -> Line:
    number = to_e164(number, field="number")
    if provider not in Provider.values:
        raise InvalidInput(
            f"Unknown provider {provider!r}; use one of {', '.join(Provider.values)}.",
            field="provider",
        )
    if Line.objects.filter(number=number).exists():
        raise InvalidInput(f"The line {number} already exists.", field="number")
    return Line.objects.create(
        account=account,
        number=number,
        provider=provider,
        name=name,
        provider_settings=provider_settings or {},
    )
