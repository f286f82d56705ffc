"""One authentication class for every credential form.

- ``X-API-Key: <key_id>.<secret>`` and ``Authorization: Bearer <key_id>.<secret>`` (v1)
- ``sb-api-key-id: <key_id>`` + ``sb-api-secret-key: <secret>`` (Sendblue dialect)

Keys are looked up by their public id, cached for a minute (any save or delete of the
key clears it: ``outreach.signals``), and compared by digest in constant time.
``last_used_at`` is written at most once a minute per key, so a busy key costs no write
per request.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions

from outreach.logs import bind
from outreach.models import ApiKey, hash_secret
from outreach.services import cache_key_for

KEY_CACHE_SECONDS = 60
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class ApiKeyUser:
    """``request.user`` for API calls: the key acts for its account, not for a person."""

    key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def account(self):
        return self.key.account

    def __str__(self) -> str:
        return f"api-key:{self.key.key_id}"


def parse_credentials(request) -> tuple[str, str] | None:
    """Return ``(key_id, secret)`` from whichever header form the client used."""
    meta = request.META
    key_id = meta.get("HTTP_SB_API_KEY_ID")
    secret = meta.get("HTTP_SB_API_SECRET_KEY")
    if key_id or secret:
        if not (key_id and secret):
            raise exceptions.AuthenticationFailed(
                "Send both sb-api-key-id and sb-api-secret-key headers."
            )
        return key_id.strip(), secret.strip()
    raw = meta.get("HTTP_X_API_KEY")
    if raw is None:
        auth = meta.get("HTTP_AUTHORIZATION", "")
        if not auth:
            return None
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise exceptions.AuthenticationFailed(
                "Use 'Authorization: Bearer <api key>' or the X-API-Key header."
            )
        raw = value
    key_id, dot, secret = raw.strip().partition(".")
    if not dot or not key_id or not secret:
        raise exceptions.AuthenticationFailed("Malformed API key.")
    return key_id, secret


def load_key(key_id: str) -> ApiKey | None:
    ck = cache_key_for(key_id)
    key = cache.get(ck)
    if key is None:
        key = ApiKey.objects.select_related("account").filter(key_id=key_id).first()
        if key is None:
            return None
        cache.set(ck, key, KEY_CACHE_SECONDS)
    return key


def touch(key: ApiKey) -> None:
    """Record use at most once a minute; the cache decides who writes."""
    if cache.add(f"apikey-used:{key.pk}", 1, LAST_USED_RESOLUTION_SECONDS):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        creds = parse_credentials(request)
        if creds is None:
            return None
        key_id, secret = creds
        key = load_key(key_id)
        # Compare even when the key is unknown, so timing does not reveal valid ids.
        expected = key.secret_hash if key else hash_secret("")
        if not hmac.compare_digest(expected, hash_secret(secret)) or key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This API key has expired.")
        touch(key)
        bind(account=key.account_id)  # the request's log records carry the key's account
        return ApiKeyUser(key), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
