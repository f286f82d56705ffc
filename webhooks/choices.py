from django.db import models


class EventType(models.TextChoices):
    MESSAGE_STATUS_UPDATED = "message.status_updated", "Message status updated"
    MESSAGE_RECEIVED = "message.received", "Message received"
    MESSAGE_REACTION = "message.reaction", "Message reaction"
    CONTACT_OPTED_OUT = "contact_opted_out", "Contact opted out"
    CAMPAIGN_ENGAGEMENT_COMPLETED = "campaign_engagement_completed", "Campaign engagement completed"
    APPOINTMENT_SCHEDULED = "appointment_scheduled", "Appointment scheduled"
    CALL_COMPLETED = "call_completed", "Call completed"
    CONTACT_CREATED = "contact_created", "Contact created"
    LINE_ASSIGNED = "line_assigned", "Line assigned"
    WEBHOOK_TEST = "webhook.test", "Test ping"
    LINE_UNHEALTHY = "line.unhealthy", "Line unhealthy"
    LINE_HEALTHY = "line.healthy", "Line healthy again"
    LINK_CLICKED = "link.clicked", "Tracked link clicked"
    CONVERSATION_ASSIGNED = "conversation.assigned", "Conversation assigned"
    CONVERSATION_CLOSED = "conversation.closed", "Conversation closed"
    CONVERSATION_REOPENED = "conversation.reopened", "Conversation reopened"


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
    CONTACT_CREATED = "contact_created", "contact_created"
    LINE_ASSIGNED = "line_assigned", "line_assigned"
    LINE_BLOCKED = "line_blocked", "line_blocked"


SENDBLUE_EVENTS: dict[str, str] = {
    SendblueType.RECEIVE: EventType.MESSAGE_RECEIVED,
    SendblueType.OUTBOUND: EventType.MESSAGE_STATUS_UPDATED,
    SendblueType.CALL_LOG: EventType.CALL_COMPLETED,
    SendblueType.CONTACT_CREATED: EventType.CONTACT_CREATED,
    SendblueType.LINE_ASSIGNED: EventType.LINE_ASSIGNED,
    SendblueType.LINE_BLOCKED: EventType.LINE_UNHEALTHY,
}
#: Sendblue's other types: no event of this server means them yet, so they are refused
#: (an endpoint listed under a type must really receive it).
SENDBLUE_NOT_DELIVERED = ("typing_indicator", "call_completed", "inbound_call", "contact_profile")
