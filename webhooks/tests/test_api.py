"""The v1 webhooks API over HTTP, validated against the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

import webhooks
from outreach.testing import assert_matches_schema
from webhooks import drains, services
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Delivery, Endpoint

from .helpers import received, verify

pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hook"


def test_create_shows_the_secret_once_and_lists_without_it(api):
    r = api.post("/api/v1/webhooks", {"url": HOOK, "description": "CRM", "event_types": ["message.received"]}, format="json")
    assert r.status_code == 201, r.content
    assert_matches_schema(r, "/api/v1/webhooks")
    body = r.json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["message.received"]
    assert body["payload_format"] == "envelope" and body["enabled"] is True

    r = api.get("/api/v1/webhooks")
    assert_matches_schema(r, "/api/v1/webhooks")
    assert r.json()["total"] == 1 and "secret" not in r.json()["items"][0]
    r = api.get(f"/api/v1/webhooks/{body['id']}")
    assert_matches_schema(r, "/api/v1/webhooks/{id}")
    assert "secret" not in r.json()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"url": "ftp://x.example/hook"}, "url"),
        ({}, "url"),
        ({"url": HOOK, "event_types": ["nope"]}, "event_types"),
        ({"url": HOOK, "secret": "plain-text"}, "secret"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, payload, field):
    r = api.post("/api/v1/webhooks", payload, format="json")
    assert r.status_code == 422, r.content
    assert_matches_schema(r, "/api/v1/webhooks")
    assert any(k.startswith(field) for k in r.json()["errors"]), r.json()
    assert Endpoint.objects.count() == 0


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_private_and_metadata_targets_are_refused_over_the_api(api):
    for url in ("http://127.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.8/x"):
        r = api.post("/api/v1/webhooks", {"url": url}, format="json")
        assert r.status_code == 422 and "url" in r.json()["errors"], r.content
        assert "public hosts only" in r.json()["detail"]
    assert Endpoint.objects.count() == 0


def test_update_disable_enable_and_delete(api, account):
    endpoint = services.create_endpoint(account, HOOK)
    url = f"/api/v1/webhooks/{endpoint.pk}"
    r = api.patch(url, {"event_types": ["contact_opted_out"], "description": "ops"}, format="json")
    assert r.status_code == 200 and r.json()["event_types"] == ["contact_opted_out"]
    assert_matches_schema(r, "/api/v1/webhooks/{id}")
    r = api.patch(url, {"enabled": False}, format="json")
    assert r.json()["enabled"] is False and r.json()["disabled_reason"] == "Disabled by a user."
    r = api.patch(url, {"enabled": True}, format="json")
    assert r.json()["enabled"] is True and r.json()["disabled_reason"] == ""
    r = api.put(url, {"url": "http://127.0.0.1:9/other"}, format="json")
    assert r.status_code == 200 and r.json()["event_types"] == [] and r.json()["description"] == ""
    r = api.patch(url, {"secret": "whsec_x"}, format="json")
    assert r.status_code == 422 and "secret" in r.json()["errors"]
    r = api.delete(url)
    assert r.status_code == 204
    assert api.get(url).status_code == 404


def test_another_accounts_endpoint_is_404(api, other_account):
    theirs = services.create_endpoint(other_account, HOOK)
    for method, path in [
        ("get", f"/api/v1/webhooks/{theirs.pk}"),
        ("patch", f"/api/v1/webhooks/{theirs.pk}"),
        ("delete", f"/api/v1/webhooks/{theirs.pk}"),
        ("get", f"/api/v1/webhooks/{theirs.pk}/deliveries"),
        ("post", f"/api/v1/webhooks/{theirs.pk}/test"),
        ("post", f"/api/v1/webhooks/{theirs.pk}/rotate-secret"),
    ]:
        r = getattr(api, method)(path, {}, format="json")
        assert r.status_code == 404, (method, path, r.status_code)
    assert Endpoint.objects.filter(pk=theirs.pk).exists()


def test_deliveries_are_listed_with_attempts_and_filtered_by_status(api, account, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("bad gateway", status=502)
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 1})
    drains.drain(endpoint.target)
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 2})

    r = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries")
    assert r.status_code == 200
    assert_matches_schema(r, "/api/v1/webhooks/{id}/deliveries")
    assert r.json()["total"] == 2
    r = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries", {"status": "pending"})
    items = r.json()["items"]
    assert len(items) == 2  # the first waits for its retry, the second for its first attempt
    first = next(i for i in items if i["attempt_count"] == 1)
    assert first["attempts"][0]["status_code"] == 502 and first["attempts"][0]["response_excerpt"] == "bad gateway"
    assert first["webhook_id"].startswith("msg_") and first["event_type"] == "contact_opted_out"
    r = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries", {"status": "lost"})
    assert r.status_code == 400 and "status must be one of" in r.json()["detail"]


def test_replay_one_and_replay_failed_since(api, account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    e1 = webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 1})
    webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {"n": 2})
    Delivery.objects.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    d1 = Delivery.objects.get(event=e1)

    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{d1.pk}/replay")
    assert r.status_code == 202, r.content
    assert_matches_schema(r, "/api/v1/webhooks/{id}/deliveries/{delivery_pk}/replay")
    assert r.json()["status"] == "pending"
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{d1.pk}/replay")
    assert r.status_code == 409 and "pending" in r.json()["detail"]

    since = (timezone.now() - timedelta(hours=1)).isoformat()
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/replay", {"since": since}, format="json")
    assert r.status_code == 202 and r.json() == {"replayed": 1}
    assert_matches_schema(r, "/api/v1/webhooks/{id}/replay")
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/replay", {"since": "yesterday"}, format="json")
    assert r.status_code == 422 and "since" in r.json()["errors"]
    drains.drain(endpoint.target)
    assert len(received(httpserver)) == 2


def test_test_ping_and_rotation(api, account, httpserver):
    httpserver.expect_request("/hook").respond_with_data("pong")
    endpoint = services.create_endpoint(account, httpserver.url_for("/hook"))
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    assert r.status_code == 202 and r.json()["event_type"] == "webhook.test"
    assert_matches_schema(r, "/api/v1/webhooks/{id}/test")

    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret", {"grace_hours": 2}, format="json")
    assert r.status_code == 200
    assert_matches_schema(r, "/api/v1/webhooks/{id}/rotate-secret")
    new = r.json()["secret"]
    assert new != endpoint.secret and r.json()["previous_secret_expires_at"]
    drains.drain(endpoint.target)
    [ping] = received(httpserver)
    verify(new, ping)
    verify(endpoint.secret, ping)
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret", {"grace_hours": 9999}, format="json")
    assert r.status_code == 422 and "grace_hours" in r.json()["errors"]

    api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"enabled": False}, format="json")
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    assert r.status_code == 409 and "disabled" in r.json()["detail"]


def test_rotate_the_account_default_secret(api, account):
    before = services.account_secret(account).secret
    r = api.post("/api/v1/webhooks/signing-secret/rotate", {}, format="json")
    assert r.status_code == 200
    assert_matches_schema(r, "/api/v1/webhooks/signing-secret/rotate")
    assert r.json()["secret"] != before and r.json()["secret"].startswith("whsec_")
    assert services.account_secret(account).signing_secrets() == [r.json()["secret"], before]


def test_read_only_can_list_but_not_create(api_for, account):
    ro = api_for(account, ["read_only"])
    assert ro.get("/api/v1/webhooks").status_code == 200
    r = ro.post("/api/v1/webhooks", {"url": HOOK}, format="json")
    assert r.status_code == 403 and "detail" in r.json()


def test_replay_all_failed_since_includes_status_callbacks(api, account, httpserver):
    httpserver.expect_request("/cb").respond_with_data("ok")
    webhooks.emit(account, EventType.MESSAGE_STATUS_UPDATED, {"status": "SENT"}, [httpserver.url_for("/cb")])
    Delivery.objects.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    r = api.post("/api/v1/webhooks/replay", {"since": since}, format="json")
    assert r.status_code == 202 and r.json() == {"replayed": 1}
    assert_matches_schema(r, "/api/v1/webhooks/replay")
    drains.drain(Delivery.objects.get().target)
    [request] = received(httpserver, "/cb")
    assert verify(services.account_secret(account).secret, request) == {"status": "SENT"}
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    r = api.post("/api/v1/webhooks/replay", {"since": future}, format="json")
    assert r.status_code == 422 and "since" in r.json()["errors"]
