"""A test send: the campaign's message rendered for a chosen contact, sent through
messaging's normal send to a person's own number or through a sandbox line (console and API)."""
from __future__ import annotations

import pytest
from django.test import Client

from campaigns.models import Campaign
from messaging.choices import Provider, Status
from messaging.models import Line, Message
from messaging.providers.sandbox.models import SandboxSend
from messaging.queue import dispatch
from outreach.models import AuditEntry, Membership
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(api, account):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125550901"], first_name="Ann")
    body = {"name": "Spring", "body": "Hi {first_name|there}, spring is here", "list_ids": [str(lst.pk)]}
    return api.post("/api/v1/campaigns", body, format="json").json()["id"]


def ann(account):
    return str(account.contacts.get(e164_number="+15125550901").pk)


def test_the_api_sends_the_rendered_message_through_a_sandbox_line_and_it_arrives(api, account, draft):
    response = api.post(f"/api/v1/campaigns/{draft}/test", {"contact_id": ann(account), "to": "+15125550990"},
                        format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/campaigns/{id}/test")
    body = response.json()
    assert body["content"] == "Hi Ann, spring is here" and body["to"] == "+15125550990"
    assert body["status"] == "queued" and body["from_number"] == Line.objects.get(account=account).number
    dispatch.run_chunk()  # the worker's step: the sandbox network takes it
    assert SandboxSend.objects.filter(to_number="+15125550990", handle=body["message_id"], outcome="sent").exists()
    assert Message.objects.get(handle=body["message_id"]).status == Status.READ
    assert Campaign.objects.get(pk=draft).status == "DRAFT"  # the campaign did not move


def test_a_real_line_sends_tests_only_to_a_persons_own_number(api, account, draft):
    Line.objects.filter(account=account).update(provider=Provider.BLUEBUBBLES)
    refused = api.post(f"/api/v1/campaigns/{draft}/test", {"contact_id": ann(account), "to": "+15125550990"},
                       format="json")
    assert refused.status_code == 422 and "own" in refused.json()["errors"]["to"][0]
    user = create_staff_user(account, "mia", "pw-for-tests-123", "manager")
    Membership.objects.filter(user=user).update(phone="+15125550990")
    sent = api.post(f"/api/v1/campaigns/{draft}/test", {"contact_id": ann(account), "to": "(512) 555-0990"},
                    format="json")
    assert sent.status_code == 201 and sent.json()["to"] == "+15125550990"


def test_every_bad_field_at_once_and_isolation(api, account, draft, other_account, api_for):
    both = api.post(f"/api/v1/campaigns/{draft}/test", {"contact_id": "nope", "to": "not a number"}, format="json")
    assert both.status_code == 422 and set(both.json()["errors"]) == {"contact_id", "to"}
    empty = api.post(f"/api/v1/campaigns/{draft}/test", {}, format="json")
    assert empty.status_code == 422 and set(empty.json()["errors"]) == {"contact_id", "to"}
    other = api_for(other_account, ["campaigns"])
    assert other.post(f"/api/v1/campaigns/{draft}/test", {"contact_id": ann(account), "to": "+15125550990"},
                      format="json").status_code == 404
    assert api_for(account, ["messages"]).post(f"/api/v1/campaigns/{draft}/test", {}, format="json").status_code == 403
    assert not Message.objects.exists()


def test_the_console_test_send_prefills_the_own_number_and_audits(account, draft):
    user = create_staff_user(account, "mia", "pw-for-tests-123", "manager")
    Membership.objects.filter(user=user).update(phone="+15125550991")
    client = Client()
    client.force_login(user)
    page = client.get(f"/campaigns/{draft}/").content.decode()
    assert 'value="+15125550991"' in page and "Ann (+15125550901)" in page
    bad = client.post(f"/campaigns/{draft}/test", {"contact_id": ann(account), "to": "12"})
    assert bad.status_code == 422 and "to" in bad.context["test_form"].errors
    response = client.post(f"/campaigns/{draft}/test", {"contact_id": ann(account), "to": "+15125550991"})
    assert response.status_code == 302
    message = Message.objects.get(to_number="+15125550991")
    assert message.content == "Hi Ann, spring is here"
    entry = AuditEntry.objects.get(action="campaign.test_sent")
    assert entry.detail["to"] == "+15125550991" and entry.detail["message_id"] == str(message.handle)


def test_settings_keeps_the_persons_own_number(account):
    user = create_staff_user(account, "vic", "pw-for-tests-123", "viewer")
    client = Client()
    client.force_login(user)
    assert client.post("/settings/", {"time_zone": "", "phone": "512 555 0992"}).status_code == 302
    assert Membership.objects.get(user=user).phone == "+15125550992"
    bad = client.post("/settings/", {"time_zone": "", "phone": "12"})
    assert bad.status_code == 422 and "phone" in bad.context["form"].errors
