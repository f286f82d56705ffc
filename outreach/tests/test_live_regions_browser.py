"""The polled regions keep a keyboard user's place: focus on a control inside the campaign
page's ``#live``, the thread or the conversation list is still on the same element three
polls later, an open ``<details>`` stays open with what was typed, and a new inbound message
arrives inside an ``aria-live`` region.

Every cycle changes what the region shows (so each poll answers 200 and is merged, not a 204)
and waits for the poll's response and for the change on screen: request events, not time.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, Outcome
from campaigns.models import Campaign, CampaignRecipient
from contacts.tests.factories import ContactFactory
from messaging.choices import Status
from messaging.models import Conversation
from messaging.tests import console_data as d

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Remember the focused element itself: the same node must have focus later, not a copy.
MARK_FOCUS = "() => { window.__focused = document.activeElement; return document.activeElement.outerHTML.slice(0, 80); }"
SAME_FOCUS = "() => document.activeElement === window.__focused && window.__focused.isConnected"


def three_polls(page, path: str, change) -> None:
    """Three cycles: ``change(i)`` alters the data and returns a selector of the change; then
    wait for a poll of ``path`` to come back and for the change to be merged in."""
    for i in range(3):
        shown = change(i)
        with page.expect_response(lambda r: path in r.url and r.request.method == "GET"):
            pass
        page.wait_for_selector(shown, state="attached")


@pytest.fixture
def conversation(account):
    line = d.line(account)
    ada = d.contact(account, "+15125550199", "Ada", "Lovelace")
    return d.conversation(account, line, "+15125550199", contact_row=ada)


def test_focus_in_the_thread_survives_polls_and_new_messages_are_announced(page, staff_login, conversation):
    failed = d.message(conversation, "Did not go", status=Status.ERROR, error_message="Carrier said no",
                       at=timezone.now() - timedelta(minutes=5))
    page.goto(f"/messages/inbox/{conversation.pk}/")
    page.focus(f"#msg-{failed.pk} [data-testid=tick]")
    page.evaluate(MARK_FOCUS)

    arrived = []

    def inbound(i):
        arrived.append(d.message(conversation, f"Reply number {i}", outbound=False))
        return f"#msg-{arrived[-1].pk}"

    three_polls(page, f"/messages/inbox/{conversation.pk}/messages", inbound)
    assert page.evaluate(SAME_FOCUS)
    for m in arrived:
        region = page.evaluate(f"document.getElementById('msg-{m.pk}').closest('[aria-live]')?.getAttribute('role')")
        assert region == "log"
    # Who wrote what, for a screen reader too.
    assert "Customer said:" in page.text_content(f"#msg-{arrived[0].pk}")
    assert "You said:" in page.text_content(f"#msg-{failed.pk}")


def test_an_empty_reply_puts_focus_on_the_message_box(page, staff_login, conversation):
    page.goto(f"/messages/inbox/{conversation.pk}/")
    page.focus("[data-testid=send]")
    with page.expect_response(lambda r: r.url.endswith("/reply")):
        page.keyboard.press("Enter")
    page.wait_for_selector("#id_content[aria-invalid=true]")
    assert page.evaluate("document.activeElement.id") == "id_content"


def test_focus_in_the_conversation_list_survives_polls_while_rows_move(page, staff_login, account, conversation):
    bob = d.conversation(account, conversation.line, "+15125550142",
                         contact_row=d.contact(account, "+15125550142", "Bob", "Babbage"))
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=timezone.now() - timedelta(hours=1))
    page.goto("/messages/inbox/")
    page.focus(f"#conv-{bob.pk} a")
    page.evaluate(MARK_FOCUS)

    def ada_writes(i):
        d.message(conversation, f"Ping {i}", outbound=False)
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=timezone.now(), unread_count=i + 1)
        return f"#conv-{conversation.pk}:has-text('Ping {i}')"

    three_polls(page, "/messages/inbox/list", ada_writes)
    assert page.evaluate(SAME_FOCUS)
    # Ada's conversation moved to the top; Bob's row (with focus) was left where it is.
    order = page.eval_on_selector_all("#conv-list li", "els => els.map(e => e.id)")
    assert order == [f"conv-{conversation.pk}", f"conv-{bob.pk}"]


def test_an_open_appointment_form_keeps_focus_and_text_while_the_campaign_page_polls(page, staff_login, account):
    campaign = Campaign.objects.create(account=account, name="Spring", body="Hi", status=CampaignStatus.ACTIVE)
    recipients = [CampaignRecipient.objects.create(campaign=campaign, contact=ContactFactory(account=account), seq=i)
                  for i in range(3)]
    first, other = recipients[0], recipients[1]
    page.goto(f"/campaigns/{campaign.pk}/")
    row = f"#recipient-{first.pk}"
    page.click(f"{row} summary")
    page.fill(f"{row} input[name=notes]", "Call back Tuesday")
    page.focus(f"{row} input[name=notes]")
    page.evaluate(MARK_FOCUS)
    outcomes = [Outcome.SENT, Outcome.DELIVERED, Outcome.READ]

    def progress(i):
        CampaignRecipient.objects.filter(pk=other.pk).update(outcome=outcomes[i])
        return f"#recipient-{other.pk}-outcome[data-v={outcomes[i]}]"

    three_polls(page, f"/campaigns/{campaign.pk}/progress", progress)
    assert page.evaluate(SAME_FOCUS)
    assert page.eval_on_selector(f"{row} details", "el => el.open")
    assert page.input_value(f"{row} input[name=notes]") == "Call back Tuesday"
    assert page.get_attribute("[data-testid=campaign-progress] [role=status]", "role") == "status"


def test_a_poll_with_nothing_new_answers_204(staff, account):
    campaign = Campaign.objects.create(account=account, name="Spring", body="Hi", status=CampaignStatus.ACTIVE)
    page = staff.get(f"/campaigns/{campaign.pk}/")
    version = page.context["live_version"]
    assert staff.get(f"/campaigns/{campaign.pk}/progress", {"v": version}).status_code == 204
    CampaignRecipient.objects.create(campaign=campaign, contact=ContactFactory(account=account))
    assert staff.get(f"/campaigns/{campaign.pk}/progress", {"v": version}).status_code == 200


#: A tab the test can hide: ``document.hidden`` reads ``window.__hidden``.
HIDEABLE = """Object.defineProperty(Document.prototype, "hidden", {configurable: true, get: () => window.__hidden === true});
document.addEventListener("htmx:confirm", (e) => {
  if (e.detail.elt.id === "thread-messages") { window.__polls = (window.__polls || 0) + 1; }
});"""


def test_a_hidden_tab_backs_off(page, staff_login, conversation):
    page.add_init_script(HIDEABLE)
    sent = []
    page.on("request", lambda r: sent.append(r.url) if f"/{conversation.pk}/messages" in r.url else None)
    page.goto(f"/messages/inbox/{conversation.pk}/")
    page.wait_for_function("() => window.__polls >= 1")
    page.evaluate("window.__hidden = true; window.__polls = 0")
    before = len(sent)
    page.wait_for_function("() => window.__polls >= 5", timeout=30000)  # five polls due while hidden
    assert len(sent) - before == 0
    page.evaluate("window.__hidden = false")
    with page.expect_request(lambda r: f"/{conversation.pk}/messages" in r.url):
        pass


#: Records each flash message added to the page and whether the page was still being parsed.
WATCH_FLASHES = """new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.classList && n.classList.contains("flash")) {
      (window.__flashes = window.__flashes || []).push({text: n.textContent, parsing: document.readyState === "loading"});
    }
  }
}).observe(document, {childList: true, subtree: true});"""


def test_a_message_after_an_action_is_announced(page, staff_login):
    page.add_init_script(WATCH_FLASHES)
    page.goto("/settings/")
    page.fill("#id_time_zone", "Europe/Paris")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[role=status] .flash:has-text('Saved')")
    # Put into the live region after the page loaded (a screen reader says it), not parsed with it.
    flashes = page.evaluate("() => window.__flashes")
    assert any("Saved" in f["text"] and not f["parsing"] for f in flashes), flashes


def test_skip_to_reply_is_the_second_tab_stop_of_a_thread(page, staff_login, conversation):
    page.goto(f"/messages/inbox/{conversation.pk}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to reply"
    page.keyboard.press("Enter")
    page.keyboard.type("Hello")
    assert page.input_value("#id_content") == "Hello"
