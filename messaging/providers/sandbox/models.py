"""The sandbox network's own tables (app label ``messaging``: the tables keep their names)."""
from __future__ import annotations

from django.db import models


class SandboxSend(models.Model):
    """The sandbox network's ledger: one row per send request it received.

    A request for a handle the network already took is answered from the first row and
    recorded with ``duplicate=True`` (the network's idempotency, as BlueBubbles' tempGuid),
    so tests can count both what reached a phone and what the dispatcher asked twice.
    """

    handle = models.UUIDField(db_index=True)
    line = models.ForeignKey("messaging.Line", on_delete=models.CASCADE, related_name="sandbox_sends")
    to_number = models.CharField(max_length=254)
    #: "sent" (reached the network) or "failed" (a simulated failure of that attempt).
    outcome = models.CharField(max_length=16)
    duplicate = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "messaging"
        ordering = ["created_at", "id"]


class SandboxReport(models.Model):
    """A later step the sandbox network will report (delivered, read, a reply), due at a time."""

    line = models.ForeignKey("messaging.Line", on_delete=models.CASCADE, related_name="sandbox_reports")
    handle = models.UUIDField()
    #: "status" or "inbound" (as ProviderEvent.kind).
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    content = models.TextField(blank=True)
    #: An inbound reply that quotes the message it answers (an inline reply).
    quotes = models.BooleanField(default=False)
    due_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "messaging"


class SandboxAction(models.Model):
    """The sandbox network's ledger of chat actions that send no message: a read receipt
    (``read``) or a group photo set or cleared (``group_photo``), on a chat (the address of
    a 1:1 thread, or a group_id)."""

    line = models.ForeignKey("messaging.Line", on_delete=models.CASCADE, related_name="sandbox_actions")
    kind = models.CharField(max_length=16)
    chat = models.CharField(max_length=254)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "messaging"
        ordering = ["created_at", "id"]
