"""``POST /api/mark-read`` and ``POST /api/v2/groups/{id}/photo`` on a BlueBubbles line: the
read receipt goes to the Mac (``POST /chat/{guid}/read``, Private API); group photos are
not something this provider sets, so the photo is refused (409) and its file deleted."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import MediaObject, Message
from messaging.providers.bluebubbles import services as bb
from messaging.providers.registry import provider_for
from outreach.testing import key_client

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, LINE, group_message

pytestmark = pytest.mark.django_db
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def api(account):
    return key_client(account, ["messages"], form="sendblue")


@pytest.fixture
def private_line(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    return bb_line


def received(client, line, fake, text) -> Message:
    data = fake.receive(ALICE, text)
    url = reverse("messaging:provider-callback", args=["bluebubbles", line.pk, line.provider_settings["webhook_token"]])
    client.post(url, json.dumps({"type": "new-message", "data": data}), content_type="application/json")
    return Message.objects.get(provider_message_id=data["guid"])


def test_mark_read_tells_the_mac(client, api, private_line, fake):
    conversation = received(client, private_line, fake, "Are you there?").conversation
    r = api.post("/api/mark-read", {"number": ALICE, "from_number": LINE}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "OK", "number": ALICE, "from_number": LINE, "read_receipt_sent": True}
    assert fake.read_chats == [f"iMessage;-;{ALICE}"]
    conversation.refresh_from_db()
    assert conversation.unread_count == 0


def test_without_the_private_api_mark_read_says_nothing_was_sent(client, api, bb_line, fake):
    received(client, bb_line, fake, "Are you there?")
    r = api.post("/api/mark-read", {"number": ALICE, "from_number": LINE}, format="json")
    assert r.status_code == 200 and r.json()["read_receipt_sent"] is False
    assert fake.read_chats == []


def test_the_account_setting_decides_whether_opening_a_thread_sends_a_receipt(client, account, private_line, fake):
    services.set_mark_read_on_open(account, False)
    conversation = received(client, private_line, fake, "One").conversation
    services.mark_read(account, conversation)
    conversation.refresh_from_db()
    assert conversation.unread_count == 0 and fake.read_chats == [], "read here only"

    services.set_mark_read_on_open(account, True)
    services.mark_read(account, received(client, private_line, fake, "Two").conversation)
    assert fake.read_chats == [f"iMessage;-;{ALICE}"]


def test_a_group_photo_is_refused_and_leaves_no_file(api, account, private_line, fake, httpserver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    httpserver.expect_request("/team.png").respond_with_data(PNG, content_type="image/png")
    message = group_message(account, private_line, [ALICE, BOB])
    provider_for(private_line).send(message)
    group_id = message.conversation.group_id

    r = api.post(f"/api/v2/groups/{group_id}/photo", {"photo_url": httpserver.url_for("/team.png")}, format="json")

    assert r.status_code == 409, r.content
    assert r.json()["status"] == "ERROR" and "photo" in r.json()["error_message"]
    assert not MediaObject.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [], "no orphan file"
    message.conversation.refresh_from_db()
    assert message.conversation.group_photo is None
