"""Constants of the contact book."""
from __future__ import annotations

from django.db import models


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Waiting for the column mapping"
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportRowKind(models.TextChoices):
    """Why a row of an import created no contact."""

    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"


class ContactField(models.TextChoices):
    """Columns a CSV column can be mapped to (``custom:<name>`` adds a custom variable)."""

    PHONE_NUMBER = "phone_number", "Phone number"
    FIRST_NAME = "first_name", "First name"
    LAST_NAME = "last_name", "Last name"
    EMAIL = "email", "Email"
    COMPANY_NAME = "company_name", "Company"
    TIMEZONE = "timezone", "Time zone"
    TAGS = "tags", "Tags (comma or semicolon separated)"


class OptOutSource(models.TextChoices):
    """Who opted a contact out (or in): the ``source`` of ``contact_opted_out``."""

    API = "api", "API"
    CONSOLE = "console", "Console"
    KEYWORD = "keyword", "STOP keyword"


class SortOrder(models.TextChoices):
    NEWEST = "-created_at", "Newest first"
    OLDEST = "created_at", "Oldest first"
    FIRST_NAME = "first_name", "First name"
    LAST_NAME = "last_name", "Last name"
    NUMBER = "e164_number", "Phone number"


class KeywordAction(models.TextChoices):
    """What a reply that is a keyword asks for (contacts/keywords.py)."""

    OPT_OUT = "opt_out", "Opt out"
    OPT_IN = "opt_in", "Opt back in"
    HELP = "help", "Help"
