"""The contact book."""
from __future__ import annotations

import uuid

from django.db import models

from outreach.models import Account


class ContactList(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One person, one E.164 number per account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    #: As the user typed it.
    phone_number = models.CharField(max_length=64)
    e164_number = models.CharField(max_length=32)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    #: IANA name; empty means the account's default.
    timezone = models.CharField(max_length=64, blank=True)
    tags = models.JSONField(default=list, blank=True)
    custom_variables = models.JSONField(default=dict, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    lists = models.ManyToManyField(ContactList, related_name="contacts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "e164_number"], name="unique_contact_number")
        ]

    def __str__(self) -> str:
        return self.full_name or self.e164_number

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None
