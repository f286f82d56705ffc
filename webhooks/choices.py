from django.db import models


class EventType(models.TextChoices):
    MESSAGE_STATUS_UPDATED = "message.status_updated", "Message status updated"
    MESSAGE_RECEIVED = "message.received", "Message received"
    CONTACT_OPTED_OUT = "contact_opted_out", "Contact opted out"
    CAMPAIGN_ENGAGEMENT_COMPLETED = "campaign_engagement_completed", "Campaign engagement completed"
    APPOINTMENT_SCHEDULED = "appointment_scheduled", "Appointment scheduled"
    CALL_COMPLETED = "call_completed", "Call completed"
    WEBHOOK_TEST = "webhook.test", "Test ping"
    LINE_UNHEALTHY = "line.unhealthy", "Line unhealthy"
    LINE_HEALTHY = "line.healthy", "Line healthy again"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class PayloadFormat(models.TextChoices):
    #: ``{"type", "timestamp", "data"}``, the Standard Webhooks envelope.
    ENVELOPE = "envelope", "Envelope {type, timestamp, data}"
    #: The event's body alone, as Sendblue posts it (status callbacks, /api/account/webhooks).
    RAW = "raw", "Raw body (Sendblue style)"


class SendblueType(models.TextChoices):
    """The webhook types of Sendblue's /api/account/webhooks, and the events each means."""

    RECEIVE = "receive", "receive"
    OUTBOUND = "outbound", "outbound"
    CALL_LOG = "call_log", "call_log"


SENDBLUE_EVENTS: dict[str, str] = {
    SendblueType.RECEIVE: EventType.MESSAGE_RECEIVED,
    SendblueType.OUTBOUND: EventType.MESSAGE_STATUS_UPDATED,
    SendblueType.CALL_LOG: EventType.CALL_COMPLETED,
}
