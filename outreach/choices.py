"""Constants of the core, as choices classes."""
from django.db import models


class Scope(models.TextChoices):
    FULL_ACCESS = "full_access", "Full access"
    READ_ONLY = "read_only", "Read only"
    CONTACTS = "contacts", "Contacts"
    CAMPAIGNS = "campaigns", "Campaigns"
    MESSAGES = "messages", "Messages"


class Family(models.TextChoices):
    """The resource family an API view belongs to; scopes grant families."""

    ACCOUNT = "account", "Account"
    CONTACTS = "contacts", "Contacts and lists"
    CAMPAIGNS = "campaigns", "Campaigns"
    MESSAGES = "messages", "Messages"
    WEBHOOKS = "webhooks", "Webhooks"


#: Which scope may write which family. ``read_only`` reads every family, writes none;
#: ``full_access`` reads and writes all. Families absent here are full_access-only writes.
SCOPE_WRITES: dict[str, set[str]] = {
    Scope.CONTACTS: {Family.CONTACTS},
    Scope.CAMPAIGNS: {Family.CAMPAIGNS},
    Scope.MESSAGES: {Family.MESSAGES},
}


class Dialect(models.TextChoices):
    """The wire dialect an API key's messages and callbacks speak (seeds 001/002 vs 000)."""

    SENDBLUE = "sendblue", "Sendblue"
    ARNIO = "arnio", "Arnio"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"


class Plan(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox"
    DEDICATED = "dedicated", "Dedicated"
    ENTERPRISE = "enterprise", "Enterprise"
