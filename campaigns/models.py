"""Campaigns (a template sent to an audience), their recipients, bulk jobs, and the
outcomes beyond messages (appointments, calls).

BulkJob lives here rather than in messaging (where DESIGN lists it): it is a fan-out like
a campaign, shares its machinery (``messaging.services.enqueue``), and messaging's migrations belong to
another engineer; messaging never needs to know about it.
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.db import models

from contacts.models import Contact, ContactList
from messaging.models import Line, Message
from outreach.models import Account

from .choices import BulkStatus, CallOutcome, CampaignStatus, ExportKind, ExportStatus, Outcome, WinnerMetric

#: Fastest pace a campaign may be given (messages per minute); more is no pace at all.
PACE_MAX = 100_000


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    #: The message template: ``Hi {first_name|there}`` (field or custom variable | fallback).
    body = models.TextField(blank=True)
    #: A/B variants ``[{body, percent}]`` (2-5, percentages adding up to 100; ``body`` is
    #: the first's), or empty: every recipient gets ``body`` (campaigns/variants.py).
    variants = models.JSONField(default=list, blank=True)
    #: Send the winner to the rest (campaigns/winner.py): the variants go to this share of
    #: the audience first; ``winner_wait_minutes`` after the start the best variant by
    #: ``winner_metric`` is picked (``winner_variant``, and why) and sent to everyone else.
    winner_test_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    winner_wait_minutes = models.PositiveIntegerField(null=True, blank=True)
    winner_metric = models.CharField(max_length=16, choices=WinnerMetric.choices, blank=True)
    winner_variant = models.PositiveSmallIntegerField(null=True, blank=True)
    winner_decided_at = models.DateTimeField(null=True, blank=True)
    winner_reason = models.TextField(blank=True)
    #: Recipients the test reached (the rest's pace counts from the decision after them).
    winner_test_count = models.PositiveIntegerField(default=0)
    media_url = models.URLField(max_length=2000, blank=True)
    send_style = models.CharField(max_length=32, blank=True)
    #: The audience: members of any of these lists, or contacts with any of these tags.
    lists = models.ManyToManyField(ContactList, blank=True, related_name="campaigns")
    tags = models.JSONField(default=list, blank=True)
    #: The pool of lines to send from; empty means every active line of the account.
    lines = models.ManyToManyField(Line, blank=True, related_name="campaigns")
    priority = models.SmallIntegerField(default=0)
    start_at = models.DateTimeField(null=True, blank=True)
    #: Copied onto its messages at fan-out: one not sent by then is EXPIRED, never sent late.
    expires_at = models.DateTimeField(null=True, blank=True)
    #: The sending window in each contact's own timezone; outside it messages are held.
    window_start = models.TimeField(default=dt.time(9, 0))
    window_end = models.TimeField(default=dt.time(20, 0))
    pace_per_minute = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    audience_count = models.PositiveIntegerField(default=0)
    #: Fan-out progress (the cursors are the slices'): messages queued, and when all were.
    fanout_count = models.PositiveIntegerField(default=0)
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="campaign_account_recent")]

    def __str__(self) -> str:
        return self.name


class FanoutSlice(models.Model):
    """One range of contact ids of a campaign's fan-out, with a cursor of its own.

    A large audience is cut into a few slices that fan out in parallel, one task each;
    a slice's chunks never interleave (each chunk locks its row), and its cursor is the
    last contact id it queued: contacts with ids in ``(cursor, end]`` are still to do.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fanout_slices")
    index = models.PositiveSmallIntegerField()
    #: How many slices the campaign has: slice ``index`` gives seq ``n * of + index`` to its
    #: n-th recipient, so the slices' recipients interleave in the pacing order.
    of = models.PositiveSmallIntegerField(default=1)
    cursor = models.UUIDField(null=True, blank=True)
    end = models.UUIDField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["campaign", "index"], name="one_slice_per_index")]


