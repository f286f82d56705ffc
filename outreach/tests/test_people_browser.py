"""An owner invites a person in a real browser; the person accepts in a browser of their own,
logs in as an agent and cannot open the campaigns page."""
import re

import pytest
from django.core import mail

from outreach.models import Membership
from outreach.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_invites_an_agent_who_accepts_and_cannot_open_campaigns(page, staff_login, browser, live_server, account):
    page.click("nav >> text=People")
    page.fill("#id_email", "ann@example.com")
    page.select_option("#id_role", "agent")
    page.click("button:has-text('Send invitation')")
    page.wait_for_selector("text=Invited ann@example.com")
    assert "ann@example.com" in page.inner_text("[data-testid=pending-invitations]")
    screenshot(page, "people-invited")
    (email,) = mail.outbox
    link = re.search(r"(http://\S+/invite/\S+/)", email.body).group(1)
    assert link.startswith(live_server.url)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        ann = context.new_page()
        ann.set_default_timeout(15000)
        ann.goto(link)
        ann.fill("#id_username", "ann")
        ann.fill("#id_password1", "a-long-pass-phrase")
        ann.fill("#id_password2", "a-long-pass-phrase")
        ann.click("button:has-text('Join')")
        ann.wait_for_selector("text=Welcome to Alice Co")
        ann.click("button:has-text('Log out')")
        ann.goto("/login/")
        ann.fill("#id_username", "ann")
        ann.fill("#id_password", "a-long-pass-phrase")
        ann.click("button[type=submit]")
        ann.wait_for_url(f"{live_server.url}/")
        menu = ann.inner_text("#sidenav")
        assert "Inbox" in menu and "Campaigns" not in menu and "People" not in menu
        response = ann.goto("/campaigns/")
        assert response.status == 403
        assert "(agent) may not open this page" in ann.inner_text("[data-testid=forbidden]")
        screenshot(ann, "agent-refused-campaigns")
    finally:
        context.close()
    assert Membership.objects.get(account=account, user__username="ann").role == "agent"
    page.reload()
    assert page.locator("[data-testid=pending-invitations]").count() == 0  # no longer pending
    assert page.locator("[data-testid=person-ann] select").input_value() == "agent"


def test_a_person_demoted_while_a_thread_is_open_is_refused_in_place(page, staff_login, account):
    from django.contrib.auth import get_user_model

    from messaging.models import Message
    from messaging.tests import console_data as d
    from outreach import people
    from outreach.services import create_staff_user

    conv = d.conversation(account, d.line(account), "+15125550111")
    create_staff_user(account, "sam", "pw-for-tests-123", "agent")
    page.click("button:has-text('Log out')")
    page.goto("/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto(f"/messages/inbox/{conv.pk}/")
    sam = Membership.objects.get(account=account, user__username="sam")
    people.change_role(account, sam.pk, "viewer", by=get_user_model().objects.get(username="alice"))
    page.fill("#id_content", "Are you still there?")
    page.click("#reply-form button[type=submit]")
    refusal = page.wait_for_selector("#main > [data-testid=forbidden]")
    assert "(viewer) may not do this" in refusal.inner_text()
    assert page.locator("#thread-messages").count() == 1  # the thread stays where it was
    assert not Message.objects.filter(conversation=conv).exists()
    screenshot(page, "viewer-refused-in-place")
