"""Webhook endpoints and the event outbox."""
from __future__ import annotations

from django.db import models

from outreach.models import Account

from .choices import EventType


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

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"
