"""The core every app stands on: accounts, staff membership, API keys."""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import Dialect, Plan, Role, Scope


class Account(models.Model):
    """A business using Outreach. Every customer-owned row points to one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    #: Reported as ``accountEmail`` in the Sendblue dialect.
    email = models.EmailField()
    plan = models.CharField(max_length=32, choices=Plan.choices, default=Plan.SANDBOX)
    #: Used for quiet hours when a contact has no timezone of its own.
    default_timezone = models.CharField(max_length=64, default="America/New_York")
    #: Minutes a contact waits for its unhealthy line before its conversation moves to a
    #: healthy line of the account (None: it waits for its line however long).
    failover_after_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff user's seat in an account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    #: The IANA zone the console shows this member's times in; blank: the account's
    #: ``default_timezone`` (outreach.timezones).
    time_zone = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def hash_secret(secret: str) -> str:
    """Secrets are 256-bit random, so one SHA-256 is enough; a slow hash would cap the API."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """An integrator's credential: a public ``key_id`` and a secret kept only as a hash.

    The single string clients send in ``X-API-Key`` / ``Bearer`` is ``<key_id>.<secret>``;
    the Sendblue pair sends ``key_id`` and ``secret`` in two headers.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    #: The dialect of the messages and callbacks this key's requests get (``request.auth.dialect``).
    dialect = models.CharField(max_length=16, choices=Dialect.choices, default=Dialect.SENDBLUE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Updated at most once a minute per key (see authentication), never per request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: Requests per minute; empty means the server default.
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class IdempotencyKey(models.Model):
    """The first response to a request sent with an ``Idempotency-Key`` (see
    ``outreach.idempotency``). The unique (account, key) pair is what makes concurrent
    retries send once; rows are purged after 24 hours."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    #: SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"
