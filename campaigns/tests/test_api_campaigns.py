"""Campaigns over HTTP: shapes (against the OpenAPI document), validation, scoping and
the state machine with its 409s. On-commit tasks do not run here (no commit); the
worker tests in test_worker_campaigns cover what runs in Celery."""
from __future__ import annotations

import pytest

from campaigns.models import Campaign
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(account):
    f.lines(account, 1)
    return f.audience(account, ["+15125550141", "+15125550142"])


def create(api, audience, **extra):
    body = {"name": "Spring", "body": "Hi {first_name|there}", "list_ids": [str(audience.pk)], **extra}
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201, response.content
    return response


def test_create_list_and_detail_match_the_document(api, audience):
    response = create(api, audience, tags=["vip"], pace_per_minute=30, window_start="08:30")
    assert_matches_schema(response, "/api/v1/campaigns")
    body = response.json()
    assert body["status"] == "DRAFT" and body["window_start"] == "08:30" and body["window_end"] == "20:00"
    assert body["list_ids"] == [str(audience.pk)] and body["tags"] == ["vip"]

    listing = api.get("/api/v1/campaigns")
    assert_matches_schema(listing, "/api/v1/campaigns")
    assert listing.json()["total"] == 1
    item = listing.json()["items"][0]
    assert {"id", "name", "status", "created_at", "progress"} <= set(item)

    detail = api.get(f"/api/v1/campaigns/{body['id']}")
    assert_matches_schema(detail, "/api/v1/campaigns/{id}")
    assert detail.json()["progress"]["audience"] == 2  # who a start would reach

    patched = api.patch(f"/api/v1/campaigns/{body['id']}", {"name": "Summer", "priority": 5}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Summer"
    assert_matches_schema(patched, "/api/v1/campaigns/{id}")


@pytest.mark.parametrize("change,field,words", [
    ({"name": ""}, "name", "name"),
    ({"body": "Hi {first_name"}, "body", "stray"),
    ({"body": "Hi {{ city }}"}, "body", "at 4: '{{ city }}' would send braces"),
    ({"body": "Hi {shoe_size}"}, "body", "at 4: {shoe_size} is no contact field"),
    ({"body": "", "media_url": ""}, "body", "Write the message"),
    ({"list_ids": ["00000000-0000-0000-0000-000000000000"]}, "list_ids", "Unknown list"),
    ({"pace_per_minute": 0}, "pace_per_minute", ""),
    ({"window_start": "25:00"}, "window_start", ""),
    ({"priority": 101}, "priority", ""),
])
def test_bad_input_is_422_naming_the_field(api, audience, change, field, words):
    body = {"name": "X", "body": "Hi", "list_ids": [str(audience.pk)], **change}
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert words in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_another_accounts_campaign_is_404(api, audience, other_account, api_for):
    campaign_id = create(api, audience).json()["id"]
    other = api_for(other_account, ["full_access"])
    for method, path in [("get", ""), ("patch", ""), ("post", "/start"), ("post", "/stop"), ("get", "/recipients")]:
        response = getattr(other, method)(f"/api/v1/campaigns/{campaign_id}{path}", {}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["detail"]


def test_the_state_machine_and_its_409s(api, audience):
    cid = create(api, audience).json()["id"]
    url = f"/api/v1/campaigns/{cid}"

    def post(action):
        return api.post(f"{url}/{action}", format="json")

    assert post("pause").status_code == 409
    assert "active or scheduled" in post("pause").json()["detail"]
    assert post("resume").status_code == 409
    started = post("start")
    assert started.status_code == 200 and started.json()["status"] == "ACTIVE"
    assert_matches_schema(started, "/api/v1/campaigns/{id}/start")
    assert started.json()["progress"]["audience"] == 2
    again = post("start")
    assert again.status_code == 409 and again.json()["detail"] == "The campaign is already active."
    assert_matches_schema(again, "/api/v1/campaigns/{id}/start")
    assert api.patch(url, {"tags": ["x"]}, format="json").status_code == 409  # not editable while active
    assert post("pause").json()["status"] == "PAUSED"
    assert "resume it" in post("start").json()["detail"]
    assert api.patch(url, {"body": "Hello {first_name|friend}"}, format="json").status_code == 200
    assert api.patch(url, {"tags": ["x"]}, format="json").status_code == 409  # audience fixed once started
    assert post("resume").json()["status"] == "ACTIVE"
    stopped = post("stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "STOPPED"
    assert_matches_schema(stopped, "/api/v1/campaigns/{id}/stop")
    for action in ("start", "stop", "pause", "resume"):
        response = post(action)
        assert response.status_code == 409, action
        assert "STOPPED" in response.json()["detail"] or "stopped" in response.json()["detail"]


def test_a_scheduled_start_and_an_empty_audience(api, audience, account):
    cid = create(api, audience, start_at="2099-01-01T09:00:00Z").json()["id"]
    assert api.post(f"/api/v1/campaigns/{cid}/start").json()["status"] == "SCHEDULED"
    empty = f.audience(account, [], name="Empty")
    cid = create(api, empty).json()["id"]
    response = api.post(f"/api/v1/campaigns/{cid}/start")
    assert response.status_code == 409 and "match no contact" in response.json()["detail"]


def test_appointments_and_calls_are_recorded_and_emitted(api, audience, account):
    from webhooks.models import Event

    contact = audience.contacts.first()
    response = api.post("/api/v1/appointments", {
        "contact_id": str(contact.pk), "scheduled_for": "2026-12-01T15:00:00Z", "notes": "demo call",
    }, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/appointments")
    event = Event.objects.get(type="appointment_scheduled")
    assert event.payload["phone"] == contact.e164_number and event.payload["time"] == "2026-12-01T15:00:00Z"

    response = api.post("/api/v1/calls", {"contact_id": str(contact.pk), "outcome": "missed"}, format="json")
    assert response.status_code == 201
    assert Event.objects.get(type="call_completed").payload["outcome"] == "missed"
    bad = api.post("/api/v1/calls", {"contact_id": str(contact.pk), "outcome": "busy"}, format="json")
    assert bad.status_code == 422 and "outcome" in bad.json()["errors"]
    unknown = api.post("/api/v1/calls", {"contact_id": "00000000-0000-0000-0000-000000000000",
                                         "outcome": "connected"}, format="json")
    assert unknown.status_code == 422 and "contact_id" in unknown.json()["errors"]

    listing = api.get(f"/api/v1/calls?contact_id={contact.pk}")
    assert listing.json()["total"] == 1
    assert_matches_schema(listing, "/api/v1/calls")
    assert api.get("/api/v1/appointments?contact_id=nope").status_code == 400


def test_a_page_of_campaigns_costs_the_same_queries_at_any_length(api, audience):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        api.get("/api/v1/campaigns")  # warm the key cache
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/campaigns").status_code == 200
        return len(queries.captured_queries)

    create(api, audience)
    small = cost()
    for i in range(5):
        create(api, audience, name=f"Spring {i}")
    assert cost() == small


def test_a_recipients_message_status_is_the_v1_messages_word(api, account, audience):
    from campaigns.models import CampaignRecipient
    from messaging.choices import Status
    from messaging.models import Message

    campaign = Campaign.objects.get(pk=create(api, audience).json()["id"])
    line = account.lines.get()
    words = {}
    for contact, status in zip(audience.contacts.order_by("e164_number"), [Status.ERROR, Status.DELIVERED], strict=True):
        message = Message.objects.create(account=account, line=line, status=status, to_number=contact.e164_number)
        CampaignRecipient.objects.create(campaign=campaign, contact=contact, message=message)
        words[str(message.handle)] = api.get(f"/api/v1/messages/{message.handle}/status").json()["status"]
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/recipients")
    assert_matches_schema(response, "/api/v1/campaigns/{id}/recipients")
    statuses = {r["message_id"]: r["message_status"] for r in response.json()["items"]}
    assert statuses == words and sorted(words.values()) == ["delivered", "failed"]
