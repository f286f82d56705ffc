"""The audit log: each state-changing console action writes one row through
``outreach.audit.record``, and the owners' page filters, pages and shows it in the viewer's
zone, one account's rows only."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.test import Client

from campaigns.services import create_campaign
from campaigns.tests.factories import audience, lines
from contacts.tests.factories import ContactFactory
from messaging.tests import console_data as d
from outreach.audit import record
from outreach.models import ApiKey, AuditEntry, Membership
from outreach.services import create_staff_user
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(account):
    user = create_staff_user(account, "olive", "pw-for-tests-123", "owner")
    client = Client()
    client.force_login(user)
    return client


def rows(account, **filters) -> list[tuple]:
    return list(AuditEntry.objects.filter(account=account, **filters).order_by("created_at", "id")
                .values_list("actor_label", "action", "target_type", "target_label"))


def test_api_keys_created_and_revoked_are_recorded(owner, account):
    owner.post("/settings/api-keys/", {"name": "CRM", "scopes": ["contacts"]})
    key = ApiKey.objects.get(name="CRM")
    owner.post(f"/settings/api-keys/{key.pk}/revoke")
    assert rows(account) == [("olive", "api_key.created", "apikey", str(key)),
                             ("olive", "api_key.revoked", "apikey", str(key))]
    assert AuditEntry.objects.filter(action="api_key.created").get().detail == {"scopes": ["contacts"], "dialect": "sendblue"}


def test_campaign_start_pause_resume_stop_are_recorded(owner, account):
    lines(account, 1)
    campaign = create_campaign(account, {"name": "Spring", "body": "Hi"},
                               list_ids=[audience(account, ["+15125550111"]).pk])
    for verb in ("start", "pause", "resume", "stop"):
        assert owner.post(f"/campaigns/{campaign.pk}/{verb}").status_code == 302
    assert [r[1] for r in rows(account)] == ["campaign.started", "campaign.paused", "campaign.resumed",
                                             "campaign.stopped"]
    assert {r[3] for r in rows(account)} == {"Spring"}
    assert owner.post(f"/campaigns/{campaign.pk}/start").status_code == 302  # refused: stopped
    assert len(rows(account)) == 4


def test_opt_out_and_back_in_are_recorded(owner, account):
    contact = ContactFactory(account=account, first_name="Ann")
    owner.post(f"/contacts/{contact.pk}/opt")
    owner.post(f"/contacts/{contact.pk}/opt")
    assert [r[:3] for r in rows(account)] == [("olive", "contact.opted_out", "contact"),
                                              ("olive", "contact.opted_in", "contact")]


def test_replies_and_new_messages_are_recorded_not_refusals(owner, account):
    line = d.line(account)
    conv = d.conversation(account, line, "+15125550111")
    assert owner.post(f"/messages/inbox/{conv.pk}/reply", {"content": "On my way"}).status_code == 302
    assert owner.post(f"/messages/inbox/{conv.pk}/reply", {"content": " "}).status_code == 422
    owner.post("/messages/inbox/new", {"to": "+15125550122", "content": "Hello", "line": line.pk})
    sent = AuditEntry.objects.filter(account=account, action="message.sent").order_by("created_at", "id")
    assert [(e.target_type, e.target_label) for e in sent] == [("message", "+15125550111"), ("message", "+15125550122")]
    assert sent[0].detail["conversation"] == conv.pk and sent[0].detail["status"] == "QUEUED"


def test_webhook_endpoint_changes_are_recorded(owner, account):
    owner.post("/webhooks/", {"url": "https://hooks.example.com/in", "payload_format": "envelope"})
    endpoint = Endpoint.objects.get(account=account)
    owner.post(f"/webhooks/{endpoint.pk}/toggle")
    owner.post(f"/webhooks/{endpoint.pk}/rotate")
    owner.post(f"/webhooks/{endpoint.pk}/delete")
    assert [r[1] for r in rows(account)] == ["webhook.created", "webhook.toggled", "webhook.secret_rotated",
                                             "webhook.deleted"]
    assert {r[3] for r in rows(account)} == {"https://hooks.example.com/in"}
    assert AuditEntry.objects.get(action="webhook.toggled").detail == {"enabled": False}


def test_a_line_added_by_the_command_is_recorded_as_the_system(account):
    call_command("add_line", "--account", account.name, "--number", "+15125550199")
    assert rows(account) == [("system", "line.added", "line", "+15125550199")]


def test_the_audit_page_filters_and_shows_one_accounts_rows_in_the_viewers_zone(owner, account, other_account):
    sam = create_staff_user(account, "sam", "pw-for-tests-123", "agent")
    late_utc = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    entry = record(account, sam, "contact.opted_out", target_type="contact", target_id="c1", target_label="Ann")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=late_utc)
    record(account, None, "line.added", target_type="line", target_label="+15125550199")
    record(other_account, None, "line.added", target_type="line", target_label="+19995550000")
    Membership.objects.filter(user__username="olive").update(time_zone="Asia/Tokyo")

    page = owner.get("/audit/").content.decode()
    assert "2026-01-02 08:30:00" in page  # 23:30 UTC is 08:30 the next day in Tokyo
    assert "+15125550199" in page and "+19995550000" not in page
    by_sam = owner.get("/audit/", {"person": sam.pk}).context["page"].object_list
    assert [e.target_label for e in by_sam] == ["Ann"]
    by_action = owner.get("/audit/", {"action": "line.added"}).context["page"].object_list
    assert [e.target_label for e in by_action] == ["+15125550199"]
    tokyo_day = owner.get("/audit/", {"since": "2026-01-02", "until": "2026-01-02"}).context["page"].object_list
    assert [e.target_label for e in tokyo_day] == ["Ann"]
    assert not owner.get("/audit/", {"until": "2026-01-01"}).context["page"].object_list


def test_the_audit_page_is_paginated(owner, account):
    AuditEntry.objects.bulk_create([
        AuditEntry(account=account, actor_label="system", action="line.added", target_type="line", target_label=f"L{i}")
        for i in range(55)
    ])
    first = owner.get("/audit/", {"action": "line.added"})
    assert len(first.context["page"].object_list) == 50 and "?action=line.added&page=2" in first.content.decode()
    assert len(owner.get("/audit/", {"action": "line.added", "page": 2}).context["page"].object_list) == 5


def test_record_refuses_an_unknown_action(account):
    with pytest.raises(ValueError, match="Unknown audit action"):
        record(account, None, "contact.eaten", target_type="contact")


def test_contacts_added_changed_and_deleted_are_recorded(owner, account):
    owner.post("/contacts/new/", {"phone_number": "+15125550133", "first_name": "Ann"})
    contact = account.contacts.get()
    owner.post(f"/contacts/{contact.pk}/", {"phone_number": "+15125550133", "first_name": "Anna"})
    owner.post(f"/contacts/{contact.pk}/delete")
    assert [r[1:] for r in rows(account)] == [("contact.created", "contact", "Ann"),
                                              ("contact.changed", "contact", "Anna"),
                                              ("contact.deleted", "contact", "Anna")]
    assert AuditEntry.objects.get(action="contact.deleted").target_id == str(contact.pk)


def test_campaigns_created_and_changed_are_recorded(owner, account):
    lst = audience(account, ["+15125550111"])
    owner.post("/campaigns/new", {"name": "Spring", "body": "Hi", "lists": [lst.pk], "priority": 0,
                                  "window_start": "09:00", "window_end": "20:00", "send_style": ""})
    campaign = account.campaigns.get()
    owner.post(f"/campaigns/{campaign.pk}/edit", {"name": "Spring 2", "body": "Hi", "lists": [lst.pk], "priority": 0,
                                                  "window_start": "09:00", "window_end": "20:00", "send_style": ""})
    assert [r[1:] for r in rows(account)] == [("campaign.created", "campaign", "Spring"),
                                              ("campaign.changed", "campaign", "Spring 2")]


def test_dead_letters_retried_and_discarded_are_recorded(owner, account):
    from messaging.choices import Status

    conv = d.conversation(account, d.line(account), "+15125550101")
    first, second = (d.message(conv, text, status=Status.ERROR, attempts=5) for text in ("a", "b"))
    owner.post("/messages/dead-letters/action", {"row": f"retry:{first.pk}"})
    owner.post("/messages/dead-letters/action", {"row": f"discard:{second.pk}"})
    recorded = AuditEntry.objects.filter(account=account).order_by("created_at", "id")
    assert [(e.action, e.target_id, e.target_label) for e in recorded] == [
        ("message.dead_letter_retried", str(first.handle), "+15125550101"),
        ("message.dead_letter_discarded", str(second.handle), "+15125550101"),
    ]


def test_a_reaction_sent_from_the_thread_is_recorded(owner, account):
    from messaging.services import add_line, simulate_inbound

    line = add_line(account, "+15125550100")
    inbound = simulate_inbound(account, line, "+15125550111", "On my way")
    owner.post(f"/messages/inbox/{inbound.conversation_id}/messages/{inbound.handle}/react", {"reaction": "like"})
    owner.post(f"/messages/inbox/{inbound.conversation_id}/messages/{inbound.handle}/react", {"reaction": "wobble"})
    (entry,) = AuditEntry.objects.filter(account=account, action="message.reaction_sent")
    assert (entry.target_id, entry.target_label, entry.detail["reaction"]) == (str(inbound.handle), "+15125550111", "like")
