"""The team inbox on messaging's pages in a real browser: canned replies in the reply box,
internal notes in the timeline, the work controls and the views' live counts."""
from __future__ import annotations

import pytest

from inbox import services as inbox
from inbox.policy import SYSTEM
from messaging.models import Message
from outreach.testing import screenshot, wait_for

from . import console_data as d

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada(account, line):
    contact = d.contact(account, "+15125550199", "Ada", "Lovelace")
    conv = d.conversation(account, line, "+15125550199", contact_row=contact)
    d.message(conv, "Can I change my booking?", outbound=False)
    return conv


def test_slash_offers_the_canned_replies_for_this_contact_and_enter_inserts_one(page, staff_login, account, ada):
    inbox.save_canned(account, {"shortcut": "thanks", "body": "Thanks {first_name|there}, talk soon!"}, actor=SYSTEM)
    inbox.save_canned(account, {"shortcut": "hours", "body": "We are open 9 to 5."}, actor=SYSTEM)
    page.goto(f"/messages/inbox/{ada.pk}/")
    page.click("#id_content")
    page.keyboard.type("Sure. /")
    page.wait_for_selector("[data-testid=canned-menu]:not([hidden])")
    assert page.locator("[data-testid=canned-option]").count() == 2
    page.keyboard.type("th")
    assert page.locator("[data-testid=canned-option]").count() == 1
    assert page.inner_text("[data-testid=canned-preview]") == "Thanks Ada, talk soon!"
    screenshot(page, "inbox-canned-menu")
    page.keyboard.press("Enter")  # chooses, does not send
    assert page.input_value("#id_content") == "Sure. Thanks Ada, talk soon!"
    assert page.locator("[data-testid=canned-menu]").is_hidden()
    assert not Message.objects.filter(conversation=ada, is_outbound=True).exists()
    page.keyboard.type(" /ho")
    page.click("[data-testid=canned-option]:has-text('/hours')")
    assert page.input_value("#id_content") == "Sure. Thanks Ada, talk soon! We are open 9 to 5."
    page.keyboard.type(" /zz")
    assert page.locator("[data-testid=canned-menu]").is_hidden()
    page.keyboard.press("Enter")  # nothing offered: Enter sends
    sent = wait_for(lambda: Message.objects.filter(conversation=ada, is_outbound=True).first())
    assert sent.content == "Sure. Thanks Ada, talk soon! We are open 9 to 5. /zz"


def test_a_note_joins_the_timeline_in_its_own_style_and_is_never_sent(page, staff_login, account, ada):
    page.goto(f"/messages/inbox/{ada.pk}/")
    page.click("[data-testid=note-box] summary")
    page.fill("#note-body", "She asked last week too: offer Friday")
    page.click("[data-testid=add-note]")
    note = page.wait_for_selector("[data-testid=thread-note]:has-text('offer Friday')", timeout=5000)
    assert "never sent" in note.inner_text().lower()
    assert page.input_value("#note-body") == ""
    page.click("[data-testid=close]")
    page.wait_for_selector("[data-testid=work-state]:has-text('Closed')")
    screenshot(page, "inbox-thread-note-and-controls")
    assert not Message.objects.filter(content__contains="offer Friday").exists()


