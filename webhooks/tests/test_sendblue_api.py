"""Sendblue-compatible /api/account/webhooks over HTTP (Sendblue error shape, 400s)."""
from __future__ import annotations

import pytest
from django.test import override_settings

import webhooks
from outreach.testing import assert_matches_schema
from webhooks import drains, services
from webhooks.choices import EventType, PayloadFormat
from webhooks.models import Attempt, Endpoint

from .helpers import received, verify

pytestmark = pytest.mark.django_db

A = "http://127.0.0.1:9/a"
B = "http://127.0.0.1:9/b"


@pytest.fixture
def sb(api_for, account):
    return api_for(account, ["full_access"], form="sendblue")


def test_add_list_replace_delete(sb, account):
    r = sb.post("/api/account/webhooks", {"webhooks": [A, {"url": B, "secret": services.signing.new_secret()}]}, format="json")
    assert r.status_code == 200, r.content
    assert_matches_schema(r, "/api/account/webhooks")
    assert r.json()["status"] == "OK" and r.json()["webhooks"]["receive"] == [A, B]

    r = sb.post("/api/account/webhooks", {"webhooks": [A], "type": "outbound"}, format="json")
    assert r.json()["webhooks"]["outbound"] == [A]
    assert Endpoint.objects.get(url=A).event_types == ["message.received", "message.status_updated"]
    assert Endpoint.objects.get(url=A).payload_format == PayloadFormat.RAW

    r = sb.get("/api/account/webhooks")
    assert_matches_schema(r, "/api/account/webhooks")
    assert r.json()["webhooks"] == {"receive": [A, B], "outbound": [A], "call_log": [], "contact_created": [], "line_assigned": [], "line_blocked": []}

    kept = Endpoint.objects.get(url=B)
    r = sb.put("/api/account/webhooks", {"webhooks": {"outbound": [B], "call_log": [B]}}, format="json")
    assert r.status_code == 200, r.content
    assert_matches_schema(r, "/api/account/webhooks")
    assert r.json()["webhooks"] == {"receive": [], "outbound": [B], "call_log": [B], "contact_created": [], "line_assigned": [], "line_blocked": []}
    assert Endpoint.objects.get(url=B).pk == kept.pk  # kept URL keeps its secret and log

    r = sb.delete("/api/account/webhooks", {"webhook_urls": [B], "type": "call_log"}, format="json")
    assert r.status_code == 200 and r.json()["webhooks"]["call_log"] == []
    assert_matches_schema(r, "/api/account/webhooks")
    r = sb.delete("/api/account/webhooks", {"webhook_urls": [B]}, format="json")
    assert r.json()["webhooks"] == {"receive": [], "outbound": [], "call_log": [], "contact_created": [], "line_assigned": [], "line_blocked": []}
    r = sb.delete("/api/account/webhooks", {"webhook_urls": [B]}, format="json")
    assert r.status_code == 404 and r.json()["status"] == "ERROR"


def test_bad_bodies_are_sendblue_400s(sb):
    for body in [{}, {"webhooks": [42]}, {"webhooks": [A], "type": "typing"}, {"webhooks": ["ftp://x"]}]:
        r = sb.post("/api/account/webhooks", body, format="json")
        assert r.status_code == 400, (body, r.content)
        assert r.json()["status"] == "ERROR" and r.json()["error_code"] == 4000 and r.json()["error_message"]
        assert_matches_schema(r, "/api/account/webhooks")
    r = sb.post("/api/account/webhooks", {"webhooks": [A], "globalSecret": "my global secret"}, format="json")
    assert r.status_code == 400 and "globalSecret" in r.json()["error_message"]
    r = sb.post("/api/account/webhooks", {"webhooks": [{"url": A, "secret": "s\u00e9cret"}]}, format="json")
    assert r.status_code == 400 and "visible ASCII" in r.json()["error_message"]
    # Sendblue's types this server has no event for are refused, never silently listed.
    r = sb.post("/api/account/webhooks", {"webhooks": [A], "type": "typing_indicator"}, format="json")
    assert r.status_code == 400 and "typing_indicator" in r.json()["error_message"]
    assert "line_assigned" in r.json()["error_message"], "says which types there are"
    r = sb.put("/api/account/webhooks", {"webhooks": {"receive": [A], "inbound_call": [B]}}, format="json")
    assert r.status_code == 400 and "inbound_call" in r.json()["error_message"]
    assert Endpoint.objects.count() == 0


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_private_targets_are_refused(sb):
    r = sb.post("/api/account/webhooks", {"webhooks": ["http://169.254.169.254/x"]}, format="json")
    assert r.status_code == 400 and "metadata" in r.json()["error_message"]


def test_a_receive_webhook_gets_the_raw_sendblue_body(sb, account, httpserver):
    httpserver.expect_request("/in").respond_with_data("ok")
    secret = services.signing.new_secret()
    sb.post(
        "/api/account/webhooks",
        {"webhooks": [{"url": httpserver.url_for("/in"), "secret": secret}], "type": "receive"},
        format="json",
    )
    body = {"content": "hi", "is_outbound": False, "status": "RECEIVED", "message_handle": "m-1"}
    webhooks.emit(account, EventType.MESSAGE_RECEIVED, body)
    webhooks.emit(account, EventType.MESSAGE_STATUS_UPDATED, {"status": "SENT"})
    drains.drain(Endpoint.objects.get().target)
    [request] = received(httpserver, "/in")
    assert verify(secret, request) == body


def test_a_sendblue_secret_travels_as_sb_signing_secret_and_never_into_the_attempt_log(sb, account, httpserver):
    """Sendblue receivers compare the ``sb-signing-secret`` header with the secret they set;
    any string works (not only whsec_), and the Standard Webhooks signature still comes."""
    httpserver.expect_request("/own").respond_with_data("ok")
    httpserver.expect_request("/global").respond_with_data("ok")
    r = sb.post("/api/account/webhooks", {
        "webhooks": [{"url": httpserver.url_for("/own"), "secret": "own-secret-123"}, httpserver.url_for("/global")],
        "globalSecret": "global-secret-456",
    }, format="json")
    assert r.status_code == 200, r.content
    assert "own-secret-123" not in r.content.decode() and "global-secret-456" not in r.content.decode()
    webhooks.emit(account, EventType.MESSAGE_RECEIVED, {"content": "hi", "status": "RECEIVED"})
    for endpoint in Endpoint.objects.all():
        drains.drain(endpoint.target)
    [own] = received(httpserver, "/own")
    [shared] = received(httpserver, "/global")
    assert own.headers["sb-signing-secret"] == "own-secret-123"
    assert shared.headers["sb-signing-secret"] == "global-secret-456", "globalSecret covers the rest"
    own_endpoint = Endpoint.objects.get(url=httpserver.url_for("/own"))
    assert verify(own_endpoint.secret, own) == {"content": "hi", "status": "RECEIVED"}
    logged = [a.request_headers for a in Attempt.objects.all()]
    assert logged and all(h["sb-signing-secret"] == "[redacted]" for h in logged)
    assert "own-secret-123" not in str(logged) and "global-secret-456" not in str(logged)

    # A v1 (envelope) endpoint is not Sendblue-shaped: no sb-signing-secret.
    httpserver.expect_request("/v1").respond_with_data("ok")
    v1 = services.create_endpoint(account, httpserver.url_for("/v1"))
    webhooks.emit(account, EventType.MESSAGE_RECEIVED, {"content": "again"})
    drains.drain(v1.target)
    [plain] = received(httpserver, "/v1")
    assert "sb-signing-secret" not in plain.headers