class CampaignRecipient(models.Model):
    """One contact of a campaign: its message and how far the engagement got.

    Unique per (campaign, contact): this is what makes a repeated fan-out harmless.
    """

    # No index of its own: (campaign, contact) and (campaign, seq) lead with it. Every index
    # is paid 100,000 times by a fan-out.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="campaign_recipients")
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign_recipient"
    )
    #: Position in the fan-out, for pacing.
    seq = models.PositiveIntegerField(default=0)
    #: Which A/B variant it got (its index in ``Campaign.variants``); null without variants.
    variant = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.QUEUED)
    replied_at = models.DateTimeField(null=True, blank=True)
    #: Set once ``campaign_engagement_completed`` was emitted for this contact.
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="one_recipient_per_contact"),
        ]
        indexes = [models.Index(fields=["campaign", "seq"], name="recipient_campaign_seq")]


class CampaignResend(models.Model):
    """"Resend to the failed": the recipients whose message ended ERROR when it was asked,
    queued again (their ``ResendAttempt``s, requeued by a task, chunk by chunk)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="resends")
    #: Who asked: a person's username, or "API key <name>".
    requested_by = models.CharField(max_length=200, blank=True)
    recipients = models.PositiveIntegerField()
    requeued = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ResendAttempt(models.Model):
    """One recipient of a resend: the error its message had, and when it was queued again
    (or why not: ``note``)."""

    resend = models.ForeignKey(CampaignResend, on_delete=models.CASCADE, related_name="attempts")
    recipient = models.ForeignKey(CampaignRecipient, on_delete=models.CASCADE, related_name="resend_attempts")
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    requeued_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["resend", "requeued_at"], name="resend_attempt_pending")]


class BulkJob(models.Model):
    """``POST /api/v1/messages/bulk``: many ``{to, body}`` queued in the background."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bulk_jobs")
    status = models.CharField(max_length=16, choices=BulkStatus.choices, default=BulkStatus.PROCESSING)
    total_recipients = models.PositiveIntegerField()
    #: The request's ``messages`` as JSON text, kept until the fan-out is done so any
    #: worker machine can resume it.
    payload = models.TextField(blank=True)
    priority = models.SmallIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="bulkjob_account_recent")]

    @property
    def public_id(self) -> str:
        return f"bulk_{self.id.hex}"


class BulkJobSlice(models.Model):
    """One range of a bulk job's indexes, ``[position, end)`` still to queue: the slices of
    a large job are queued side by side, one task each; a slice's chunks never interleave
    (each chunk locks its row)."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="slices")
    index = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_bulk_slice_per_index")]


class BulkResult(models.Model):
    """One recipient of a bulk job: its message, or why none was queued."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="results")
    index = models.PositiveIntegerField()
    to = models.CharField(max_length=254)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="bulk_result"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_result_per_index")]


class TrackedLink(models.Model):
    """One link of one recipient's campaign message: ``/l/<code>`` redirects to ``url``,
    fixed when the message was made (campaigns/links.py)."""

    code = models.CharField(max_length=16, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tracked_links")
    url = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    #: The first counted click (a preview fetcher's is not one), and how many there were.
    clicked_at = models.DateTimeField(null=True, blank=True)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "contact"], name="link_campaign_contact")]


class Export(models.Model):
    """A CSV built in the background (campaigns/exports.py): one ``ExportPart`` per chunk of
    rows, read in order when downloaded, so neither the build nor the download holds the
    whole file in memory."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=32, choices=ExportKind.choices)
    #: The campaign of a ``campaign_results`` export.
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    requested_by = models.CharField(max_length=200, blank=True)
    #: Rows to write (counted when asked) and written so far.
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    #: The last row id written (the next chunk starts after it).
    cursor = models.CharField(max_length=64, blank=True)
    parts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="export_account_recent")]

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


class ExportPart(models.Model):
    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["export", "index"], name="one_export_part_per_index")]


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="appointments")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    scheduled_for = models.DateTimeField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for"]


class CallLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="call_logs")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="call_logs")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_logs"
    )
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
