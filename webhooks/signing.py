"""Standard Webhooks signing (https://www.standardwebhooks.com/).

The signed content is ``"{webhook-id}.{webhook-timestamp}.{body}"`` over the exact bytes
sent; the signature is ``v1,<base64 HMAC-SHA256>`` with the secret's decoded bytes as key.
While a rotated-out secret is in its grace period both sign, space-separated, as the
specification allows, so a receiver holding either secret verifies.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from outreach.exceptions import InvalidInput

PREFIX = "whsec_"
SECRET_BYTES = 24  # as Svix and the spec's examples; 192 bits


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def validate_secret(secret: str, field: str = "secret") -> str:
    """A secret a client brings must be ``whsec_`` + base64 of 24 to 64 bytes."""
    if not secret.startswith(PREFIX):
        raise InvalidInput(
            f"{field} must start with {PREFIX} followed by base64 (24 to 64 random bytes); "
            "leave it out to have one generated.",
            field=field,
        )
    try:
        raw = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field}: the part after {PREFIX} is not valid base64.", field=field)
    if not 24 <= len(raw) <= 64:
        raise InvalidInput(
            f"{field} must decode to 24 to 64 bytes, got {len(raw)}; leave it out to have one generated.",
            field=field,
        )
    return secret


SENDBLUE_SECRET_MAX = 255


def validate_sendblue_secret(secret: str, field: str = "secret") -> str:
    """A Sendblue-style secret: any 1 to 255 visible ASCII characters (it travels in a header)."""
    if not 1 <= len(secret) <= SENDBLUE_SECRET_MAX or not all(33 <= ord(c) <= 126 for c in secret):
        raise InvalidInput(
            f"{field} must be 1 to {SENDBLUE_SECRET_MAX} visible ASCII characters (no spaces); "
            "it is sent as the sb-signing-secret header.",
            field=field,
        )
    return secret


def is_standard_secret(secret: str) -> bool:
    """Whether ``secret`` is also a valid Standard Webhooks key (``whsec_`` + base64)."""
    try:
        validate_secret(secret)
    except InvalidInput:
        return False
    return True


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_)


def headers(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_, msg_id, timestamp, body),
    }