def test_tick_conversations_and_close_them_in_bulk_on_a_phone(page, staff_login, account, line):
    convs = [d.conversation(account, line, f"+1512555030{i}", unread=1) for i in range(3)]
    for conv in convs:
        d.message(conv, f"hello from {conv.address}", outbound=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/messages/inbox/")
    assert page.locator("[data-testid=bulk-box]").is_hidden()
    page.wait_for_selector("[data-testid=view-all] [data-testid=unread]:has-text('3')")
    for conv in convs[:2]:
        page.check(f"[data-testid=select-conversation][value='{conv.pk}']")
    assert page.locator("[data-testid=bulk-box]").is_visible()
    page.select_option("#bulk-action", "close")
    page.click("[data-testid=bulk-form] button[type=submit]")
    page.wait_for_selector("[data-testid=bulk-result]")
    # The list and the counts follow without a reload: two closed, one left open.
    for conv in convs[:2]:
        page.wait_for_selector(f"#conv-{conv.pk}", state="detached", timeout=10000)
    assert page.locator("[data-testid=conversation]").count() == 1
    assert "2" in page.inner_text("[data-testid=bulk-result]")  # still says what it did
    page.wait_for_selector("[data-testid=view-closed] [data-testid=unread]:has-text('2')", timeout=10000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inbox-bulk-phone")
    assert set(inbox_states(convs)) == {"closed", "open"}


def inbox_states(convs) -> list[str]:
    from inbox.models import Work

    states = dict(Work.objects.filter(pk__in=[c.pk for c in convs]).values_list("pk", "state"))
    return [states.get(c.pk, "open") for c in convs]


#: A stand-in for the browser's Notification, permission granted, that records what it shows.
FAKE_NOTIFICATION = """
window.__shown = [];
window.Notification = function (title, options) { window.__shown.push(title + ": " + options.body); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def test_a_new_reply_to_my_conversation_raises_a_browser_notification(page, staff_login, account, ada):
    from messaging import services

    inbox.assign(account, ada.pk, staff_login.pk, actor=SYSTEM)
    page.add_init_script(FAKE_NOTIFICATION)
    with page.expect_response(lambda r: "/inbox/notify" in r.url):  # the first poll sets the cursor
        page.goto("/messages/inbox/")
    with page.expect_response(lambda r: "/inbox/notify?after=" in r.url and r.json()["replies"], timeout=30000):
        services.simulate_inbound(account, ada.line, ada.address, "Friday works for me")
    shown = wait_for(lambda: page.evaluate("window.__shown"), message="no notification was shown")
    assert shown == ["New reply from Ada Lovelace: Friday works for me"]


def test_a_stop_while_the_thread_is_open_updates_header_reply_box_and_panel(page, staff_login, account, ada):
    page.goto(f"/messages/inbox/{ada.pk}/")
    assert page.locator("[data-testid=header-opted-out]").count() == 0
    assert page.is_enabled("#id_content")
    page.fill("#id_text", "STOP")
    page.click("[data-testid=simulate]")
    page.wait_for_selector("[data-testid=header-opted-out]", timeout=10000)
    page.wait_for_selector("[data-testid=opted-out-note]")
    page.wait_for_selector("[data-testid=reply-disabled]")
    assert not page.is_enabled("#id_content") and not page.is_enabled("[data-testid=send]")
    assert "Opted out" in page.inner_text("[data-testid=contact-panel]")
    screenshot(page, "inbox-thread-stop-live")


def test_the_contact_panel_opens_from_the_thread_header_on_a_phone(page, staff_login, account, ada):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/messages/inbox/{ada.pk}/")
    assert page.locator("[data-testid=contact-panel]").is_hidden()
    page.click("[data-testid=show-contact]")
    page.wait_for_selector("[data-testid=contact-panel]:has-text('Ada Lovelace')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inbox-contact-panel-phone")
    page.click("[data-testid=hide-contact]")
    page.wait_for_selector("[data-testid=contact-panel]", state="hidden")
    assert page.is_visible("#id_content")


def test_retry_on_a_failed_bubble_queues_it_again_in_place(page, staff_login, account, ada):
    from messaging.choices import Status

    failed = d.message(ada, "Your invoice is ready", status=Status.ERROR, attempts=5, error_message="Carrier timeout")
    page.goto(f"/messages/inbox/{ada.pk}/")
    bubble = f"[data-handle='{failed.handle}']"
    page.click(f"{bubble} [data-testid=retry-message]")
    page.wait_for_selector(f"{bubble}[data-status=QUEUED]")
    assert page.locator(f"{bubble} [data-testid=retry-message]").count() == 0
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
