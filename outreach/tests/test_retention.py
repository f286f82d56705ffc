"""An account's data retention settings, over the API and on the console (the purging
itself: webhooks/tests/test_retention.py)."""
from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from outreach import retention
from outreach.choices import AuditAction
from outreach.models import Account, AuditEntry
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "message_retention_days": None,
    "message_retention_mode": "redact",
    "event_retention_days": None,
    "webhook_delivery_retention_days": None,
}


def test_the_account_shows_its_retention(api):
    response = api.get("/api/v1/account")
    assert response.json()["account"]["retention"] == DEFAULTS
    assert_matches_schema(response, "/api/v1/account")


def test_a_full_access_key_changes_what_it_gives_and_nothing_else(api, account, other_account):
    response = api.patch("/api/v1/account/retention", {"message_retention_days": 90, "message_retention_mode": "delete"},
                         format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {**DEFAULTS, "message_retention_days": 90, "message_retention_mode": "delete"}
    assert_matches_schema(response, "/api/v1/account/retention", "PATCH")
    response = api.patch("/api/v1/account/retention", {"event_retention_days": 7}, format="json")
    assert response.json()["message_retention_days"] == 90 and response.json()["event_retention_days"] == 7
    assert api.get("/api/v1/account/retention").json() == response.json()
    account.refresh_from_db()
    assert (account.message_retention_days, account.message_retention_mode, account.event_retention_days) == (
        90, "delete", 7)
    other_account.refresh_from_db()
    assert other_account.message_retention_days is None and other_account.event_retention_days is None
    entry = AuditEntry.objects.filter(account=account, action=AuditAction.RETENTION_CHANGED).first()
    assert entry.detail["event_retention_days"] == 7 and entry.detail["api_key"] == api.key.key_id


def test_null_goes_back_to_keeping_and_to_the_default(api, account):
    api.patch("/api/v1/account/retention", {"message_retention_days": 30, "webhook_delivery_retention_days": 3},
              format="json")
    response = api.patch("/api/v1/account/retention",
                         {"message_retention_days": None, "webhook_delivery_retention_days": None}, format="json")
    assert response.json() == DEFAULTS
    policy = retention.Policy.of(Account.objects.get(pk=account.pk), timezone.now())
    assert policy.messages_before is None


def test_every_bad_field_is_named_in_one_422(api, account):
    response = api.patch(
        "/api/v1/account/retention",
        {"message_retention_days": 0, "message_retention_mode": "shred", "event_retention_days": "soon",
         "webhook_delivery_retention_days": 5000, "keep_forever": True},
        format="json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"message_retention_days", "message_retention_mode", "event_retention_days",
                           "webhook_delivery_retention_days", "keep_forever"}
    assert "3650" in errors["webhook_delivery_retention_days"][0]
    account.refresh_from_db()
    assert account.message_retention_mode == "redact"
    assert api.patch("/api/v1/account/retention", [1, 2], format="json").status_code == 400


def test_a_key_without_full_access_reads_but_does_not_change_it(api_for, account):
    client = api_for(account, ["messages"])
    assert client.get("/api/v1/account/retention").json() == DEFAULTS
    response = client.patch("/api/v1/account/retention", {"message_retention_days": 1}, format="json")
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.message_retention_days is None


def _console(account, role: str) -> Client:
    client = Client()
    client.force_login(create_staff_user(account, f"r-{role}", "pw-for-tests-123", role))
    return client


def test_an_owner_sets_retention_on_the_console(account):
    owner = _console(account, "owner")
    assert b'data-testid="retention"' in owner.get("/settings/").content
    page = owner.get("/settings/retention/")
    assert page.status_code == 200 and b"Keep message content for" in page.content
    response = owner.post("/settings/retention/", {
        "message_retention_days": "30", "message_retention_mode": "delete",
        "event_retention_days": "", "webhook_delivery_retention_days": "14",
    })
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.message_retention_days, account.message_retention_mode, account.event_retention_days,
            account.webhook_delivery_retention_days) == (30, "delete", None, 14)
    assert b"delete the message after 30 days" in owner.get("/settings/").content
    assert AuditEntry.objects.filter(account=account, action=AuditAction.RETENTION_CHANGED).exists()


def test_the_console_form_names_each_bad_field(account):
    owner = _console(account, "owner")
    response = owner.post("/settings/retention/", {
        "message_retention_days": "0", "message_retention_mode": "shred",
        "event_retention_days": "-1", "webhook_delivery_retention_days": "",
    })
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"message_retention_days", "message_retention_mode",
                                                     "event_retention_days"}
    account.refresh_from_db()
    assert account.message_retention_days is None


def test_only_owners_see_or_change_it(account):
    manager = _console(account, "manager")
    assert b'data-testid="retention"' not in manager.get("/settings/").content
    assert manager.get("/settings/retention/").status_code == 403
    assert manager.post("/settings/retention/", {"message_retention_days": "1",
                                                 "message_retention_mode": "delete"}).status_code == 403
    account.refresh_from_db()
    assert account.message_retention_days is None
