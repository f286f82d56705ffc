"""What campaigns shows on messaging's pages (registered in ``apps.py``; see
``outreach/panels.py``): a contact's appointments, calls and campaigns in the inbox."""
from __future__ import annotations

from django.urls import reverse

from .models import Appointment, CallLog, CampaignRecipient

PANEL_ROWS = 5


def inbox_contact(account, contact) -> dict:
    recipients = (
        CampaignRecipient.objects.filter(campaign__account=account, contact_id=contact.pk)
        .select_related("campaign").order_by("-created_at")[:PANEL_ROWS]
    )
    return {
        "appointments": list(
            Appointment.objects.filter(account=account, contact_id=contact.pk).order_by("-scheduled_for")[:PANEL_ROWS]
        ),
        "calls": list(CallLog.objects.filter(account=account, contact_id=contact.pk).order_by("-created_at")[:PANEL_ROWS]),
        "campaigns": [(r, reverse("campaigns:detail", args=[r.campaign_id])) for r in recipients],
        "engagement": True,
    }
