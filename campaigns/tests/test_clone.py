"""Clone a campaign into a new draft (console and API), then start the clone."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign
from outreach.models import AuditEntry
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(api, account):
    lines = f.lines(account, 2)
    lst = f.audience(account, ["+15125550801", "+15125550802"])
    body = {"name": "Spring", "body": "Hi {first_name|there}", "list_ids": [str(lst.pk)], "tags": ["vip"],
            "line_ids": [lines[1].pk], "priority": 7, "window_start": "08:00", "window_end": "21:30",
            "pace_per_minute": 40, "start_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]
    assert api.post(f"/api/v1/campaigns/{cid}/start").json()["status"] == "ACTIVE"
    api.post(f"/api/v1/campaigns/{cid}/stop")
    return cid


def test_the_api_clones_into_a_draft_that_starts(api, source):
    response = api.post(f"/api/v1/campaigns/{source}/clone", {}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/campaigns/{id}/clone")
    copy, original = response.json(), api.get(f"/api/v1/campaigns/{source}").json()
    assert copy["id"] != source and copy["status"] == "DRAFT" and copy["name"] == "Copy of Spring"
    same = ["body", "media_url", "send_style", "list_ids", "tags", "line_ids", "priority", "window_start",
            "window_end", "pace_per_minute"]
    assert {k: copy[k] for k in same} == {k: original[k] for k in same}
    assert copy["start_at"] is None  # its start had passed
    assert copy["progress"]["audience"] == 2 and copy["progress"]["materialised"] == 0
    assert api.post(f"/api/v1/campaigns/{copy['id']}/start").json()["status"] == "ACTIVE"

    later = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    Campaign.objects.filter(pk=source).update(expires_at=later)
    kept = api.post(f"/api/v1/campaigns/{source}/clone", {}, format="json").json()
    assert dt.datetime.fromisoformat(kept["expires_at"]) == later  # a deadline still ahead is kept
    Campaign.objects.filter(pk=source).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert api.post(f"/api/v1/campaigns/{source}/clone", {}, format="json").json()["expires_at"] is None

    named = api.post(f"/api/v1/campaigns/{source}/clone", {"name": "Summer"}, format="json")
    assert named.status_code == 201 and named.json()["name"] == "Summer"


def test_clone_refuses_a_blank_name_and_another_accounts_campaign(api, account, source, other_account, api_for):
    bad = api.post(f"/api/v1/campaigns/{source}/clone", {"name": ""}, format="json")
    assert bad.status_code == 422 and "name" in bad.json()["errors"]
    other = api_for(other_account, ["campaigns"])
    assert other.post(f"/api/v1/campaigns/{source}/clone", {}, format="json").status_code == 404
    wrong_scope = api_for(account, ["contacts"]).post(f"/api/v1/campaigns/{source}/clone", {}, format="json")
    assert wrong_scope.status_code == 403
    assert Campaign.objects.count() == 1


def test_the_console_clones_and_audits(account, source):
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    assert 'data-testid="action-clone"' in client.get(f"/campaigns/{source}/").content.decode()
    response = client.post(f"/campaigns/{source}/clone")
    copy = Campaign.objects.exclude(pk=source).get()
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{copy.pk}/edit"
    assert copy.status == "DRAFT" and copy.name == "Copy of Spring"
    entry = AuditEntry.objects.get(action="campaign.cloned")
    assert entry.target_id == str(copy.pk) and entry.detail == {"from": source}
