"""Inline replies: a send answers a message of its conversation (``reply_to``), an inbound
reply that quotes one of ours is linked to it, and both show in the bodies the API and the
webhooks carry. The sandbox's numbers ending 08 answer inline, quoting the message."""
from __future__ import annotations

import pytest
import sendblue_api
from sendblue_api import SendblueAPI

from messaging import services
from messaging.models import Message
from messaging.queue import dispatch
from outreach.services import create_api_key
from outreach.testing import key_client

pytestmark = pytest.mark.django_db(transaction=True)
LINE = "+15125550150"


@pytest.fixture
def line(account):
    return services.add_line(account, LINE)


@pytest.fixture
def sdk(live_server, account, line):
    key, secret = create_api_key(account, "sdk", ["messages"])
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


def drain() -> None:
    while dispatch.run_chunk().claimed:
        pass


def test_a_customer_quoting_our_message_is_linked_and_we_answer_inline(sdk, account):
    sent = sdk.messages.send(number="+12145556308", content="Table for two at 8?", from_number=LINE)
    drain()  # the sandbox: delivered, then "Sounds good" quoting it
    inbound = Message.objects.get(is_outbound=False, number="+12145556308")
    assert inbound.content == "Sounds good" and str(inbound.reply_to.handle) == sent.message_handle
    listed = sdk.messages.list(is_outbound=False, number="+12145556308").data[0]
    assert listed.reply_to.message_handle == sent.message_handle

    answer = sdk.messages.send(number="+12145556308", content="Booked!", from_number=LINE,
                               reply_to={"message_handle": str(inbound.handle)})
    assert answer.reply_to.message_handle == str(inbound.handle)
    assert Message.objects.get(handle=answer.message_handle).reply_to == inbound
    assert sdk.messages.retrieve(answer.message_handle).data.reply_to.message_handle == str(inbound.handle)


def test_reply_to_must_be_a_message_of_that_conversation(sdk, account, other_account):
    first = sdk.messages.send(number="+12145556310", content="one", from_number=LINE)
    with pytest.raises(sendblue_api.BadRequestError, match="conversation this send goes to"):
        sdk.messages.send(number="+12145556311", content="two", from_number=LINE,
                          reply_to={"message_handle": first.message_handle})
    with pytest.raises(sendblue_api.BadRequestError, match="no message"):
        sdk.messages.send(number="+12145556310", content="x", from_number=LINE,
                          reply_to={"message_handle": "9b2f1c9e-0000-4000-8000-000000000000"})
    services.add_line(other_account, "+15125550151")
    theirs = services.send(other_account, to="+12145556310", content="theirs")
    r = key_client(account).post("/api/send-message", {"number": "+12145556310", "content": "x",
                                                       "reply_to": {"message_handle": str(theirs.handle)}},
                                 format="json")
    assert r.status_code == 400 and "no message" in r.json()["error_message"], "another account's is unknown"
    r = key_client(account).post("/api/send-message", {"number": "+12145556310", "content": "x", "reply_to": 5},
                                 format="json")
    assert r.status_code == 400 and "reply_to" in r.json()["error_message"]
