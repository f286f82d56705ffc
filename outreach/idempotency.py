"""``Idempotency-Key`` on the send endpoints (draft-ietf-httpapi-idempotency-key-header,
with Stripe's semantics).

- The first request with a key runs; its 2xx response is stored with a fingerprint of
  the request (method, path, body) in the same transaction as what it wrote.
- The same key with the same request answers the stored response (``Idempotent-Replayed:
  true``) and does nothing again; with a different request it is a 422.
- While the first request is still running, the same key is a 409 (PostgreSQL: a
  transaction-scoped advisory lock per key, taken without waiting, so a crashed request
  never leaves a key stuck). The unique (account, key) row is the backstop that makes 20
  concurrent retries create one message: a loser's INSERT fails, its transaction (and its
  message) rolls back, and it answers the winner's stored response.
- A request that fails (validation, 5xx) stores nothing, so it can be fixed and retried.
- Keys are kept 24 hours (``KEEP_FOR``); ``purge_expired`` runs hourly from beat.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.response import Response

from .exceptions import Conflict, OutreachError
from .models import Account, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


#: How long a key is kept (the draft and Stripe: at least 24 hours).
KEEP_FOR = timedelta(hours=24)


class BadIdempotencyKey(OutreachError):
    status_code = 400


class IdempotencyMismatch(OutreachError):
    """The key was used for another request. 422 in every dialect (the draft's answer)."""

    status_code = 422
    #: The Sendblue dialect turns validation 422s into 400s; this one stays 422.
    keep_status = True


class InFlight(Conflict):
    pass


class _LostRace(Exception):
    """Another request stored a response for this key first."""


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def lock_id(account_id, key: str) -> int:
    """A signed 64-bit advisory lock id for (account, key)."""
    digest = hashlib.blake2b(f"{account_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_MISSING = object()
_IN_FLIGHT = object()


def _claim(account: Account, key: str):
    """One query: take the key's lock (PostgreSQL) and read its stored record, if any.

    Returns _IN_FLIGHT, _MISSING or (fingerprint, status_code, response).
    """
    table = IdempotencyKey._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.locked, k.fingerprint, k.status_code, k.response "  # noqa: S608
                f"FROM (SELECT pg_try_advisory_xact_lock(%s) AS locked) l "
                f"LEFT JOIN {table} k ON k.account_id = %s AND k.key = %s",
                [lock_id(account.pk, key), account.pk, key],
            )
            locked, *record = cursor.fetchone()
        if not locked:
            return _IN_FLIGHT
    else:
        # SQLite (embedded) runs one writer at a time, so there is nothing in flight
        # to see; the unique row alone keeps it exact.
        record = IdempotencyKey.objects.filter(account=account, key=key).values_list(
                "fingerprint", "status_code", "response"
            ).first() or [None]
    if record[0] is None:
        return _MISSING
    fp, status_code, body = record
    return fp, status_code, (json.loads(body) if isinstance(body, (str, bytes)) else body)


def _replay(record, fp: str) -> Response:
    stored_fp, status_code, body = record
    if stored_fp != fp:
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used for a different request; use a new key "
            "for a new request, or resend the first request unchanged."
        )
    return Response(body, status=status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(request, account: Account, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` at most once per (account, Idempotency-Key); see the module doc."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadIdempotencyKey(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters, e.g. a UUID.", field=HEADER
        )
    fp = fingerprint(request)
    try:
        with transaction.atomic():
            record = _claim(account, key)
            if record is _IN_FLIGHT:
                raise InFlight(
                    f"A request with this {HEADER} is still being processed; retry shortly "
                    "to get its response."
                )
            if record is not _MISSING:
                return _replay(record, fp)
            response = handler()
            if not 200 <= response.status_code < 300:
                return response
            try:
                IdempotencyKey.objects.create(
                    account=account, key=key, fingerprint=fp, method=request.method,
                    path=request.path[:255], status_code=response.status_code,
                    response=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                )
            except IntegrityError:
                # Rolls back everything this request wrote (its message included).
                raise _LostRace from None
            return response
    except _LostRace:
        record = _claim(account, key)
        # Our INSERT failed only because the winner committed, so its record is there.
        if record is _IN_FLIGHT or record is _MISSING:
            raise InFlight(f"A request with this {HEADER} is still being processed.") from None
        return _replay(record, fp)


def purge_expired() -> int:
    """Delete keys older than the retention window; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
