"""Checks on what a client asks to send (seeds 000-002)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from phonenumbers import shortnumberinfo

from outreach.exceptions import InvalidInput
from outreach.net import check_url
from outreach.phones import to_e164

from .choices import ErrorCode, SendStyle

#: Messages must be shorter than this (seeds 000/001).
MAX_CONTENT_LENGTH = 18996
MAX_MEDIA_BYTES = 5 * 1024 * 1024
#: Longest status_callback or media_url a message stores (its URLField's max_length).
MAX_URL_LENGTH = 2000
MEDIA_EXTENSIONS = {
    ".png", ".jpg", ".jpeg", ".gif", ".heic", ".heif", ".webp", ".tiff", ".bmp",
    ".mp4", ".mov", ".m4v", ".3gp", ".caf", ".m4a", ".mp3", ".wav", ".pdf", ".vcf",
}
#: Query parameters that mark a signed URL (S3, GCS, Azure, CloudFront).
SIGNED_URL_PARAMS = {
    "x-amz-signature", "x-amz-credential", "x-goog-signature", "signature", "sig",
    "se", "key-pair-id", "policy", "expires",
}


class Blacklisted(InvalidInput):
    status_code = 400
    error_code = ErrorCode.BLACKLISTED


def normalize_address(raw: str, *, field: str = "number") -> str:
    """An E.164 number, or an Apple ID email (lower-cased)."""
    text = (raw or "").strip()
    if "@" in text:
        try:
            EmailValidator()(text)
        except ValidationError:
            raise InvalidInput(f"{text!r} is not a valid email address.", field=field) from None
        return text.lower()
    refuse_emergency(text, field=field)
    number = to_e164(text, field=field)
    refuse_emergency(number, field=field)
    return number


def refuse_emergency(text: str, *, field: str) -> None:
    digits = re.sub(r"[^\d+]", "", text)
    if not digits:
        return
    try:
        parsed = phonenumbers.parse(digits, None if digits.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return
    national = str(parsed.national_number)
    region = phonenumbers.region_code_for_number(parsed) or "US"
    if shortnumberinfo.is_emergency_number(national, region) or national in {"911", "112", "999", "000"}:
        raise Blacklisted(
            f"{text} is an emergency or blacklisted number and cannot be messaged.", field=field
        )


#: How far ahead a send may be scheduled (the least: ``SCHEDULED_SEND_MIN_SECONDS``, 60).
SEND_AT_MAX = timedelta(days=35)
#: A client that asks for exactly "in one minute" is a little late by the time it arrives.
SEND_AT_SLACK = timedelta(seconds=5)


def validate_send_at(when, now: datetime, *, field: str = "send_at") -> datetime:
    """A scheduled send's time: an aware datetime 1 minute to 35 days from ``now``."""
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise InvalidInput(f"{field} must be an ISO 8601 time with a zone, e.g. 2026-12-24T15:00:00Z.", field=field)
    least = timedelta(seconds=settings.SCHEDULED_SEND_MIN_SECONDS)
    if not now + least - SEND_AT_SLACK <= when <= now + SEND_AT_MAX:
        raise InvalidInput(
            f"{field} must be {settings.SCHEDULED_SEND_MIN_SECONDS:g} seconds to 35 days from now "
            f"(it is {when.isoformat()}, now is {now.replace(microsecond=0).isoformat()}).",
            field=field,
        )
    return when


def validate_expires_at(when, now: datetime, send_at: datetime | None, *, field: str = "expires_at") -> datetime:
    """A message's deadline: an aware datetime in the future, after ``send_at`` if given."""
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise InvalidInput(f"{field} must be an ISO 8601 time with a zone, e.g. 2026-12-24T15:00:00Z.", field=field)
    if when <= now:
        raise InvalidInput(f"{field} must be in the future (it is {when.isoformat()}).", field=field)
    if send_at is not None and when <= send_at:
        raise InvalidInput(f"{field} must be after send_at ({send_at.isoformat()}).", field=field)
    return when


def validate_content(content: str, media_url: str) -> None:
    if not content and not media_url:
        raise InvalidInput("Send content, media_url, or both.", field="content")
    if content and len(content) >= MAX_CONTENT_LENGTH:
        raise InvalidInput(
            f"content must be shorter than {MAX_CONTENT_LENGTH} characters (got {len(content)}); "
            "split it into several messages.",
            field="content",
        )


def validate_media_url(url: str, *, field: str = "media_url") -> None:
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput(f"{field} must be an http(s) URL.", field=field) from None
    check_url(url, field=field, resolve_host=False)  # the provider fetches it through the guard
    parts = urlsplit(url)
    path = parts.path.lower()
    if not any(path.endswith(ext) for ext in MEDIA_EXTENSIONS):
        raise InvalidInput(
            f"{field} must end with a file extension such as .png, .jpg, .gif, .mp4 or .caf.",
            field=field,
        )
    params = {k.lower() for k in parse_qs(parts.query)}
    if params & SIGNED_URL_PARAMS:
        raise InvalidInput(
            f"{field} looks like a signed URL, which is not supported; upload the file with "
            "POST /api/upload-media-object and send the URL it returns.",
            field=field,
        )


def validate_send_style(style: str) -> None:
    if style and style not in SendStyle.values:
        raise InvalidInput(
            f"Unknown send_style {style!r}; use one of {', '.join(SendStyle.values)}.",
            field="send_style",
        )


def validate_priority(priority: int) -> None:
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100:
        raise InvalidInput("priority must be a whole number from 0 to 100.", field="priority")


def validate_callback(url: str) -> None:
    """The outbound guard's syntax check, without DNS (the send path stays fast): a trick
    like ``http://127.0.0.1:8399\\@93.184.216.34/hook`` is refused here; each delivery is
    checked again, address and all (webhooks)."""
    if not url:
        return
    check_url(url, field="status_callback", resolve_host=False)
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"status_callback is over {MAX_URL_LENGTH} characters.", field="status_callback")
