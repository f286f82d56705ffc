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
