"""The official ``sendblue`` SDK from PyPI (import name ``sendblue_api``), unchanged, pointed
at this server with ``base_url`` and a key id/secret pair."""
from __future__ import annotations

import pytest
import sendblue_api
from sendblue_api import SendblueAPI

from contacts.services import contact_for_address, opt_out
from messaging.models import Message
from outreach.services import create_api_key

from .console_data import LINE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(live_server, account, line):
    key, secret = create_api_key(account, "sdk", ["messages"])
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


def test_send_status_retrieve(sdk):
    sent = sdk.messages.send(number="+15552010300", content="Hello from the SDK", from_number=LINE,
                             send_style="confetti", status_callback="https://example.com/cb")
    assert sent.status == "QUEUED" and sent.number == "+15552010300" and sent.from_number == LINE
    assert sent.account_email == "alice@example.com" and sent.send_style == "confetti"
    assert sent.date_created is not None
    assert Message.objects.filter(handle=sent.message_handle).exists()

    status = sdk.messages.get_status(handle=sent.message_handle)
    assert status.message_handle == sent.message_handle and status.status == "QUEUED"
    assert status.account_email == "alice@example.com" and status.date_created == sent.date_created

    retrieved = sdk.messages.retrieve(sent.message_handle)
    assert retrieved.status == "OK"
    assert retrieved.data.message_handle == sent.message_handle
    assert retrieved.data.account_email == "alice@example.com"
    assert retrieved.data.sendblue_number == LINE and retrieved.data.message_type == "message"


def test_send_without_from_number_picks_the_line(sdk):
    sent = sdk.messages.send(number="+15552010301", content="hi")
    assert sent.from_number == LINE


def test_group_send(sdk):
    sent = sdk.groups.send_message(content="Hi both", from_number=LINE, numbers=["+15552010302", "+15552010303"])
    assert sent.message_type == "group" and sent.status == "QUEUED"
    message = Message.objects.select_related("conversation").get(handle=sent.message_handle)
    group_id = message.conversation.group_id
    again = sdk.groups.send_message(content="Again", from_number=LINE, group_id=group_id)
    assert Message.objects.get(handle=again.message_handle).conversation.group_id == group_id


def test_list_with_filters(sdk, account):
    handles = [sdk.messages.send(number=f"+1555201031{i}", content=f"m{i}").message_handle for i in range(3)]
    page = sdk.messages.list(limit=2, offset=0, order_by="createdAt", order_direction="asc", is_outbound="true")
    assert [m.message_handle for m in page.data] == handles[:2]
    assert page.pagination.total == 3 and page.pagination.has_more is True
    assert page.pagination.limit == 2 and page.pagination.offset == 0
    one = sdk.messages.list(number="+15552010312", status="QUEUED", sendblue_number=LINE)
    assert [m.message_handle for m in one.data] == [handles[2]]
    assert one.data[0].account_email == "alice@example.com" and one.data[0].to_number == "+15552010312"
    assert sdk.messages.list(is_outbound="false").data == []
    assert sdk.messages.list(created_at_gte="2999-01-01T00:00:00Z").pagination.total == 0


def test_number_lookup(sdk):
    found = sdk.lookups.lookup_number(number="+15552010320")
    assert found.number == "+15552010320" and found.service == "iMessage"


def test_media_object_upload(sdk, settings, tmp_path, httpserver):
    settings.MEDIA_ROOT = tmp_path
    httpserver.expect_request("/Welcome.png").respond_with_data(b"\x89PNG", content_type="image/png")
    uploaded = sdk.media_objects.upload(media_url=httpserver.url_for("/Welcome.png"))
    assert uploaded.status == "OK" and uploaded.media_object_id
    media_url = uploaded.to_dict()["media_url"]
    sent = sdk.messages.send(number="+15552010322", media_url=media_url)
    assert sent.media_url == media_url and sent.status == "QUEUED"


def test_typing_indicator(sdk):
    sent = sdk.typing_indicators.send(number="+15552010321", from_number=LINE)
    assert sent.status == "SENT" and sent.number == "+15552010321"


def test_errors_arrive_as_the_sdks_exceptions(sdk, account):
    with pytest.raises(sendblue_api.BadRequestError) as refused:
        sdk.messages.send(number="911", content="help")
    assert refused.value.status_code == 400
    assert refused.value.body["error_code"] == 4002 and refused.value.body["status"] == "ERROR"

    with pytest.raises(sendblue_api.BadRequestError) as bad_line:
        sdk.messages.send(number="+15552010330", content="hi", from_number="+15559999999")
    assert "not an active line" in bad_line.value.body["error_message"]

    with pytest.raises(sendblue_api.NotFoundError):
        sdk.messages.retrieve("00000000-0000-0000-0000-000000000000")

    with pytest.raises(sendblue_api.AuthenticationError):
        SendblueAPI(api_key="ok_nope", api_secret="wrong", base_url=sdk.base_url, max_retries=0).messages.list()

    opt_out(account, contact_for_address(account, "+15552010331", create=True), source="test")
    declined = sdk.messages.send(number="+15552010331", content="hi")
    assert declined.status == "DECLINED" and declined.error_key == "OPTED_OUT"
