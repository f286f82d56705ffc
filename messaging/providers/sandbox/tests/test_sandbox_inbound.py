"""``POST /api/v1/sandbox/inbound`` over HTTP: play the customer, opt-out keywords."""
from __future__ import annotations

import pytest

from contacts.models import Contact
from messaging import services
from messaging.choices import Status
from messaging.models import Conversation, Message
from outreach.testing import assert_matches_schema, key_client
from webhooks.models import Event

pytestmark = pytest.mark.django_db
URL = "/api/v1/sandbox/inbound"
PATH = "/api/v1/sandbox/inbound"


@pytest.fixture
def line(account):
    return services.add_line(account, "+15125550100")


def post(client, **body):
    return client.post(URL, body, format="json")


def test_a_customer_message_is_received_on_the_sandbox_line(api, account, line):
    response = post(api, **{"from": "(212) 555-0188", "body": "Hi there"})
    assert response.status_code == 201, response.content
    assert_matches_schema(response, PATH)
    data = response.json()
    assert data["from"] == "+12125550188" and data["to"] == line.number and data["optedOut"] is False
    message = Message.objects.get(handle=data["id"])
    assert (message.status, message.is_outbound, message.content) == (Status.RECEIVED, False, "Hi there")
    assert Contact.objects.filter(account=account, e164_number="+12125550188").exists()
    assert Conversation.objects.get(address="+12125550188").line == line
    received = Event.objects.get(type="message.received")
    assert received.payload["message_handle"] == data["id"] and received.payload["is_outbound"] is False


@pytest.mark.parametrize("keyword", ["STOP", "stop", "Quit", "END", "REVOKE", "opt out", "CANCEL", "UNSUBSCRIBE"])
def test_opt_out_keywords_opt_the_sender_out_and_start_opts_back_in(api, account, line, keyword):
    response = post(api, **{"from": "+12125550188", "body": f" {keyword} "})
    assert response.status_code == 201 and response.json()["optedOut"] is True
    assert Contact.objects.get(e164_number="+12125550188").opted_out
    assert Event.objects.filter(type="contact_opted_out").count() == 1
    declined = services.send(account, to="+12125550188", content="are you there?")
    assert declined.status == Status.DECLINED and declined.error_key == "OPTED_OUT"

    response = post(api, **{"from": "+12125550188", "body": "START"})
    assert response.json()["optedOut"] is False
    assert services.send(account, to="+12125550188", content="welcome back").status == Status.QUEUED


def test_a_sentence_containing_stop_is_just_a_message(api, line):
    assert post(api, **{"from": "+12125550188", "body": "please don't stop"}).json()["optedOut"] is False
    assert not Contact.objects.get(e164_number="+12125550188").opted_out


def test_it_names_the_line_or_refuses(api, account, other_account, line):
    second = services.add_line(account, "+15125550199")
    foreign = services.add_line(other_account, "+15125550177")
    response = post(api, **{"from": "+12125550188", "to": second.number, "body": "hi"})
    assert response.status_code == 201 and response.json()["to"] == second.number
    response = post(api, **{"from": "+12125550188", "to": foreign.number, "body": "hi"})
    assert response.status_code == 404
    assert_matches_schema(response, PATH)
    response = post(api, **{"from": "911", "body": "hi"})
    assert response.status_code in (400, 422)
    response = post(api, **{"from": "+12125550188"})
    assert response.status_code == 422 and "body" in response.json()["errors"]
    assert_matches_schema(response, PATH)


def test_it_needs_a_sandbox_line_and_the_messages_scope(account, line):
    line.provider = "bluebubbles"
    line.save()
    client = key_client(account, ["messages"])
    response = post(client, **{"from": "+12125550188", "body": "hi"})
    assert response.status_code == 422 and "sandbox" in response.json()["detail"]
    response = post(key_client(account, ["read_only"]), **{"from": "+12125550188", "body": "hi"})
    assert response.status_code == 403
