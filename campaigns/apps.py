from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from messaging import signals
        from outreach import panels

        from . import engagement

        # Messaging knows nothing of campaigns: engagement follows its signals.
        signals.statuses_changed.connect(engagement.on_statuses_changed, dispatch_uid="campaigns-status")
        signals.message_received.connect(engagement.on_message_received, dispatch_uid="campaigns-reply")
        # The inbox's contact panel shows the contact's appointments, calls and campaigns.
        panels.register("inbox-contact", "campaigns.panels.inbox_contact")
