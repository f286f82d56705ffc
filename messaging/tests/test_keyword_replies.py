"""Keyword replies on the inbound path (contacts/keywords.py decides, messaging acts): the
account's own opt-out and opt-in words, and the automatic answer queued on the line the reply
came in on, sent once per inbound message, to a contact that has just opted out too."""
from __future__ import annotations

import pytest

from contacts.models import Contact
from messaging.choices import EventSource, Service, Status
from messaging.models import Message, MessageEvent
from messaging.providers.base import ProviderEvent
from messaging.services.reports import apply_events
from messaging.tests.test_dispatch import drain

pytestmark = pytest.mark.django_db
SENDER = "+12125550188"


def inbound(api, body: str, sender: str = SENDER):
    got = api.post("/api/v1/sandbox/inbound", {"from": sender, "body": body}, format="json")
    assert got.status_code == 201, got.content
    return got.json()


def answers(sender: str = SENDER) -> list[Message]:
    return list(Message.objects.filter(is_outbound=True, number=sender).order_by("id"))


def set_keywords(api, **fields):
    got = api.put("/api/v1/keywords", fields, format="json")
    assert got.status_code == 200, got.content


def test_a_stop_with_a_confirmation_opts_out_and_the_confirmation_is_sent_once(api, account, line):
    set_keywords(api, opt_out_reply_on=True, opt_out_reply="Alice Co: unsubscribed.")
    assert inbound(api, " stop ")["optedOut"] is True
    [reply] = answers()
    assert (reply.content, reply.line_id, reply.status) == ("Alice Co: unsubscribed.", line.pk, Status.QUEUED)
    inbound_message = Message.objects.get(is_outbound=False, number=SENDER)
    assert reply.conversation_id == inbound_message.conversation_id
    assert MessageEvent.objects.get(message=reply).source == EventSource.SYSTEM
    drain()
    reply.refresh_from_db()
    assert reply.status in (Status.SENT, Status.DELIVERED, Status.READ)  # opted out, and still confirmed
    # Anything else to the opted-out contact is declined as ever.
    sent = api.post("/api/v1/messages", {"to": SENDER, "body": "come back"}, format="json")
    assert sent.status_code in (200, 201, 202) and sent.json()["status"] == "declined"


def test_a_redelivered_callback_is_answered_once(account, line):
    event = ProviderEvent(kind="inbound", from_address=SENDER, content="HELP", service=Service.IMESSAGE,
                          provider_message_id="network-id-1")
    assert apply_events(line, [event]) == 1
    assert apply_events(line, [event]) == 0
    [reply] = answers()
    assert "reply STOP" in reply.content and reply.line_id == line.pk


def test_help_is_answered_with_the_default_reply_and_changes_nothing(api, account, line):
    assert inbound(api, "info")["optedOut"] is False
    [reply] = answers()
    assert reply.content.startswith(f"{account.name}: reply STOP")
    assert Contact.objects.get(account=account, e164_number=SENDER).opted_out_at is None


def test_a_custom_opt_out_word_opts_out_and_an_opt_in_word_answers(api, account, line):
    set_keywords(api, opt_out_keywords=["STOP", "ARRET"], opt_in_keywords=["START", "RETOUR"])
    assert inbound(api, "Arret")["optedOut"] is True
    assert answers() == []  # the opt-out confirmation is off by default
    assert inbound(api, "retour")["optedOut"] is False
    [reply] = answers()
    assert "subscribed again" in reply.content


def test_an_unknown_word_or_an_old_default_no_longer_listed_does_nothing(api, account, line):
    set_keywords(api, opt_out_keywords=["STOP"], opt_out_reply_on=True, opt_out_reply="Bye.")
    assert inbound(api, "please stop")["optedOut"] is False
    assert inbound(api, "UNSUBSCRIBE")["optedOut"] is False  # not in this account's list
    assert answers() == []
    assert Message.objects.filter(is_outbound=False).count() == 2
