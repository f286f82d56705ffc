"""Issue #16's bar: two people at once in two browsers, with a real worker and the sandbox.

A manager assigns a conversation to an agent from the list; the agent sees it under Mine
with an unread count that appears without a reload, answers with a canned reply, adds a
note (never sent: the sandbox's ledger has the reply alone), closes it; the customer writes
again and it reopens, still the agent's; the owner's audit log shows each step."""
from __future__ import annotations

import pytest

from inbox import services as inbox
from inbox.models import Work
from inbox.policy import SYSTEM
from messaging import services as messaging
from messaging.models import Message, SandboxSend
from outreach.services import create_staff_user
from outreach.testing import running_worker, screenshot, wait_for

from . import console_data as d

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ADA = "+15125550199"  # the sandbox delivers, then the customer reads


def signed_in(browser, live_server, account, username: str, role: str):
    create_staff_user(account, username, "pw-for-tests-123", role)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return context, page


def test_a_manager_and_an_agent_work_a_conversation_together(browser, live_server, page, staff_login, account, line):
    inbox.save_canned(account, {"shortcut": "booked", "body": "Hi {first_name|there}, you are booked for Friday."},
                      actor=SYSTEM)
    contact = d.contact(account, ADA, "Ada", "Lovelace")
    conv = d.conversation(account, line, ADA, contact_row=contact)
    messaging.simulate_inbound(account, line, ADA, "Can I come on Friday?")
    manager_context, manager = signed_in(browser, live_server, account, "max", "manager")
    agent_context, agent = signed_in(browser, live_server, account, "ann", "agent")
    try:
        with running_worker(SANDBOX_DELAY_SECONDS="1"):
            agent.goto("/messages/inbox/")  # opens on Mine: nothing yet
            agent.wait_for_selector("[data-testid=view-mine][aria-current=page]")
            assert agent.locator("[data-testid=conversation]").count() == 0

            manager.goto("/messages/inbox/")
            manager.check(f"[data-testid=select-conversation][value='{conv.pk}']")
            manager.select_option("#bulk-action", "assign")
            manager.select_option("#bulk-assignee", label="ann")
            manager.click("[data-testid=bulk-form] button[type=submit]")
            manager.wait_for_selector("[data-testid=bulk-result]")

            # Without a reload: the count on Mine, then the row.
            agent.wait_for_selector("[data-testid=view-mine] [data-testid=unread]:has-text('1')", timeout=15000)
            agent.wait_for_selector(f"#conv-{conv.pk} [data-testid=unread-count]", timeout=15000)
            screenshot(agent, "two-people-agent-mine")
            agent.click(f"#conv-{conv.pk} [data-testid=conversation]")
            agent.wait_for_selector("#reply-form")

            agent.click("#id_content")
            agent.keyboard.type("/boo")
            agent.wait_for_selector("[data-testid=canned-option]:has-text('you are booked')")
            agent.keyboard.press("Enter")  # takes the canned reply
            assert agent.input_value("#id_content") == "Hi Ada, you are booked for Friday."
            agent.keyboard.press("Enter")  # sends it
            sent = wait_for(lambda: Message.objects.filter(conversation=conv, is_outbound=True).first())
            agent.wait_for_selector(f"[data-handle='{sent.handle}'][data-status=DELIVERED], "
                                    f"[data-handle='{sent.handle}'][data-status=READ]", timeout=30000)

            agent.click("[data-testid=note-box] summary")
            agent.fill("#note-body", "Friday 10:00 pencilled in")
            agent.click("[data-testid=add-note]")
            agent.wait_for_selector("[data-testid=thread-note]:has-text('pencilled in')")
            agent.click("[data-testid=close]")
            agent.wait_for_selector("[data-testid=work-state]:has-text('Closed')")

            messaging.simulate_inbound(account, line, ADA, "Thanks! Can I bring a friend?")
            wait_for(lambda: Work.objects.filter(pk=conv.pk, state="open").exists(), message="it did not reopen")
            agent.goto("/messages/inbox/")  # Mine again
            agent.wait_for_selector(f"#conv-{conv.pk}:has-text('bring a friend')")
            screenshot(agent, "two-people-reopened")
        work = Work.objects.select_related("assignee").get(pk=conv.pk)
        assert (work.state, work.assignee.username) == ("open", "ann")
        # The note never reached the network: the ledger holds the canned reply alone.
        assert list(SandboxSend.objects.filter(to_number=ADA, duplicate=False).values_list("handle", flat=True)) == [sent.handle]
        assert not Message.objects.filter(content__contains="pencilled").exists()

        page.goto("/audit/")
        log = page.inner_text("main")
        for step in ("Assigned a conversation", "Sent a message", "Added an internal note", "Closed a conversation",
                     "Reopened a conversation"):
            assert step in log, step
        screenshot(page, "two-people-audit")
    finally:
        manager_context.close()
        agent_context.close()
