"""Bad input is never a 500: each is a 400/413/422 in the endpoint's dialect that says what to fix."""
from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings

from outreach.testing import key_client

pytestmark = pytest.mark.django_db

BIG = 2_621_440 + 1  # one byte over DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.fixture
def v1(account):
    return key_client(account)


@pytest.fixture
def sb(account):
    return key_client(account, form="sendblue")


def big_body(size: int = BIG) -> str:
    body = json.dumps({"number": "+15551234567", "phone_number": "+15551234567", "content": ""})
    return body[:-2] + "x" * (size - len(body)) + '"}'


@pytest.mark.parametrize("path", ["/api/v1/messages", "/api/v1/contacts", "/api/v1/contacts/batch"])
def test_it_refuses_a_body_over_the_limit_with_413_in_the_v1_shape(v1, path):
    response = v1.post(path, big_body(), content_type="application/json")
    assert response.status_code == 413
    assert "at most 2,621,440 bytes" in response.json()["detail"]


def test_it_refuses_a_body_over_the_limit_with_413_in_the_sendblue_shape(sb):
    response = sb.post("/api/send-message", big_body(), content_type="application/json")
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == "ERROR" and body["error_code"] == 4000
    assert "at most 2,621,440 bytes" in body["error_message"]


@override_settings(API_BULK_MAX_BYTES=1000)
def test_bulk_jobs_refuse_a_body_over_their_own_limit_before_reading_it(v1):
    messages = [{"to": "+15551234567", "body": "x" * 100}] * 20
    response = v1.post("/api/v1/messages/bulk", {"messages": messages}, format="json")
    assert response.status_code == 413
    assert "at most 1,000 bytes" in response.json()["detail"]


def test_bulk_jobs_refuse_20_mb(v1):
    response = v1.post("/api/v1/messages/bulk", big_body(20 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/messages/bulk"])
def test_it_refuses_json_nested_50000_deep(v1, path):
    response = v1.post(path, "[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]


def test_it_names_every_field_holding_nul_or_a_lone_surrogate(v1):
    raw = (
        '{"phone_number": "+15551234567", "first_name": "Ann\\ud800",'
        ' "custom_variables": {"note": "a\\u0000b", "ok": "caf\\u00e9 \\ud83d\\ude00"}}'
    )
    response = v1.post("/api/v1/contacts", raw, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == {
        "custom_variables.note": ["Text may not contain the NUL character (\\u0000)."],
        "first_name": ["Text may not contain an unpaired surrogate (U+D800)."],
    }


def test_legitimate_text_with_emoji_and_accents_goes_through(v1):
    raw = '{"phone_number": "+15551234567", "first_name": "Zo\\u00eb \\ud83d\\ude00", "custom_variables": {"note": "tab\\there"}}'
    response = v1.post("/api/v1/contacts", raw, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["first_name"] == "Zoë 😀"


def test_sendblue_dialect_refuses_nul_with_400(sb):
    response = sb.post("/api/send-message", {"number": "+15551234567", "content": "a\u0000"}, format="json")
    assert response.status_code == 400
    assert response.json()["error_message"] == "content: Text may not contain the NUL character (\\u0000)."


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("query", ["offset=9223372036854775808", "offset=1000000001", "offset=" + "9" * 5000])
def test_an_offset_past_the_maximum_is_a_400(account, query):
    response = key_client(account, form="sendblue").get(f"/api/v2/messages?{query}")
    assert response.status_code == 400
    assert "offset must be" in response.json()["error_message"]


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/campaigns", "/api/v1/messages"])
def test_a_page_past_the_maximum_is_a_400(v1, path):
    response = v1.get(f"{path}?page=9223372036854775808")
    assert response.status_code == 400
    assert response.json()["detail"] == "page must be between 1 and 10000000, got 9223372036854775808."


def test_pace_past_its_bounds_is_a_422_on_create_and_patch(v1):
    response = v1.post("/api/v1/campaigns", {"name": "x", "body": "hi", "pace_per_minute": 10**30}, format="json")
    assert response.status_code == 422
    assert "pace_per_minute" in response.json()["errors"]
    created = v1.post("/api/v1/campaigns", {"name": "x", "body": "hi"}, format="json")
    assert created.status_code == 201, created.content
    response = v1.patch(f"/api/v1/campaigns/{created.json()['id']}", {"pace_per_minute": 10**30}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"]["pace_per_minute"] == ["Ensure this value is less than or equal to 100000."]


def test_list_membership_takes_at_most_1000_ids(v1):
    list_id = v1.post("/api/v1/lists", {"name": "L"}, format="json").json()["id"]
    path = f"/api/v1/lists/{list_id}/contacts"
    response = v1.post(path, {"contact_ids": list(range(100_000))}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"contact_ids": ["Ensure this field has no more than 1000 elements."]}
    ids = [str(uuid.uuid4()) for _ in range(100_000)]
    assert v1.post(path, {"contact_ids": ids}, format="json").status_code == 413


@pytest.mark.parametrize("path", [
    "/api/v1/contacts/not-a-uuid", "/api/v1/lists/1/contacts", "/api/v1/campaigns/x", "/api/v1/nothing",
])
def test_unknown_v1_paths_and_ids_are_a_json_404(v1, path):
    response = v1.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Not found")


def test_unknown_sendblue_paths_are_a_json_404_in_its_shape(sb):
    response = sb.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "status": "ERROR", "error_code": None, "error_message": "Not found: /api/nothing-here is no API endpoint or object.",
    }


@pytest.mark.parametrize("body", ["[null, null]", '"text"', "1", "null"])
def test_a_body_that_is_not_an_object_is_a_400(sb, v1, body):
    response = sb.post("/api/send-message", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error_message"].startswith("The body must be a JSON object")
    response = v1.post("/api/v1/contacts", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body must be a JSON object")


def test_upload_media_object_refuses_a_body_that_is_not_an_object(sb):
    response = sb.post("/api/upload-media-object", "[null, null]", content_type="application/json")
    assert response.status_code == 400
