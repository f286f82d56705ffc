"""The BlueBubbles server password, sealed at rest in ``Line.provider_settings``.

The project has no ``cryptography`` dependency, so this is the standard library's
HMAC-SHA256 used two ways: as a PRF in counter mode for the keystream, and as the MAC over
nonce + ciphertext (encrypt-then-MAC). Both keys are derived from ``SECRET_KEY``, so a
database dump alone does not reveal the password; rotating ``SECRET_KEY`` makes old values
unreadable, which surfaces as "enter the password again" on the line.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

PREFIX = "v1:"
NONCE_BYTES = 16
TAG_BYTES = 32


class SealError(ValueError):
    """The sealed value was not made with this SECRET_KEY (or was altered)."""


def _keys() -> tuple[bytes, bytes]:
    root = settings.SECRET_KEY.encode()
    enc = hmac.new(root, b"outreach.bluebubbles.password.enc", hashlib.sha256).digest()
    mac = hmac.new(root, b"outreach.bluebubbles.password.mac", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(plaintext: str) -> str:
    enc, mac = _keys()
    nonce = secrets.token_bytes(NONCE_BYTES)
    data = plaintext.encode()
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(enc, nonce, len(data)), strict=True))
    tag = hmac.new(mac, nonce + cipher, hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def unseal(token: str) -> str:
    if not token.startswith(PREFIX):
        raise SealError("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode())
    except (ValueError, TypeError):
        raise SealError("not a sealed value") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealError("sealed value too short")
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    enc, mac = _keys()
    if not hmac.compare_digest(tag, hmac.new(mac, nonce + cipher, hashlib.sha256).digest()):
        raise SealError("sealed with another SECRET_KEY, or altered")
    return bytes(a ^ b for a, b in zip(cipher, _keystream(enc, nonce, len(cipher)), strict=True)).decode()


def secrets_of(settings: dict) -> list[str]:
    """The secrets a BlueBubbles line's settings hold, readable: the webhook token and the
    server password (stored sealed; unreadable, it cannot be in an error text either)."""
    found = [settings.get("webhook_token") or ""]
    sealed = settings.get("password") or ""
    if sealed:
        try:
            found.append(unseal(sealed))
        except SealError:
            pass
    return [s for s in found if s]
