"""The contact book."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from outreach.models import Account

from .choices import ImportRowKind, ImportStatus


class ContactList(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Customers" and "customers" would look the same in the campaign form.
            models.UniqueConstraint(Lower("name"), "account", name="one_list_name_per_account"),
        ]

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
    #: The CSV import that created this contact (a list can be made of an import's contacts).
    source_import = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    #: Lower-cased names, email, company and the number's digits, kept by the services so
    #: one ``LIKE '%term%'`` answers search by name, email or phone in any format (on
    #: PostgreSQL through a trigram index, see migration 0003).
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "e164_number"], name="unique_contact_number")
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="contact_account_created"),
            # The dashboard's opt-outs of a day or a week.
            models.Index(fields=["account", "opted_out_at"], name="contact_opted_out",
                         condition=models.Q(opted_out_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.full_name or self.e164_number

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class ImportJob(models.Model):
    """A CSV import: the file, how its columns map to fields, and the progress a worker
    writes after each committed chunk (so a restarted task resumes where it stopped)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    #: The uploaded file, kept in the database so any worker machine can read it.
    content = models.TextField()
    #: CSV header -> field name ("" skips the column, "custom:<key>" a custom variable).
    mapping = models.JSONField(default=dict)
    lists = models.ManyToManyField(ContactList, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.DRAFT)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    #: CSV of the rejected rows (original columns + ``error``), downloadable afterwards.
    rejected_csv = models.TextField(blank=True, default="")
    failure = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    #: Last sign of life from a worker (each chunk); the sweep re-sends jobs gone quiet.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="importjob_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def started(self) -> bool:
        return self.status != ImportStatus.DRAFT


class ImportRow(models.Model):
    """A row of an import that created no contact: rejected (with the reason) or a duplicate
    of a contact the account has (or of an earlier row of the same file)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(max_length=16, choices=ImportRowKind.choices)
    #: The line as a spreadsheet numbers it (the header is line 1).
    line = models.PositiveIntegerField()
    #: The row's number in E.164 (a duplicate's; empty for a rejected row).
    e164_number = models.CharField(max_length=32, blank=True, default="")
    cells = models.JSONField(default=list)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["job", "kind", "line"], name="importrow_job_kind_line")]

    def __str__(self) -> str:
        return f"line {self.line} ({self.kind})"

    @property
    def shown_cells(self) -> str:
        """The row's non-empty cells, for a table."""
        return " · ".join(str(cell).strip() for cell in self.cells if str(cell).strip())


class KeywordSettings(models.Model):
    """An account's reply keywords (contacts/keywords.py): the words that opt a contact out,
    back in, or ask for help, and the automatic reply to each. No row: the defaults."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="keyword_settings")
    opt_out_keywords = models.JSONField(default=list)
    opt_in_keywords = models.JSONField(default=list)
    help_keywords = models.JSONField(default=list)
    #: The reply to each; an opt-out's confirmation is off by default (carriers and
    #: providers often send their own).
    opt_out_reply = models.TextField(blank=True)
    opt_out_reply_on = models.BooleanField(default=False)
    opt_in_reply = models.TextField(blank=True)
    opt_in_reply_on = models.BooleanField(default=True)
    help_reply = models.TextField(blank=True)
    help_reply_on = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
