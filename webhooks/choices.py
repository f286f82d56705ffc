from django.db import models


class EventType(models.TextChoices):
    MESSAGE_STATUS_UPDATED = "message.status_updated", "Message status updated"
    MESSAGE_RECEIVED = "message.received", "Message received"
    CONTACT_OPTED_OUT = "contact_opted_out", "Contact opted out"
    CAMPAIGN_ENGAGEMENT_COMPLETED = "campaign_engagement_completed", "Campaign engagement completed"
    APPOINTMENT_SCHEDULED = "appointment_scheduled", "Appointment scheduled"
    CALL_COMPLETED = "call_completed", "Call completed"
    WEBHOOK_TEST = "webhook.test", "Test ping"
