"""Constants of campaigns, bulk jobs and their outcomes."""
from __future__ import annotations

from django.db import models


class CampaignStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    SCHEDULED = "SCHEDULED", "Scheduled"
    ACTIVE = "ACTIVE", "Active"
    PAUSED = "PAUSED", "Paused"
    COMPLETED = "COMPLETED", "Completed"
    STOPPED = "STOPPED", "Stopped"


#: States a campaign may still send from (its queued messages are live or held).
RUNNING = {CampaignStatus.SCHEDULED, CampaignStatus.ACTIVE, CampaignStatus.PAUSED}
#: States whose fields may still be edited.
EDITABLE = {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED}


class Outcome(models.TextChoices):
    """Where a campaign stands with one contact (the furthest its message got)."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    REPLIED = "replied", "Replied"
    #: Answered with an opt-out keyword (STOP...): not counted as replied.
    OPTED_OUT = "opted_out", "Opted out"
    FAILED = "failed", "Failed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    #: Not sent by the campaign's ``expires_at``.
    EXPIRED = "expired", "Expired"


class BulkStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"


class ResultStatus(models.TextChoices):
    """A bulk job's per-recipient result, in the v1 dialect's lowercase words."""

    QUEUED = "queued"
    PROCESSING = "processing"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    MISSED = "missed", "Missed"
    FAILED = "failed", "Failed"


class ExportKind(models.TextChoices):
    CAMPAIGN_RESULTS = "campaign_results", "Campaign results"
    MESSAGES = "messages", "Message log"
    CONTACTS = "contacts", "Contacts"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Building"
    DONE = "done", "Ready"


class WinnerMetric(models.TextChoices):
    """How an A/B test's winner is picked (campaigns/winner.py)."""

    REPLY_RATE = "reply_rate", "Reply rate"
    CLICK_RATE = "click_rate", "Click rate"
