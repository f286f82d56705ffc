"""A campaign's ``expires_at``: checked on write (API, every bad field at once), copied onto
its messages at fan-out, and a message not sent by then is EXPIRED (never sent late),
counted in the campaign's progress and its recipient's outcome."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import fanout
from campaigns.choices import Outcome
from campaigns.models import CampaignRecipient
from messaging.choices import Status
from messaging.models import Message
from messaging.queue import dispatch
from messaging.tests.test_scheduled_sends import at, iso

from . import factories as f
from .test_fanout import make, started

pytestmark = pytest.mark.django_db


def test_the_api_takes_expires_at_after_start_at_and_names_it_when_wrong(account, api):
    lst = f.audience(account, ["+15125550131"])
    now = timezone.now()
    base = {"name": "Flash", "body": "Sale ends soon", "list_ids": [str(lst.pk)]}
    bad = api.post("/api/v1/campaigns", {**base, "start_at": iso(now + timedelta(hours=2)),
                                         "expires_at": iso(now + timedelta(hours=1)), "priority": 900},
                   format="json")
    assert bad.status_code == 422 and {"expires_at", "priority"} <= set(bad.json()["errors"]), bad.content
    good = api.post("/api/v1/campaigns", {**base, "expires_at": iso(now + timedelta(hours=1))}, format="json")
    assert good.status_code == 201, good.content
    assert good.json()["expires_at"] == iso(now + timedelta(hours=1)) and good.json()["progress"]["expired"] == 0


def test_messages_past_the_campaigns_deadline_expire_and_are_counted(account, api, django_capture_on_commit_callbacks,
                                                                       monkeypatch):
    f.lines(account, 1)
    deadline = timezone.now() + timedelta(minutes=30)
    campaign, _ = make(account, ["+15125550141", "+15125550142"], expires_at=deadline)
    campaign = started(account, campaign, django_capture_on_commit_callbacks)
    fanout.run(campaign.pk)
    messages = Message.objects.filter(campaign_recipient__campaign=campaign)
    assert set(messages.values_list("expires_at", flat=True)) == {deadline}
    at(monkeypatch, deadline + timedelta(seconds=1))
    assert dispatch.claim().claimed == []
    assert set(messages.values_list("status", flat=True)) == {Status.EXPIRED}
    assert set(CampaignRecipient.objects.filter(campaign=campaign).values_list("outcome", flat=True)) == {
        Outcome.EXPIRED}
    monkeypatch.undo()
    progress = api.get(f"/api/v1/campaigns/{campaign.pk}").json()["progress"]
    assert (progress["expired"], progress["queued"], progress["sent"]) == (2, 0, 0)
