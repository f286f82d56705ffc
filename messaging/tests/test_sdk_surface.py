"""The bar of the Sendblue surface: every endpoint an outreach team uses, driven through the
official ``sendblue`` SDK (pinned 1.33.0) against ``live_server``, unchanged but for
``base_url``, and each typed answer fully populated: ``populated`` fails on any field the
SDK declares that came back None, unless the table ``UNKNOWN`` says why the server cannot
know it. Paths the SDK has no method for (``/api/mark-read``, ``/api/send-reaction``,
``DELETE /api/v1/messages/{id}``, ``DELETE /api/v2/contacts/bulk``) go through the SDK's own
client (``sdk.post``/``sdk.delete``), with its credentials and error classes.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
import sendblue_api
from django.test import override_settings
from django.utils import timezone
from sendblue_api import SendblueAPI
from sendblue_api._models import BaseModel

from messaging.models import Conversation, MediaObject, Message, SandboxAction
from messaging.tests.console_data import LINE
from outreach.services import create_api_key
from outreach.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)

#: A 1x1 PNG: what a group photo or carousel image is made of here.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
#: Fields the server cannot know, per SDK model (class name -> field -> why).
UNKNOWN: dict[str, dict[str, str]] = {
    "Contact": {"assigned_to_email": "conversations, not contacts, are assigned to people"},
    "DataParticipant": {"seat_id": "participants are contacts; seats are not modelled"},
    "Data": {"worker_group_id": "no worker pool: a group lives on one line"},
    "LineState": {"degraded_since": "the line is online", "effective_until": "lines are never shared"},
    "LineUsageSnapshot": {"available_at": "the line is available now"},
    "LineUsageWindow": {"next_slot_at": "nothing used yet"},
    "LineUsageDailyWindow": {"next_slot_at": "nothing used yet", "resets_at": "a sliding 24 hours: no reset"},
    "LineUsageResponse": {"pacing": "no pacing model"},
    "LineContactStatusResponse": {"pacing": "no pacing model"},
    "MessageResponse": {
        "app_card": "no App Cards", "location": "no locations", "seat_id": "no seats",
        "sender_email": "sent by a key, not a person", "error_code": "no error", "error_key": "no error",
        "error_message": "no error",
    },
    "ReplyTo": {"part_index": "the first part (0) is implied"},
    "ThreadOriginator": {"part": "Apple's opaque part descriptor is not kept"},
}


def populated(model: BaseModel, *, allow: set[str] = frozenset(), path: str = "") -> None:
    """Every field the SDK declares on ``model`` (and its nested models) is set, except the
    ones ``UNKNOWN`` (or ``allow``, this call's reasons) excuse."""
    excused = set(UNKNOWN.get(type(model).__name__, {})) | set(allow)
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{path}{type(model).__name__}.{name}"
        if value is None:
            assert name in excused, f"{where} came back None"
        elif isinstance(value, BaseModel):
            populated(value, allow=allow, path=f"{where} > ")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    populated(item, allow=allow, path=f"{where}[] > ")


def sdk_for(live_server, account, scopes=("messages", "contacts")) -> SendblueAPI:
    key, secret = create_api_key(account, "sdk", list(scopes))
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


@pytest.fixture
def sdk(live_server, account, line):
    return sdk_for(live_server, account)


@pytest.fixture
def photo_url(httpserver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    httpserver.expect_request("/team.png").respond_with_data(PNG, content_type="image/png")
    return httpserver.url_for("/team.png")


def test_contacts_v2_every_path(sdk, account):
    created = sdk.contacts.create(number="+15552030001", body_first_name_1="Ada", body_last_name_1="Lovelace",
                                  tags=["vip"], custom_variables={"plan": "gold"},
                                  extra_body={"company_name": "Engines"})
    populated(created, allow={"sendblue_number"})  # no conversation yet: no line
    sdk.messages.send(number="+15552030001", content="Hello Ada", from_number=LINE)
    got = sdk.contacts.retrieve("+15552030001")
    populated(got)
    assert got.contact.sendblue_number == LINE and got.contact.custom_variables == {"plan": "gold"}
    updated = sdk.contacts.update("+15552030001", body_company_name_1="Analytical Engines")
    assert updated.contact.company_name == "Analytical Engines" and updated.contact.first_name == "Ada"
    listed = sdk.contacts.list(limit=10)
    for contact in listed:
        populated(contact)
    assert sdk.contacts.count().count == 1

    bulk = sdk.contacts.bulk.create(contacts=[{"number": "+15552030002"}, {"number": "+15552030003"},
                                              {"number": "+15552030004"}])
    assert bulk.status == "OK" and [c.phone for c in bulk.contacts] == ["+15552030002", "+15552030003", "+15552030004"]
    assert sdk.contacts.bulk.delete(contact_ids=["+15552030002"]).amount == 1  # DELETE /api/v2/contacts
    by_path = sdk.delete("/api/v2/contacts/bulk", cast_to=object, body={"contact_ids": ["+15552030003"]})
    assert by_path == {"status": "OK", "amount": 1}
    assert sdk.contacts.count().count == 2

    opted = sdk.contacts.opt_out(number="+15552030004", opted_out=True)
    populated(opted)
    assert opted.opted_out is True and sdk.contacts.retrieve("+15552030004").contact.opt_out is True

    verified = sdk.contacts.verify(number="+15552030005")
    assert verified.status == "OK"
    text = Message.objects.get(account=account, number="+15552030005")
    assert text.is_outbound and "Reply YES" in text.content
    assert sdk.contacts.verify(number="+15552030004").status == "DECLINED"  # opted out: not sent

    assert sdk.contacts.delete("+15552030001").status == "OK"
    with pytest.raises(sendblue_api.NotFoundError):
        sdk.contacts.retrieve("+15552030001")
    with pytest.raises(sendblue_api.BadRequestError) as bad:
        sdk.contacts.verify(number="not a number")
    assert bad.value.body["error_code"] == 4000


def test_groups_every_path(live_server, sdk, account, photo_url):
    sent = sdk.groups.send_message(numbers=["+15552030101", "+15552030102"], content="Hi both", from_number=LINE)
    populated(sent, allow={"reply_to", "thread_originator"})
    group_id = Message.objects.get(handle=sent.message_handle).conversation.group_id
    sdk.contacts.create(number="+15552030101", body_first_name_1="Grace", body_last_name_1="Hopper")

    renamed = sdk.v2.groups.rename(group_id, group_name="Launch team", from_number=LINE)
    populated(renamed)
    photo = sdk.v2.groups.set_photo(group_id, photo_url=photo_url, from_number=LINE)
    populated(photo)
    added = sdk.groups.modify(group_id=group_id, modify_type="add_recipient", number="+15552030103")
    populated(added, allow={"error", "error_message"})

    group = sdk.v2.groups.retrieve(group_id)
    # The second and third participants are no contacts: their contact and name are unknown.
    populated(group.data.participants[0])
    populated(group, allow={"contact_id", "name"})
    assert group.data.group_name == "Launch team" and group.data.participant_numbers == [
        "+15552030101", "+15552030102", "+15552030103"]
    assert group.data.participants[0].name == "Grace Hopper"
    assert group.data.group_photo.url == photo.data.group_photo.url
    served = httpx.get(live_server.url + urlsplit(group.data.group_photo.url).path)
    assert served.status_code == 200 and served.content == PNG

    cleared = sdk.v2.groups.set_photo(group_id, photo_url=None)
    assert cleared.data.group_photo is None and sdk.v2.groups.retrieve(group_id).data.group_photo is None
    assert MediaObject.objects.count() == 0, "the replaced photo is deleted with its file"
    assert [a.kind for a in SandboxAction.objects.all()] == ["group_photo", "group_photo"]


def test_lines_every_path(sdk, account):
    state = sdk.lines.get_state()
    populated(state)
    assert state.data[0].status == "ONLINE" and state.data[0].status_changed_at is not None
    usage = sdk.lines.get_usage()
    populated(usage)
    assert usage.lines[0].phone == LINE and usage.lines[0].daily.limit == 50
    sdk.messages.send(number="+15552030201", content="hi", from_number=LINE)
    status = sdk.lines.get_contact_status(number="+15552030201", sendblue_number=LINE)
    populated(status)
    assert status.sendblue_number == LINE


def test_reactions_replies_read_receipts_carousel_and_status(sdk, account, receive):
    inbound = receive("+15552030301", "Can I book for Friday?")
    reaction = sdk.post("/api/send-reaction", cast_to=object, body={
        "message_handle": str(inbound.handle), "reaction": "like"})
    assert reaction == {"status": "OK", "message_handle": str(inbound.handle), "reaction": "like", "part_index": 0}

    answer = sdk.messages.send(number="+15552030301", content="Friday works", from_number=LINE,
                               reply_to={"message_handle": str(inbound.handle)})
    populated(answer)
    assert answer.reply_to.message_handle == str(inbound.handle)
    assert answer.thread_originator.message_handle == str(inbound.handle)
    again = sdk.messages.send(number="+15552030301", content="See you then", from_number=LINE,
                              reply_to={"message_handle": answer.message_handle})
    assert again.reply_to.message_handle == answer.message_handle
    assert again.thread_originator.message_handle == str(inbound.handle), "the thread's first message"
    status = sdk.messages.get_status(handle=answer.message_handle)
    populated(status)
    assert status.account_email == "alice@example.com" and status.date_created == answer.date_created

    conversation = Conversation.objects.get(account=account, address="+15552030301")
    assert conversation.unread_count == 1
    read = sdk.post("/api/mark-read", cast_to=object, body={"number": "+15552030301", "from_number": LINE})
    assert read == {"status": "OK", "number": "+15552030301", "from_number": LINE, "read_receipt_sent": True}
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert SandboxAction.objects.filter(kind="read", chat="+15552030301").count() == 1

    images = [f"https://cdn.example.com/menu-{i}.jpg" for i in range(3)]
    carousel = sdk.send_carousel.send(number="+15552030301", from_number=LINE, media_urls=images)
    populated(carousel, allow={"reply_to", "thread_originator"})
    assert carousel.media_url == images[0] and carousel.account_email == "alice@example.com"
    message = Message.objects.get(handle=carousel.message_handle)
    assert [a.url for a in message.attachments.order_by("pk")] == images


def test_scheduled_send_and_cancel(sdk, account):
    at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    scheduled = sdk.messages.send(number="+15552030401", content="Reminder", from_number=LINE,
                                  extra_body={"send_at": at.isoformat()})
    assert scheduled.status == "SCHEDULED"
    assert sdk.messages.get_status(handle=scheduled.message_handle).status == "SCHEDULED"
    cancelled = sdk.delete(f"/api/v1/messages/{scheduled.message_handle}", cast_to=object)
    assert cancelled["id"] == scheduled.message_handle and cancelled["status"] == "declined"
    assert sdk.messages.get_status(handle=scheduled.message_handle).status == "DECLINED"
    redacted = sdk.delete(f"/api/v1/messages/{scheduled.message_handle}", cast_to=object)  # no longer scheduled
    assert redacted["body"] == "" and redacted["redactedAt"] and redacted["status"] == "declined"
    assert sdk.messages.get_status(handle=scheduled.message_handle).content == ""


@override_settings(STREAM_POLL_SECONDS=0.05, STREAM_HEARTBEAT_SECONDS=0.5, STREAM_MAX_SECONDS=20,
                   STREAM_MAX_PER_PROCESS=64)
def test_webhooks_and_the_event_stream(live_server, account, line, receive):
    sdk = sdk_for(live_server, account, ["full_access"])
    created = sdk.webhooks.create(webhooks=[{"url": "https://hooks.example.com/in", "secret": "sb-secret"}],
                                  type="receive")
    assert created.status == "OK"
    sdk.webhooks.create(webhooks=["https://hooks.example.com/out"], type="outbound")
    listed = sdk.webhooks.list().webhooks
    assert [h if isinstance(h, str) else h.url for h in listed.receive] == ["https://hooks.example.com/in"]
    assert [h if isinstance(h, str) else h.url for h in listed.outbound] == ["https://hooks.example.com/out"]
    assert not listed.typing_indicator, "no endpoint is listed under a type it does not receive"
    sdk.webhooks.delete(webhooks=["https://hooks.example.com/out"])
    assert not sdk.webhooks.list().webhooks.outbound

    receive("+15552030501", "first")
    events = []
    for event in sdk.events.stream(extra_headers={"Last-Event-ID": "0"}, timeout=15):
        events.append(event)
        if event.type == "message.received":
            break
    populated(events[-1])
    assert events[-1].data["content"] == "first"


def test_read_only_keys_change_nothing_and_other_accounts_are_404(live_server, sdk, account, receive, photo_url):
    inbound = receive("+15552030601", "hi")
    sent = sdk.groups.send_message(numbers=["+15552030602", "+15552030603"], content="Hi", from_number=LINE)
    group_id = Message.objects.get(handle=sent.message_handle).conversation.group_id
    reader = sdk_for(live_server, account, ["read_only"])
    refused = [
        lambda: reader.post("/api/send-reaction", cast_to=object,
                            body={"message_handle": str(inbound.handle), "reaction": "love"}),
        lambda: reader.messages.send(number="+15552030601", content="x",
                                     extra_body={"send_at": (timezone.now() + timedelta(hours=1)).isoformat()}),
        lambda: reader.v2.groups.rename(group_id, group_name="nope"),
        lambda: reader.post("/api/mark-read", cast_to=object, body={"number": "+15552030601", "from_number": LINE}),
        lambda: reader.v2.groups.set_photo(group_id, photo_url=photo_url),
        lambda: reader.send_carousel.send(number="+15552030601", from_number=LINE,
                                          media_urls=["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"]),
    ]
    for call in refused:
        with pytest.raises(sendblue_api.PermissionDeniedError):
            call()
    assert reader.v2.groups.retrieve(group_id).data.group_id == group_id  # reading is allowed
    assert not MediaObject.objects.exists()

    other = AccountFactory(name="Bob Co", email="bob@example.com")
    stranger = sdk_for(live_server, other)
    for call in [
        lambda: stranger.v2.groups.retrieve(group_id),
        lambda: stranger.v2.groups.rename(group_id, group_name="mine"),
        lambda: stranger.v2.groups.set_photo(group_id, photo_url=photo_url),
        lambda: stranger.messages.retrieve(str(inbound.handle)),
        lambda: stranger.post("/api/send-reaction", cast_to=object,
                              body={"message_handle": str(inbound.handle), "reaction": "love"}),
    ]:
        with pytest.raises(sendblue_api.NotFoundError):
            call()
    assert not MediaObject.objects.exists(), "a refused photo leaves no file"


def test_bad_requests_name_every_field_in_sendblues_shape(sdk, account, photo_url):
    with pytest.raises(sendblue_api.BadRequestError) as carousel:
        sdk.send_carousel.send(number="+15552030701", from_number=LINE, media_urls=["https://cdn.example.com/a.png"])
    assert carousel.value.body["status"] == "ERROR" and carousel.value.body["error_code"] == 4000
    assert "2 to 20" in carousel.value.body["error_message"]
    with pytest.raises(sendblue_api.BadRequestError) as images:
        sdk.send_carousel.send(number="+15552030701", from_number=LINE,
                               media_urls=["ftp://x/a.png", "https://cdn.example.com/b.pdf", "https://cdn.example.com/c.png"])
    message = images.value.body["error_message"]
    assert "media_urls.0" in message and "media_urls.1" in message and "media_urls.2" not in message
    with pytest.raises(sendblue_api.BadRequestError) as many:
        sdk.send_carousel.send(number="+15552030701", from_number=LINE,
                               media_urls=[f"https://cdn.example.com/{i}.png" for i in range(21)])
    assert "2 to 20" in many.value.body["error_message"]
    with pytest.raises(sendblue_api.BadRequestError) as read:
        sdk.post("/api/mark-read", cast_to=object, body={"number": "", "from_number": "nope"})
    assert "number" in read.value.body["error_message"] and "from_number" in read.value.body["error_message"]
    with pytest.raises(sendblue_api.NotFoundError):
        sdk.post("/api/mark-read", cast_to=object, body={"number": "+15552030799", "from_number": LINE})
    assert not Message.objects.exists(), "nothing is written when a send is refused"

