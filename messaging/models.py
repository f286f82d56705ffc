"""Sending lines, conversations and messages."""
from __future__ import annotations

from django.db import models

from outreach.models import Account

from .choices import Provider


class Line(models.Model):
    """One of an account's sending numbers, and the provider that carries it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lines")
    number = models.CharField(max_length=32, unique=True, help_text="E.164")
    name = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=32, choices=Provider.choices, default=Provider.SANDBOX)
    #: Provider settings (server URL, credentials...). Never rendered back in full.
    provider_settings = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    #: Per-line limits; defaults from the Sendblue/Arnio guidance.
    burst_per_second = models.PositiveIntegerField(default=10)
    new_contacts_per_hour = models.PositiveIntegerField(default=15)
    new_contacts_per_day = models.PositiveIntegerField(default=50)
    healthy = models.BooleanField(default=True)
    health_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name or self.number
