"""Resend to the failed: exactly the recipients whose message ended ERROR are queued again
(not opted-out, read or delivered ones), each attempt recorded, console and API. The
fan-out, dispatch chunks and the resend task's body run inline."""
from __future__ import annotations

import pytest
from django.test import Client

from campaigns import engagement, fanout, tasks
from campaigns.models import Campaign, CampaignRecipient, ResendAttempt
from messaging.choices import Status
from messaging.models import Message, MessageEvent
from messaging.queue import dispatch
from outreach.models import AuditEntry
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db

FAILS, READS, STOPS = "+15125550202", "+15125550200", "+15125550205"


@pytest.fixture
def completed(api, account):
    f.lines(account, 1)
    lst = f.audience(account, [FAILS, READS, STOPS])
    body = {"name": "Spring", "body": "Hi", "list_ids": [str(lst.pk)], "window_start": "00:00", "window_end": "00:00"}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    fanout.run(cid)
    dispatch.run_chunk()
    assert engagement.check_completion(cid)
    statuses = dict(Message.objects.filter(campaign_recipient__campaign_id=cid).values_list("to_number", "status"))
    assert statuses[FAILS] == Status.ERROR and statuses[STOPS] == Status.DELIVERED  # STOPS opted out
    return cid


def test_the_api_resends_exactly_the_errored_recipients(api, completed):
    response = api.post(f"/api/v1/campaigns/{completed}/resend")
    assert response.status_code == 202, response.content
    assert_matches_schema(response, "/api/v1/campaigns/{id}/resend")
    resend = response.json()
    assert resend["recipients"] == 1 and resend["requeued"] == 0 and resend["done_at"] is None
    assert resend["requested_by"].startswith("API key")
    assert Campaign.objects.get(pk=completed).status == "ACTIVE"
    assert not engagement.check_completion(completed)  # not complete while the resend queues

    tasks.resend_campaign(resend["id"])  # the task's body
    message = Message.objects.get(to_number=FAILS)
    assert message.status == Status.QUEUED and message.attempts == 0
    assert MessageEvent.objects.filter(message=message, status=Status.QUEUED, detail="dead letter retried").exists()
    others = Message.objects.filter(campaign_recipient__campaign_id=completed).exclude(to_number=FAILS)
    assert Status.QUEUED not in set(others.values_list("status", flat=True))
    attempt = ResendAttempt.objects.get()
    assert attempt.recipient.contact.e164_number == FAILS and attempt.error_code == 10001
    assert attempt.requeued_at is not None and attempt.resend.done_at is not None

    dispatch.run_chunk()  # the sandbox fails it for good again
    assert engagement.check_completion(completed)
    recipients = api.get(f"/api/v1/campaigns/{completed}/recipients?outcome=failed")
    assert_matches_schema(recipients, "/api/v1/campaigns/{id}/recipients")
    assert [(r["phone"], r["resends"]) for r in recipients.json()["items"]] == [(FAILS, 1)]
    again = api.post(f"/api/v1/campaigns/{completed}/resend").json()
    tasks.resend_campaign(again["id"])
    assert ResendAttempt.objects.filter(recipient__contact__e164_number=FAILS).count() == 2


def test_nothing_failed_a_draft_and_another_account(api, account, completed, other_account, api_for):
    CampaignRecipient.objects.filter(campaign_id=completed, contact__e164_number=FAILS).delete()
    nothing = api.post(f"/api/v1/campaigns/{completed}/resend")
    assert nothing.status_code == 409 and "nothing to resend" in nothing.json()["detail"]
    draft = api.post("/api/v1/campaigns", {"name": "D", "body": "Hi"}, format="json").json()["id"]
    assert api.post(f"/api/v1/campaigns/{draft}/resend").status_code == 409
    assert api_for(other_account, ["campaigns"]).post(f"/api/v1/campaigns/{completed}/resend").status_code == 404
    assert api_for(account, ["messages"]).post(f"/api/v1/campaigns/{completed}/resend").status_code == 403


def test_the_console_button_resends_and_audits(account, completed):
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    assert "Resend to the failed (1)" in client.get(f"/campaigns/{completed}/").content.decode()
    response = client.post(f"/campaigns/{completed}/resend", follow=True)
    assert "Queued 1 failed recipient again." in response.content.decode()
    assert 'data-testid="resends"' in response.content.decode()
    assert AuditEntry.objects.get(action="campaign.resent").detail["recipients"] == 1
    assert ResendAttempt.objects.get().resend.requested_by == "mia"


def test_a_contact_who_opted_out_since_the_error_is_not_resent(api, account, completed):
    """An errored message whose contact has opted out since (STOP on another thread, the
    console, an import) is not queued again: a resend must never text someone who said stop."""
    contact = account.contacts.get(e164_number=FAILS)
    api.post(f"/api/v1/contacts/{contact.pk}/opt-out")
    assert account.contacts.get(pk=contact.pk).opted_out_at is not None
    response = api.post(f"/api/v1/campaigns/{completed}/resend")
    assert response.status_code == 409 and "nothing to resend" in response.json()["detail"]
    assert not ResendAttempt.objects.exists()
