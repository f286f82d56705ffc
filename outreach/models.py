"""The core every app stands on: accounts, staff membership and invitations, API keys, the
audit log."""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import ROLE_RANK, AuditAction, Dialect, Plan, RetentionMode, Role, Scope


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
    #: Campaign links are rewritten to tracked short links (campaigns/links.py).
    track_links = models.BooleanField(default=False)
    #: Where short links point (``https://go.example.com``); blank: ``PUBLIC_BASE_URL``.
    link_domain = models.URLField(max_length=200, blank=True)
    # Data retention (outreach/retention.py): None keeps messages; for events and webhook
    # deliveries None means the deployment's WEBHOOKS_RETENTION_DAYS.
    message_retention_days = models.PositiveIntegerField(null=True, blank=True)
    message_retention_mode = models.CharField(
        max_length=16, choices=RetentionMode.choices, default=RetentionMode.REDACT
    )
    event_retention_days = models.PositiveIntegerField(null=True, blank=True)
    webhook_delivery_retention_days = models.PositiveIntegerField(null=True, blank=True)
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
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    #: The IANA zone the console shows this member's times in; blank: the account's
    #: ``default_timezone`` (outreach.timezones).
    time_zone = models.CharField(max_length=64, blank=True, default="")
    #: The member's own mobile (E.164), set on Settings: where campaign test sends may go.
    phone = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set when an owner deactivates the person: the seat stays (their audit rows keep a
    #: name) but the console refuses them.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    #: Templates ask these to show only what the role may do (the server checks regardless).
    is_admin = is_owner

    @property
    def is_manager(self) -> bool:
        return self.at_least(Role.MANAGER)

    @property
    def is_agent(self) -> bool:
        return self.at_least(Role.AGENT)


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


class Invitation(models.Model):
    """An owner's invitation for someone to join the account with a role. The emailed link
    carries a signed token of this row's id (``outreach.people``); accepting it once sets
    ``accepted_at`` and the link stops working."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.account} ({self.role})"


class AuditEntry(models.Model):
    """One thing a person did that changed state, written only by ``outreach.audit.record``.

    The actor and target labels are copied at the time, so the row still reads right after
    the user is renamed or the target deleted."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64, blank=True, default="")
    target_label = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["account", "-created_at"], name="audit_account_time"),
            models.Index(fields=["account", "actor", "-created_at"], name="audit_account_actor"),
            models.Index(fields=["account", "action", "-created_at"], name="audit_account_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}:{self.target_id}"
