"""A draft shows the audience a start would reach (its lists and tags now, opted-out
contacts left out), on the console page, the list and the API."""
from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from outreach.services import create_staff_user

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_draft_counts_who_a_start_would_reach(api, account):
    lst = f.audience(account, ["+15125550701", "+15125550702"])
    f.contact(account, "+15125550703", lists=[lst], opted_out_at=timezone.now())
    f.contact(account, "+15125550704", tags=["vip"])
    body = {"name": "Draft", "body": "Hi", "list_ids": [str(lst.pk)], "tags": ["vip"]}
    created = api.post("/api/v1/campaigns", body, format="json").json()
    assert created["status"] == "DRAFT" and created["progress"]["audience"] == 3
    assert api.get("/api/v1/campaigns").json()["items"][0]["progress"]["audience"] == 3

    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    page = client.get(f"/campaigns/{created['id']}/").content.decode()
    assert 'a start would reach <span data-testid="draft-audience">3</span> contacts' in page
    assert "<td>3</td>" in client.get("/campaigns/").content.decode()

    f.contact(account, "+15125550705", lists=[lst])  # the list grows: so does the draft's audience
    assert api.get(f"/api/v1/campaigns/{created['id']}").json()["progress"]["audience"] == 4
