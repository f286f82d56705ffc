"""The Sendblue dialect over HTTP: sends, status, lists, lookups, typing, media."""
from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts.services import contact_for_address, opt_out
from messaging.choices import ErrorKey, MessageType, Status
from messaging.models import Attachment, Conversation, Handle, MediaObject, Message
from messaging.services import add_line
from outreach.testing import assert_matches_schema, key_client
from webhooks import drains
from webhooks.models import Delivery

from .console_data import LINE, listed

pytestmark = pytest.mark.django_db


def send(sb, **body):
    return sb.post("/api/send-message", body, format="json")


def test_send_message_queues_and_answers_the_sendblue_body(sb, account):
    response = send(sb, number="(555) 201-0010", content="Hello!", send_style="fireworks",
                    status_callback="https://example.com/cb")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "QUEUED"
    assert body["number"] == body["to_number"] == "+15552010010"
    assert body["from_number"] == body["sendblue_number"] == LINE
    assert body["accountEmail"] == body["account_email"] == "alice@example.com"
    assert body["is_outbound"] is True and body["message_type"] == "message"
    assert body["send_style"] == "fireworks" and body["error_code"] is None
    assert body["plan"] == account.plan
    message = Message.objects.get(handle=body["message_handle"])
    assert message.status == Status.QUEUED and message.status_callback == "https://example.com/cb"
    assert_matches_schema(response, "/api/send-message")


def test_an_opted_out_recipient_is_declined_not_refused(sb, account):
    opt_out(account, contact_for_address(account, "+15552010011", create=True), source="test")
    response = send(sb, number="+15552010011", content="Hi")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "DECLINED" and body["error_key"] == "OPTED_OUT" and body["opted_out"] is True
    assert Message.objects.get(handle=body["message_handle"]).error_key == ErrorKey.OPTED_OUT


