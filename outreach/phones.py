"""Reading phone numbers the way users type them, storing E.164."""
from __future__ import annotations

import phonenumbers
from django.conf import settings

from .exceptions import InvalidInput


def to_e164(raw: str, *, region: str | None = None, field: str = "number") -> str:
    """``"(555) 123-4567"`` -> ``"+15551234567"``; raises InvalidInput with what to fix."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("A phone number is required.", field=field)
    try:
        parsed = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            f"{text!r} is not a phone number; use E.164 such as +15551234567.", field=field
        ) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(
            f"{text!r} cannot be a phone number (wrong length for its country); "
            "use E.164 such as +15551234567.",
            field=field,
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
