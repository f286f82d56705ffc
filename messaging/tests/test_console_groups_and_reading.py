"""The console's group threads (participants by name, rename by agents and up) and the
inbox's read-receipt setting (owners; opening a thread sends a receipt only when it is on)."""
from __future__ import annotations

import pytest

from messaging import services
from messaging.choices import MessageType
from messaging.models import Conversation, SandboxAction

from . import console_data as d

pytestmark = pytest.mark.django_db
GROUP_ID = "0b7c6f0e-4c5e-4d8a-9a59-1f1b7c1d2e3f"


@pytest.fixture
def group(account, line) -> Conversation:
    d.contact(account, "+15125550111", "Grace", "Hopper")
    return d.conversation(account, line, "", message_type=MessageType.GROUP, group_id=GROUP_ID,
                          participants=["+15125550111", "+15125550122"])


def test_a_group_thread_names_its_participants_and_an_agent_renames_it(account, group):
    agent = d.staff_client(account, "agnes", "agent")
    html = agent.get(f"/messages/inbox/{group.pk}/").content.decode()
    assert 'data-testid="group-participants"' in html
    assert "Grace Hopper" in html and "+15125550122" in html
    assert 'data-testid="rename-group"' in html

    response = agent.post(f"/messages/inbox/{group.pk}/rename", {"group_name": "Launch team"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.group_display_name == "Launch team"
    assert "Launch team" in agent.get(f"/messages/inbox/{group.pk}/").content.decode()

    agent.post(f"/messages/inbox/{group.pk}/rename", {"group_name": ""})
    group.refresh_from_db()
    assert group.group_display_name == ""


def test_a_viewer_sees_no_rename_and_cannot_post_one(account, group):
    viewer = d.staff_client(account, "vera", "viewer")
    assert 'data-testid="rename-group"' not in viewer.get(f"/messages/inbox/{group.pk}/").content.decode()
    assert viewer.post(f"/messages/inbox/{group.pk}/rename", {"group_name": "Mine"}).status_code == 403
    group.refresh_from_db()
    assert group.group_display_name == ""


def test_a_bad_name_is_shown_and_a_1to1_thread_or_another_accounts_group_is_404(admin, account, line, group,
                                                                                 other_account):
    response = admin.post(f"/messages/inbox/{group.pk}/rename", {"group_name": "x" * 201}, follow=True)
    assert "at most 200 characters" in response.content.decode()
    direct = d.conversation(account, line, "+15125550133")
    assert admin.post(f"/messages/inbox/{direct.pk}/rename", {"group_name": "x"}).status_code == 404
    theirs = d.conversation(other_account, d.line(other_account, "+15125550900"), "", message_type=MessageType.GROUP,
                            group_id="1b7c6f0e-4c5e-4d8a-9a59-1f1b7c1d2e3f", participants=["+1", "+2"])
    assert admin.post(f"/messages/inbox/{theirs.pk}/rename", {"group_name": "x"}).status_code == 404


def test_opening_a_thread_sends_a_read_receipt_only_when_the_setting_is_on(admin, account, line):
    first = d.conversation(account, line, "+15125550144", unread=2)
    admin.get(f"/messages/inbox/{first.pk}/")
    assert SandboxAction.objects.filter(kind="read", chat="+15125550144").count() == 1

    page = admin.get("/messages/settings/")
    assert page.status_code == 200 and 'name="mark_read_on_open"' in page.content.decode()
    assert admin.post("/messages/settings/", {}).status_code == 302  # unchecked: off
    assert services.mark_read_on_open(account) is False
    second = d.conversation(account, line, "+15125550155", unread=1)
    admin.get(f"/messages/inbox/{second.pk}/")
    second.refresh_from_db()
    assert second.unread_count == 0, "read here"
    assert not SandboxAction.objects.filter(chat="+15125550155").exists(), "no receipt sent"

    admin.post("/messages/settings/", {"mark_read_on_open": "on"})
    assert services.mark_read_on_open(account) is True


def test_only_owners_change_the_inbox_settings(account):
    manager = d.staff_client(account, "max", "manager")
    assert manager.get("/messages/settings/").status_code == 403
    assert manager.post("/messages/settings/", {}).status_code == 403
    assert services.mark_read_on_open(account) is True
