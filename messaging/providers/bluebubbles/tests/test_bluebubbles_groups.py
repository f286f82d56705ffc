"""Changing a group chat on a BlueBubbles line through the API: rename (``PUT /chat/{guid}``),
add and remove members (``POST /chat/{guid}/participant/add|remove``), Private API only."""
from __future__ import annotations

import pytest

from messaging.models import Conversation
from messaging.providers.bluebubbles import services as bb
from messaging.providers.registry import provider_for

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import ALICE, BOB, LINE, group_message

pytestmark = pytest.mark.django_db
CAROL = "+15125550133"


@pytest.fixture
def private_line(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    bb_line.refresh_from_db()
    return bb_line


@pytest.fixture
def group(account, private_line, fake) -> Conversation:
    """A group whose first message started its chat on the Mac."""
    message = group_message(account, private_line, [ALICE, BOB])
    provider_for(private_line).send(message)
    private_line.refresh_from_db()
    return message.conversation


def chat_of(fake, private_line, group) -> dict:
    return fake.chats[private_line.provider_settings["groups"][group.group_id]]


def test_a_rename_goes_to_the_groups_chat(api, private_line, fake, group):
    r = api.post(f"/api/v2/groups/{group.group_id}/name", {"group_name": "Book club", "from_number": LINE},
                 format="json")
    assert r.status_code == 200, r.content
    assert chat_of(fake, private_line, group)["displayName"] == "Book club"
    group.refresh_from_db()
    assert group.group_display_name == "Book club"


def test_clearing_a_name_is_refused_as_bluebubbles_cannot(api, private_line, fake, group):
    api.post(f"/api/v2/groups/{group.group_id}/name", {"group_name": "Book club"}, format="json")
    r = api.post(f"/api/v2/groups/{group.group_id}/name", {"group_name": None}, format="json")
    assert r.status_code == 409, r.content
    assert "cannot clear" in r.json()["error_message"]
    group.refresh_from_db()
    assert group.group_display_name == "Book club"


def test_members_are_added_and_removed_on_the_mac(api, private_line, fake, group):
    r = api.post("/api/modify-group", {"group_id": group.group_id, "modify_type": "add_recipient", "number": CAROL},
                 format="json")
    assert r.status_code == 200, r.content
    r = api.post("/api/modify-group", {"group_id": group.group_id, "modify_type": "remove_recipient", "number": BOB},
                 format="json")
    assert r.status_code == 200, r.content

    guid = private_line.provider_settings["groups"][group.group_id]
    assert [(p, b) for _, p, b in fake.calls if p.startswith("chat/") and "/participant/" in p] == [
        (f"chat/{guid}/participant/add", {"address": CAROL}),
        (f"chat/{guid}/participant/remove", {"address": BOB}),
    ]
    assert {p["address"] for p in chat_of(fake, private_line, group)["participants"]} == {ALICE, CAROL}
    group.refresh_from_db()
    assert group.participants == sorted([ALICE, CAROL])


def test_a_group_started_on_the_mac_is_changed_under_its_own_guid(api, account, private_line, fake):
    chat_guid = "iMessage;+;chat900"
    fake.chats[chat_guid] = {"guid": chat_guid, "style": 43, "chatIdentifier": "chat900",
                             "participants": [{"address": ALICE}, {"address": BOB}]}
    group = group_message(account, private_line, [ALICE, BOB]).conversation
    Conversation.objects.filter(pk=group.pk).update(group_id=chat_guid)
    r = api.post(f"/api/v2/groups/{chat_guid}/name", {"group_name": "Family"}, format="json")
    assert r.status_code == 200, r.content
    assert fake.chats[chat_guid]["displayName"] == "Family"


def test_a_group_with_no_chat_on_the_mac_yet_is_a_409_and_nothing_changes(api, account, private_line, fake):
    group = group_message(account, private_line, [ALICE, BOB]).conversation  # queued, never sent
    r = api.post(f"/api/v2/groups/{group.group_id}/name", {"group_name": "Book club"}, format="json")
    assert r.status_code == 409, r.content
    assert "no chat on the Mac yet" in r.json()["error_message"]
    r = api.post("/api/modify-group", {"group_id": group.group_id, "modify_type": "add_recipient", "number": CAROL},
                 format="json")
    assert r.status_code == 409
    group.refresh_from_db()
    assert (group.group_display_name, group.participants) == ("", [ALICE, BOB])
    assert not [c for c in fake.calls if c[0] == "PUT" or "/participant/" in c[1]]


def test_with_applescript_the_error_names_the_private_api(api, account, bb_line, fake):
    chat_guid = "iMessage;+;chat901"
    fake.chats[chat_guid] = {"guid": chat_guid, "style": 43, "chatIdentifier": "chat901",
                             "participants": [{"address": ALICE}, {"address": BOB}]}
    group = group_message(account, bb_line, [ALICE, BOB]).conversation
    Conversation.objects.filter(pk=group.pk).update(group_id=chat_guid)
    for r in (api.post(f"/api/v2/groups/{chat_guid}/name", {"group_name": "Family"}, format="json"),
              api.post("/api/modify-group", {"group_id": chat_guid, "modify_type": "add_recipient", "number": CAROL},
                       format="json")):
        assert r.status_code == 502, r.content
        assert "needs the BlueBubbles Private API" in r.json()["error_message"]
    assert "displayName" not in fake.chats[chat_guid]
