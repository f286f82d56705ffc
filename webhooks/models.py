"""Webhook endpoints, the event outbox, deliveries and their attempts.

An event is written once (``Event``); each target it goes to gets a ``Delivery`` (the
unit that is retried, replayed and reported), and each POST an ``Attempt`` (the log).
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from outreach.models import Account

from .choices import DeliveryStatus, EventType, PayloadFormat


class SigningSecret(models.Model):
    """A Standard Webhooks secret with the one it replaced, kept for a grace period."""

    secret = models.CharField(max_length=128)
    previous_secret = models.CharField(max_length=128, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    #: A secret configured the Sendblue way (``/api/account/webhooks``): sent verbatim in the
    #: ``sb-signing-secret`` header that Sendblue receivers compare. It travels with every
    #: request, so it is kept as given; it is never listed back nor written to attempt logs.
    sendblue_secret = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        abstract = True

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign a request now: the current one first."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class Endpoint(SigningSecret):
    """A URL of an account that receives the events it subscribes to."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    #: Event types it receives; empty means every type.
    event_types = models.JSONField(default=list, blank=True)
    payload_format = models.CharField(
        max_length=16, choices=PayloadFormat.choices, default=PayloadFormat.ENVELOPE
    )
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    #: Start of the current failure streak (None while it succeeds); five days of it disable.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def receives(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    @property
    def target(self) -> str:
        return f"e:{self.pk}"


class AccountSecret(SigningSecret):
    """The account's default secret: it signs deliveries to a message's ``status_callback``."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="webhook_secret")
    created_at = models.DateTimeField(auto_now_add=True)


class Event(models.Model):
    """The outbox: one row per event, written in the transaction that caused it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=64, choices=EventType.choices)
    payload = models.JSONField()
    #: One-off targets besides the account's endpoints (a message's status_callback).
    extra_urls = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        # The event stream reads an account's events after an id (webhooks/stream.py).
        indexes = [models.Index(fields=["account", "id"], name="event_account_after")]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header: the same on every attempt and replay, so receivers
        can drop duplicates."""
        return f"msg_{self.pk}"


class Delivery(models.Model):
    """One event to one target; retried on a schedule until a 2xx or the schedule ends."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    #: None for a one-off URL (status_callback), signed with the account's secret.
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    url = models.URLField(max_length=2000)
    #: What a drain works on: ``e:<endpoint id>`` or ``u:<url digest>``; one slow target
    #: never holds another's.
    target = models.CharField(max_length=64)
    payload_format = models.CharField(max_length=16, choices=PayloadFormat.choices)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    #: Attempts in the current chain (a replay starts a new chain at 0).
    attempts = models.PositiveIntegerField(default=0)
    #: When the next attempt is due (also pushed forward while a worker holds it).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["target", "next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["endpoint", "status", "created_at"], name="webhook_delivery_log"),
            # Data retention walks an account's oldest deliveries (webhooks/retention.py).
            models.Index(fields=["account", "created_at"], name="webhook_delivery_age"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.url}"


class Attempt(models.Model):
    """One POST of a delivery: what was sent and what came back."""

    #: Longest response body kept per attempt.
    EXCERPT = 1000

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True, default="")
    request_headers = models.JSONField(default=dict)
    response_excerpt = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
