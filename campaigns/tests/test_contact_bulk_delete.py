"""Deleting contacts in bulk (``contacts.bulk.delete``) against the rows other apps keep
about them: campaign recipients, appointments and calls go with the contact, a
conversation stays in the inbox without one, as their foreign keys say."""
from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns.choices import CallOutcome
from campaigns.models import Appointment, CallLog, Campaign, CampaignRecipient
from contacts import bulk
from contacts.models import Contact
from messaging.models import Conversation

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_bulk_delete_cascades_and_unlinks_like_a_single_delete(account):
    line = f.lines(account, 1)[0]
    gone = f.contact(account, "+15125550990")
    kept = f.contact(account, "+15125550991")
    campaign = Campaign.objects.create(account=account, name="Spring", body="Hi")
    for person in (gone, kept):
        CampaignRecipient.objects.create(campaign=campaign, contact=person)
        Appointment.objects.create(account=account, contact=person, scheduled_for=timezone.now())
        CallLog.objects.create(account=account, contact=person, outcome=CallOutcome.choices[0][0])
    thread = Conversation.objects.create(account=account, line=line, address=gone.e164_number, contact=gone)

    assert bulk.delete(account, Contact.objects.filter(pk=gone.pk)) == 1

    assert list(Contact.objects.all()) == [kept]
    for model in (CampaignRecipient, Appointment, CallLog):
        assert [row.contact_id for row in model.objects.all()] == [kept.pk]
    thread.refresh_from_db()
    assert thread.contact_id is None
