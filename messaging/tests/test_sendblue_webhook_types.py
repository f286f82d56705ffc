"""Sendblue's contact_created and line_assigned webhook types, end to end: configured
through /api/account/webhooks, fired by the apps that create contacts and lines."""
from __future__ import annotations

import json

import pytest

from contacts.services import create_contact
from messaging.services import add_line
from webhooks import drains
from webhooks.models import Endpoint
from webhooks.tests.helpers import received

pytestmark = pytest.mark.django_db

def test_contact_created_and_line_assigned_reach_their_sendblue_types(api_for, account, httpserver):
    sb = api_for(account, ["full_access"], form="sendblue")
    httpserver.expect_request("/contacts").respond_with_data("ok")
    httpserver.expect_request("/lines").respond_with_data("ok")
    sb.post("/api/account/webhooks", {"webhooks": [httpserver.url_for("/contacts")], "type": "contact_created"},
            format="json")
    r = sb.post("/api/account/webhooks", {"webhooks": [httpserver.url_for("/lines")], "type": "line_assigned"},
                format="json")
    assert r.json()["webhooks"]["contact_created"] == [httpserver.url_for("/contacts")]
    assert r.json()["webhooks"]["line_assigned"] == [httpserver.url_for("/lines")]
    create_contact(account, {"phone_number": "+15552019000", "first_name": "Ada"})
    add_line(account, "+15125550190", name="Main")
    for endpoint in Endpoint.objects.all():
        drains.drain(endpoint.target)
    [contact] = received(httpserver, "/contacts")
    assert json.loads(contact.get_data())["e164_number"] == "+15552019000" and json.loads(contact.get_data())["first_name"] == "Ada"
    [line] = received(httpserver, "/lines")
    assert json.loads(line.get_data())["sendblue_number"] == "+15125550190" and json.loads(line.get_data())["name"] == "Main"
