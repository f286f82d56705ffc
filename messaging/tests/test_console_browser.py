"""The console in a real browser (Debian's chromium through Playwright) against the live
server, with a real Celery worker and the sandbox carrier where messages must travel.

The sandbox's outcome is chosen by the recipient's last two digits (see
messaging/providers/sandbox.py): ...99 is delivered then read, ...06 replies "Thanks!",
...02 fails for good. The worker runs with a 3 s sandbox delay so each status stays on
screen for two polls of the thread and the test can watch it change.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from messaging.choices import Status
from messaging.models import Message, MessageEvent
from messaging.services import rollups
from outreach.testing import running_worker, screenshot, wait_for

from . import console_data as d

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SANDBOX_DELAY = "3"

#: Collects every status a message shows, in order, across the thread's htmx swaps.
WATCH_STATUSES = """
(handle) => {
  window.__seen = [];
  const note = () => {
    const el = document.querySelector(`[data-handle="${handle}"]`);
    const s = el && el.dataset.status;
    if (s && window.__seen[window.__seen.length - 1] !== s) window.__seen.push(s);
  };
  note();
  new MutationObserver(note).observe(document.getElementById("thread-scroll"), {subtree: true, childList: true, attributes: true});
}
"""


@pytest.fixture
def ada(account, line):
    """Ada Lovelace's conversation on the account's line (no messages yet)."""
    contact = d.contact(account, "+15125550199", "Ada", "Lovelace")
    return d.conversation(account, line, "+15125550199", contact_row=contact)


def open_thread(page, name: str) -> None:
    page.click("text=Inbox")
    page.click(f"[data-testid=conversation]:has-text('{name}')")
    page.wait_for_selector("#reply-form")


def test_reply_and_watch_it_go_sent_delivered_read(page, staff_login, account, line):
    ada = d.contact(account, "+15125550199", "Ada", "Lovelace", tags=["vip"])
    conv = d.conversation(account, line, "+15125550199", contact_row=ada, unread=1)
    d.message(conv, "Is my order ready?", outbound=False, at=timezone.now() - timedelta(minutes=3))
    with running_worker(SANDBOX_DELAY_SECONDS=SANDBOX_DELAY):
        open_thread(page, "Ada Lovelace")
        assert page.locator("[data-testid=unread-count]").count() == 0  # opening marked it read
        page.fill("#id_content", "Yes! It ships today.")
        page.keyboard.press("Enter")
        message = wait_for(lambda: Message.objects.filter(conversation=conv, is_outbound=True).first())
        bubble = f"[data-handle='{message.handle}']"
        page.wait_for_selector(bubble)
        page.evaluate(WATCH_STATUSES, str(message.handle))
        assert page.input_value("#id_content") == ""  # the box is ready for the next message
        page.wait_for_selector(f"{bubble}[data-status=SENT]")
        screenshot(page, "inbox-thread-sent")
        page.wait_for_selector(f"{bubble}[data-status=READ]", timeout=30000)
        seen = page.evaluate("window.__seen")
        assert [s for s in seen if s in ("SENT", "DELIVERED", "READ")] == ["SENT", "DELIVERED", "READ"], seen
        assert page.inner_text(f"{bubble} [data-testid=tick]").strip().endswith("Read")
        screenshot(page, "inbox-thread-read")
    message.refresh_from_db()
    assert message.status == Status.READ


def test_play_the_customer_and_get_a_scripted_reply(page, staff_login, account, line):
    conv = d.conversation(account, line, "+15125550106")  # ...06: the sandbox replies "Thanks!"
    with running_worker(SANDBOX_DELAY_SECONDS=SANDBOX_DELAY):
        open_thread(page, "+15125550106")
        page.fill("#id_text", "Hi, can I move my appointment to Friday?")
        page.click("[data-testid=simulate]")
        page.wait_for_selector(".msg-in:has-text('move my appointment to Friday')")
        page.fill("#id_content", "Of course, Friday at 10 works.")
        page.click("[data-testid=send]")
        page.wait_for_selector(".msg-out:has-text('Friday at 10')")
        # The customer's answer arrives through the worker and shows up without a reload.
        page.wait_for_selector(".msg-in:has-text('Thanks!')", timeout=30000)
        screenshot(page, "inbox-play-the-customer")
    texts = list(Message.objects.filter(conversation=conv).order_by("created_at").values_list("is_outbound", "content"))
    assert texts == [
        (False, "Hi, can I move my appointment to Friday?"),
        (True, "Of course, Friday at 10 works."),
        (False, "Thanks!"),
    ]


def test_a_new_conversation_appears_in_the_list_without_a_reload(page, staff_login, account, line):
    first = d.conversation(account, line, "+15125550111")
    d.message(first, "hello", outbound=False)
    page.goto("/messages/inbox/")
    page.wait_for_selector("[data-testid=conversation]")
    from messaging import services

    services.simulate_inbound(account, line, "+15125550122", "Are you open today?")
    row = page.wait_for_selector("[data-testid=conversation]:has-text('Are you open today?')", timeout=20000)
    assert row.query_selector("[data-testid=unread-count]").inner_text() == "1"
    assert page.locator("[data-testid=conversation]").first.inner_text().count("Are you open today?") == 1


def test_a_failed_send_shows_why_and_a_dead_letter_is_retried(page, staff_login, account, line):
    bob = d.contact(account, "+15125550102", "Bob", "Failing")  # ...02: refused for good
    conv = d.conversation(account, line, "+15125550102", contact_row=bob)
    with running_worker(SANDBOX_DELAY_SECONDS=SANDBOX_DELAY):
        open_thread(page, "Bob Failing")
        page.fill("#id_content", "Your invoice is ready")
        page.click("[data-testid=send]")
        tick = page.wait_for_selector(".msg-out[data-status=ERROR] [data-testid=tick]", timeout=30000)
        assert "refused" in tick.get_attribute("data-error")
        tick.hover()
        screenshot(page, "inbox-failed-with-reason")
        failed = Message.objects.get(conversation=conv)

        # A dead letter whose cause is gone (a number that now works) is retried from its page.
        ok = d.conversation(account, line, "+15125550199")
        stuck = d.message(ok, "We miss you!", status=Status.ERROR, attempts=5, error_code=10001,
                          error_message="Carrier timeout")
        page.click("text=Dead letters")
        assert page.locator("[data-testid=dead-letter]").count() == 2
        screenshot(page, "dead-letters")
        page.click(f"[data-testid=dead-letter][data-handle='{stuck.handle}'] [data-testid=retry]")
        page.wait_for_selector("text=Queued again: 1 message.")
        assert page.locator("[data-testid=dead-letter]").count() == 1
        wait_for(lambda: Message.objects.get(pk=stuck.pk).status == Status.READ, timeout=30,
                 message="the retried dead letter was not delivered and read")
        page.click("text=Message log")
        page.click("[data-testid=log-row]:has-text('We miss you!') a")
        page.wait_for_selector("[data-testid=events]")
        statuses = page.locator("[data-testid=events] .badge").all_inner_texts()
        assert statuses == ["QUEUED", "ACCEPTED", "SENT", "DELIVERED", "READ"], statuses
        assert "dead letter retried" in page.inner_text("[data-testid=events]")
        screenshot(page, "message-history")

        # Discarding takes the other one off the queue (it stays in the log).
        page.click("text=Dead letters")
        page.once("dialog", lambda dialog: dialog.accept())
        page.check(f"input[name=ids][value='{failed.pk}']")
        page.click("[data-testid=bulk-discard]")
        page.wait_for_selector("text=Discarded: 1 message.")
        page.wait_for_selector("text=No dead letters.")
    assert MessageEvent.objects.filter(message=stuck, detail="dead letter retried", source="console").exists()


def test_the_dashboard_shows_the_numbers_behind_it(page, staff_login, account, line):
    now = timezone.now()
    conv = d.conversation(account, line, "+15125550101")
    other = d.conversation(account, line, "+15125550103")
    for i, (status, stamps) in enumerate([
        (Status.READ, ("sent_at", "delivered_at", "read_at")),
        (Status.DELIVERED, ("sent_at", "delivered_at")),
        (Status.DELIVERED, ("sent_at", "delivered_at")),
        (Status.SENT, ("sent_at",)),
    ]):
        m = d.message(conv if i % 2 else other, f"m{i}", status=status)
        Message.objects.filter(pk=m.pk).update(**{s: now for s in stamps})
    d.message(conv, "broken", status=Status.ERROR)
    d.message(conv, "Sure", outbound=False)
    d.contact(account, "+15125550190", opted_out_at=now)
    old = d.message(conv, "last week", status=Status.DELIVERED, at=now - timedelta(days=3))
    Message.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=3), delivered_at=now - timedelta(days=3))

    mine = Message.objects.filter(account=account, is_outbound=True)
    expected_today = {
        "sent": mine.filter(sent_at__gte=now - timedelta(hours=1)).count(),
        "delivered": mine.filter(delivered_at__gte=now - timedelta(hours=1)).count(),
        "read": mine.filter(read_at__isnull=False).count(),
        "failed": mine.filter(status=Status.ERROR).count(),
        "replies": Message.objects.filter(account=account, is_outbound=False).count(),
        "opted-out": 1,
    }
    assert expected_today == {"sent": 4, "delivered": 3, "read": 1, "failed": 1, "replies": 1, "opted-out": 1}
    # These rows were written without events: the backfill counts them.
    rollups.rebuild()
    page.goto("/")
    for key, value in expected_today.items():
        assert page.inner_text(f"[data-testid=today-{key}]") == str(value), key
    assert page.inner_text("[data-testid=week-sent]") == "5"
    assert page.inner_text("[data-testid=week-delivered]") == "4"
    assert page.inner_text("[data-testid=today-delivery-rate]") == "75% delivery rate"
    assert page.inner_text("[data-testid=queue-dead-letter]") == "1"
    page.wait_for_selector("#activity-chart[data-ready=true]")
    screenshot(page, "dashboard")


def test_the_main_pages_on_a_phone(page, staff_login, ada):
    d.message(ada, "Hello from the phone test", outbound=False)
    d.message(ada, "Hi Ada!", status=Status.READ)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/messages/inbox/")
    assert page.is_visible("[data-testid=conversation]") and not page.is_visible("#sidenav")
    page.click("[data-testid=conversation]")
    page.wait_for_selector("#reply-form")
    assert not page.is_visible("[data-testid=contact-panel]")
    assert page.is_visible(".back-link")
    screenshot(page, "inbox-phone")
    page.click(".back-link")
    page.wait_for_selector("[data-testid=conversation]")
    page.click(".nav-toggle")
    page.click("#sidenav >> text=Lines")
    page.wait_for_selector("[data-testid=line]")
    screenshot(page, "lines-phone")


def test_every_page_is_keyboard_usable_and_screenshotted(page, staff_login, ada):
    d.message(ada, "Keyboard only, please", outbound=False)
    page.goto("/messages/inbox/")
    # Tab from the top: the skip link first, then into the page; Enter opens the thread.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.focus("[data-testid=conversation]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reply-form")
    page.focus("#id_content")
    page.keyboard.type("Typed and sent with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg-out:has-text('Typed and sent with the keyboard')")
    screenshot(page, "inbox")
    for url, name in (("/messages/log/", "message-log"), ("/messages/lines/", "lines")):
        page.goto(url)
        screenshot(page, name)


def test_a_new_account_starts_from_the_empty_inbox(page, staff_login, account, line):
    page.click("text=Inbox")
    assert "No conversations yet" in page.inner_text("[data-testid=empty]")
    screenshot(page, "inbox-empty")
    page.click("text=Send a first message")
    page.fill("#id_to", "(512) 555-0142")
    page.fill("#id_content", "Hello from Outreach!")
    screenshot(page, "compose")
    page.click("[data-testid=compose-send]")
    page.wait_for_selector(".msg-out:has-text('Hello from Outreach!')")
    assert page.inner_text("#thread-title") == "+15125550142"
    assert page.locator("[data-testid=conversation]").count() == 1


def test_schedule_a_reply_see_when_it_goes_and_cancel_it(page, staff_login, account, line):
    """No worker: a scheduled message waits in the thread, saying when (in the viewer's
    zone), until it is cancelled."""
    conv = d.conversation(account, line, "+15125550188")
    d.message(conv, "Call me tomorrow", outbound=False)
    open_thread(page, "+15125550188")
    page.fill("#id_content", "Good morning!")
    page.click("text=Media, effects and schedule")
    zone = ZoneInfo(account.default_timezone)  # the viewer's zone: theirs, else the account's
    when = (timezone.now() + timedelta(days=1)).astimezone(zone).replace(hour=9, minute=30, second=0, microsecond=0)
    page.fill("#id_send_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=send]")
    message = wait_for(lambda: Message.objects.filter(conversation=conv, is_outbound=True).first())
    assert message.scheduled_for == when and message.status == Status.QUEUED
    bubble = f"[data-handle='{message.handle}']"
    page.wait_for_selector(f"{bubble} [data-testid=scheduled]")
    assert "9:30" in page.inner_text(f"{bubble} [data-testid=scheduled]")
    screenshot(page, "inbox-thread-scheduled")
    page.click(f"{bubble} [data-testid=cancel-scheduled]")
    page.wait_for_selector(f"{bubble}[data-status=DECLINED]")
    message.refresh_from_db()
    assert message.status == Status.DECLINED and message.error_key == "CANCELLED"
    assert page.locator(f"{bubble} [data-testid=cancel-scheduled]").count() == 0


def test_reply_inline_to_a_customer_message_and_see_the_quote(page, staff_login, account, line):
    conv = d.conversation(account, line, "+15125550187")
    asked = d.message(conv, "Do you open on Sundays?", outbound=False)
    d.message(conv, "Also, parking?", outbound=False)
    open_thread(page, "+15125550187")
    page.click(f"[data-handle='{asked.handle}'] [data-testid=reply-to]")
    assert "Sundays" in page.inner_text("[data-testid=replying-to]")
    page.fill("#id_content", "Yes, 10 to 4.")
    page.keyboard.press("Enter")
    answer = wait_for(lambda: Message.objects.filter(conversation=conv, is_outbound=True).first())
    assert answer.reply_to == asked
    page.wait_for_selector(f"[data-handle='{answer.handle}'] [data-testid=quote]")
    assert "Sundays" in page.inner_text(f"[data-handle='{answer.handle}'] [data-testid=quote]")
    assert page.locator("[data-testid=replying-to]").is_hidden(), "the next message is not a reply"


def test_react_to_a_customer_message_and_see_their_tapback(page, staff_login, account, line):
    """A real worker with a 3 s sandbox: the customer (...09) loves our message and the
    thread shows it without a reload; our own tapback on their message shows at once."""
    conv = d.conversation(account, line, "+15125550109")
    theirs = d.message(conv, "See you at 8", outbound=False)
    with running_worker(SANDBOX_DELAY_SECONDS="1"):
        open_thread(page, "+15125550109")
        page.click(f"[data-handle='{theirs.handle}'] [data-testid=react]")
        page.click(f"[data-handle='{theirs.handle}'] [data-testid=react-like]")
        page.wait_for_selector(f"[data-handle='{theirs.handle}'] [data-testid=reactions]:has-text('Like')")
        page.fill("#id_content", "Great, table for two")
        page.keyboard.press("Enter")
        ours = wait_for(lambda: Message.objects.filter(conversation=conv, is_outbound=True).first())
        page.wait_for_selector(f"[data-handle='{ours.handle}'] [data-testid=reactions]:has-text('Love')", timeout=30000)