@pytest.mark.parametrize("body,code,fragment", [
    ({"number": "+15552010012"}, 4000, "content"),
    ({"number": "+15552010012", "content": "x" * 18996}, 4000, "shorter than 18996"),
    ({"number": "+15552010012", "content": "hi", "send_style": "wobble"}, 4000, "Unknown send_style 'wobble'"),
    ({"number": "+15552010012", "media_url": "ftp://cdn.example.com/a.png"}, 4000, "http(s) URL"),
    ({"number": "+15552010012", "media_url": "https://cdn.example.com/a.exe"}, 4000, "file extension"),
    ({"number": "+15552010012", "media_url": "https://b.s3.amazonaws.com/a.png?X-Amz-Signature=abc"},
     4000, "upload-media-object"),
    ({"number": "not a number", "content": "hi"}, 4000, "E.164"),
    ({"number": "911", "content": "hi"}, 4002, "emergency"),
    ({"number": "+15552010012", "content": "hi", "from_number": "+15559999999"}, 4000, "not an active line"),
    ({"content": "hi"}, 4000, "number"),
])
def test_bad_sends_are_400_with_sendblue_codes_and_nothing_is_written(sb, body, code, fragment):
    response = send(sb, **body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["status"] == "ERROR" and data["error_code"] == code
    assert fragment in data["error_message"]
    assert not Message.objects.exists()
    assert_matches_schema(response, "/api/send-message")


def test_another_accounts_line_cannot_be_sent_from(sb, other_account):
    add_line(other_account, "+15125550199")
    response = send(sb, number="+15552010013", content="hi", from_number="+15125550199")
    assert response.status_code == 400 and "not an active line" in response.json()["error_message"]


def test_group_send_creates_a_group_and_group_id_reuses_it(sb, account):
    response = sb.post("/api/send-group-message", {
        "numbers": ["+15552010020", "+1 (555) 201-0021"], "content": "Hi all", "from_number": LINE,
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message_type"] == "group" and body["status"] == "QUEUED"
    assert body["participants"] == ["+15552010020", "+15552010021"]
    group_id = body["group_id"]
    assert group_id
    assert_matches_schema(response, "/api/send-group-message")

    again = sb.post("/api/send-group-message", {"group_id": group_id, "content": "Again"}, format="json")
    assert again.status_code == 200 and again.json()["group_id"] == group_id
    same_people = sb.post("/api/send-group-message", {
        "numbers": ["+15552010021", "+15552010020"], "content": "Third", "from_number": LINE,
    }, format="json")
    assert same_people.json()["group_id"] == group_id
    assert Conversation.objects.filter(account=account, message_type=MessageType.GROUP).count() == 1
    assert Message.objects.filter(conversation__group_id=group_id).count() == 3


@pytest.mark.parametrize("body,fragment", [
    ({"numbers": ["+15552010020"], "content": "x"}, "at least 2"),
    ({"group_id": "nope", "content": "x"}, "No group 'nope'"),
    ({"content": "x"}, "numbers"),
    ({"numbers": ["+15552010020", "+15552010021"]}, "content"),
])
def test_bad_group_sends_are_400(sb, body, fragment):
    response = sb.post("/api/send-group-message", body, format="json")
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error_message"]
    assert not Message.objects.exists()


def test_status_by_handle_and_other_accounts_messages_are_404(sb, account, other_account):
    handle = send(sb, number="+15552010030", content="hi").json()["message_handle"]
    response = sb.get("/api/status", {"handle": handle})
    assert response.status_code == 200 and response.json()["status"] == "QUEUED"
    assert response.json()["message_handle"] == handle
    assert_matches_schema(response, "/api/status")

    theirs = key_client(other_account, ["messages"], form="sendblue")
    assert theirs.get("/api/status", {"handle": handle}).status_code == 404
    assert theirs.get(f"/api/v2/messages/{handle}").status_code == 404
    missing = sb.get("/api/status", {"handle": str(uuid.uuid4())})
    assert missing.status_code == 404 and missing.json()["status"] == "ERROR"
    assert sb.get("/api/status").status_code == 400


def test_retrieve_wraps_the_body_in_status_ok(sb):
    handle = send(sb, number="+15552010031", content="hi").json()["message_handle"]
    response = sb.get(f"/api/v2/messages/{handle}")
    assert response.status_code == 200
    assert response.json()["status"] == "OK" and response.json()["data"]["message_handle"] == handle
    assert_matches_schema(response, "/api/v2/messages/{message_id}")
    assert sb.get("/api/v2/messages/not-a-uuid").status_code == 404


@pytest.fixture
def log(sb, receive):
    """Three outbound messages and one inbound, with distinct times and statuses."""
    handles = [send(sb, number=f"+1555201004{i}", content=f"m{i}").json()["message_handle"] for i in range(3)]
    Message.objects.filter(handle=handles[0]).update(status=Status.DELIVERED, service="iMessage")
    Message.objects.filter(handle=handles[1]).update(status=Status.SENT, service="SMS")
    return handles, receive("+15552010040", "yo")


def test_list_filters_paging_and_order(sb, log):
    handles, inbound = log
    body = listed(sb, "/api/v2/messages", limit=2)
    assert body["status"] == "OK"
    assert body["pagination"] == {"hasMore": True, "limit": 2, "offset": 0, "total": 4}
    assert body["data"][0]["message_handle"] == str(inbound.handle)  # newest first

    def handles_for(**params):
        return [m["message_handle"] for m in sb.get("/api/v2/messages", params).json()["data"]]

    assert handles_for(is_outbound="false") == handles_for(is_outbound="0") == [str(inbound.handle)]
    assert len(handles_for(is_outbound="TRUE")) == len(handles_for(is_outbound="1")) == 3
    assert handles_for(status="DELIVERED") == [handles[0]]
    assert set(handles_for(status="SUCCESS")) == {handles[0], handles[1]}
    assert handles_for(service="SMS") == [handles[1]]
    assert set(handles_for(number="(555) 201-0040")) == {handles[0], str(inbound.handle)}
    assert handles_for(to_number="+15552010041") == [handles[1]]
    assert len(handles_for(sendblue_number=LINE)) == 4
    assert handles_for(order_by="createdAt", order_direction="asc")[:3] == handles
    Message.objects.filter(handle=handles[0]).update(sent_at=timezone.now())
    assert handles_for(order_by="sentAt")[0] == handles[0]  # never-sent rows last
    assert handles_for(order_by="sentAt", order_direction="asc")[0] == handles[0]
    assert handles_for(created_at_gte="2999-01-01T00:00:00Z") == []
    assert len(handles_for(created_at_lte="2999-01-01T00:00:00Z")) == 4


@pytest.mark.parametrize("params,fragment", [
    ({"status": "LOST"}, "status"),
    ({"created_at_gte": "yesterday"}, "created_at_gte"),
    ({"order_by": "size"}, "order_by"),
    ({"number": "not a number"}, "number"),
    ({"limit": 500}, "limit must be between 1 and 100"),
    ({"is_outbound": "maybe"}, "is_outbound: Use true or false (also 1 or 0); got 'maybe'."),
    ({"is_outbound": "yes"}, "is_outbound"),
])
def test_bad_list_parameters_are_400(sb, log, params, fragment):
    response = sb.get("/api/v2/messages", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == "ERROR" and body["error_code"] == 4000 and fragment in body["error_message"]


def test_list_never_shows_another_accounts_messages(sb, log, other_account):
    theirs = key_client(other_account, ["read_only"], form="sendblue")
    assert theirs.get("/api/v2/messages").json()["pagination"]["total"] == 0


def test_evaluate_service_asks_the_line_once_and_remembers(sb):
    response = sb.get("/api/evaluate-service", {"number": "(555) 201-0050"})
    assert response.status_code == 200, response.content
    assert response.json() == {"number": "+15552010050", "service": "iMessage"}
    assert_matches_schema(response, "/api/evaluate-service")
    handle = Handle.objects.get(address="+15552010050")
    assert handle.service == "iMessage" and handle.checked_at is not None
    Handle.objects.filter(pk=handle.pk).update(service="SMS")  # what the cache says wins for a week
    assert sb.get("/api/evaluate-service", {"number": "+15552010050"}).json()["service"] == "SMS"
    assert sb.get("/api/evaluate-service").status_code == 400
    assert sb.get("/api/evaluate-service", {"number": "nope"}).status_code == 400


def test_typing_indicator(sb):
    response = sb.post("/api/send-typing-indicator", {"number": "+15552010060", "from_number": LINE}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"number": "+15552010060", "status": "SENT", "error_message": None}
    assert_matches_schema(response, "/api/send-typing-indicator")
    bad = sb.post("/api/send-typing-indicator", {"number": "+15552010060", "from_number": "+15550000000"},
                  format="json")
    assert bad.status_code == 400


def test_upload_media_object_serves_it_at_an_unguessable_url(sb, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Welcome Image.png", b"\x89PNG fake bytes", content_type="image/png")
    response = sb.post("/api/upload-media-object", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "OK"
    assert_matches_schema(response, "/api/upload-media-object")
    media = MediaObject.objects.get(token=body["mediaObjectId"])
    assert body["media_url"].endswith(f"/api/media/{media.token}/Welcome_Image.png")
    served = client.get(body["media_url"].split("127.0.0.1:8000", 1)[1])
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"\x89PNG fake bytes"
    assert client.get(f"/api/media/{uuid.uuid4()}/Welcome_Image.png").status_code == 404
    # The URL it answers is one send-message accepts as media_url.
    sent = send(sb, number="+15552010070", media_url=body["media_url"])
    assert sent.status_code == 200 and sent.json()["media_url"] == body["media_url"]


def test_upload_refuses_what_cannot_be_sent(sb, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = sb.post("/api/upload-media-object", {"file": exe}, format="multipart")
    assert response.status_code == 400 and "media extension" in response.json()["error_message"]
    big = SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1), content_type="image/png")
    response = sb.post("/api/upload-media-object", {"file": big}, format="multipart")
    assert response.status_code == 400 and "5 MB" in response.json()["error_message"]
    assert sb.post("/api/upload-media-object", {}, format="multipart").status_code == 400
    assert not MediaObject.objects.exists() and not Attachment.objects.exists()


def test_the_status_callback_of_an_opted_out_send_says_opted_out(sb, account, httpserver):
    httpserver.expect_request("/cb").respond_with_data("ok")
    opt_out(account, contact_for_address(account, "+15552010012", create=True), source="test")
    response = send(sb, number="+15552010012", content="Hi", status_callback=httpserver.url_for("/cb"))
    assert response.status_code == 200 and response.json()["opted_out"] is True
    for target in set(Delivery.objects.values_list("target", flat=True)):
        drains.drain(target)
    bodies = [json.loads(req.get_data()) for req, _ in httpserver.log if req.path == "/cb"]
    assert bodies and all(b["message_handle"] == response.json()["message_handle"] for b in bodies)
    assert [b["status"] for b in bodies][-1] == "DECLINED"
    assert all(b["opted_out"] is True for b in bodies), bodies


def test_a_line_deactivated_after_being_cached_is_not_used(sb, account, line):
    spare = add_line(account, "+15125550101")
    first = send(sb, number="+15552010080", content="hi", from_number=LINE)
    assert first.json()["from_number"] == LINE  # the account's lines are now cached
    line.active = False
    line.save()
    refused = send(sb, number="+15552010081", content="hi", from_number=LINE)
    assert refused.status_code == 400 and "not an active line" in refused.json()["error_message"]
    # The contact's sticky line is gone: it moves to an active one.
    moved = send(sb, number="+15552010080", content="again")
    assert moved.status_code == 200 and moved.json()["from_number"] == spare.number


def test_upload_media_object_copies_a_media_url(sb, settings, tmp_path, httpserver):
    """The SDK's shape: JSON ``media_url`` (a signed URL is fine here)."""
    settings.MEDIA_ROOT = tmp_path
    httpserver.expect_request("/files/Promo.jpg").respond_with_data(b"\xff\xd8\xffjpeg", content_type="image/jpeg")
    url = httpserver.url_for("/files/Promo.jpg") + "?X-Amz-Signature=abc"
    response = sb.post("/api/upload-media-object", {"media_url": url}, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/upload-media-object")
    media = MediaObject.objects.get(token=response.json()["mediaObjectId"])
    assert media.filename == "Promo.jpg" and media.content_type == "image/jpeg" and media.size == 7
    assert media.file.read() == b"\xff\xd8\xffjpeg"


def test_a_media_url_that_cannot_be_copied_is_400(sb, settings, tmp_path, httpserver):
    settings.MEDIA_ROOT = tmp_path
    httpserver.expect_request("/gone.png").respond_with_data("no", status=404)
    httpserver.expect_request("/big.png").respond_with_data(b"0" * (5 * 1024 * 1024 + 1))
    for url, fragment in [
        (httpserver.url_for("/gone.png"), "HTTP 404"),
        (httpserver.url_for("/big.png"), "5 MB"),
        (httpserver.url_for("/page.html"), "media extension"),
        ("ftp://example.com/a.png", "http:// or https://"),
    ]:
        response = sb.post("/api/upload-media-object", {"media_url": url}, format="json")
        assert response.status_code == 400, (url, response.content)
        assert fragment in response.json()["error_message"], response.json()
    assert not MediaObject.objects.exists()


def test_media_from_a_private_address_is_refused(sb, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = sb.post("/api/upload-media-object", {"media_url": "http://127.0.0.1:9/a.png"}, format="json")
    assert response.status_code == 400 and "loopback" in response.json()["error_message"]
