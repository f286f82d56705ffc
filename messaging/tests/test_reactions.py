"""Tapbacks: ``POST /api/send-reaction`` on a message that reached the other side, a
customer's tapback recorded on the message it reacts to (the sandbox's numbers ending 09
love what they get), each a ``message.reaction`` webhook."""
from __future__ import annotations

import json

import pytest

from messaging import services
from messaging.models import Message, Reaction
from messaging.queue import dispatch
from outreach.testing import key_client
from outreach.tests.factories import AccountFactory
from webhooks import drains
from webhooks import services as webhook_services
from webhooks.models import Endpoint
from webhooks.tests.helpers import received

pytestmark = pytest.mark.django_db(transaction=True)
LINE = "+15125550140"


@pytest.fixture
def line(account):
    return services.add_line(account, LINE)


def drain() -> None:
    while dispatch.run_chunk().claimed:
        pass


def test_a_customer_loves_our_message_and_we_react_to_theirs(account, line, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    webhook_services.create_endpoint(account, httpserver.url_for("/hook"), event_types=["message.reaction"])
    api = key_client(account, ["messages"])
    sent = services.send(account, to="+12145556409", content="Your table is ready")
    drain()  # the sandbox: delivered, read, then the customer loves it
    [love] = Reaction.objects.filter(message=sent)
    assert (love.kind, love.from_address, love.is_outbound) == ("love", "+12145556409", False)

    inbound = services.simulate_inbound(account, line, "+12145556409", "On my way")
    r = api.post("/api/send-reaction", {"message_handle": str(inbound.handle), "reaction": "like"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "OK", "message_handle": str(inbound.handle), "reaction": "like", "part_index": 0}
    r = api.post("/api/send-reaction", {"message_handle": str(inbound.handle), "reaction": "laugh"}, format="json")
    assert list(Reaction.objects.filter(message=inbound).values_list("kind", "is_outbound")) == [("laugh", True)], \
        "a new reaction replaces ours"

    drains.drain(Endpoint.objects.get().target)
    bodies = [json.loads(req.get_data())["data"] for req in received(httpserver, "/hook")]
    assert [(b["reaction"], b["is_outbound"]) for b in bodies] == [("love", False), ("like", True), ("laugh", True)]
    assert bodies[0]["message_handle"] == str(sent.handle)


def test_a_reaction_is_refused_with_every_reason_at_once(account, line):
    api = key_client(account, ["messages"])
    declined = services.send(account, to="+12145556410", content="x")
    Message.objects.filter(pk=declined.pk).update(status="DECLINED")
    r = api.post("/api/send-reaction", {"message_handle": str(declined.handle), "reaction": "hug", "part_index": -1},
                 format="json")
    assert r.status_code == 400
    message = r.json()["error_message"]
    assert "reaction must be one of" in message and "part_index" in message and "reached" in message
    assert api.post("/api/send-reaction", {"reaction": "love"}, format="json").status_code == 400

    other = AccountFactory()
    services.add_line(other, "+15125550141")
    foreign = services.send(other, to="+12145556411", content="x")
    r = api.post("/api/send-reaction", {"message_handle": str(foreign.handle), "reaction": "love"}, format="json")
    assert r.status_code == 404
    reader = key_client(account, ["read_only"])
    assert reader.post("/api/send-reaction", {"message_handle": str(declined.handle), "reaction": "love"},
                       format="json").status_code == 403
    assert not Reaction.objects.exists()
