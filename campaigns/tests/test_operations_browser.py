"""The campaign page in a real browser with a real worker: a campaign started outside its
window says when it will send, a test send goes to the person's own number, and a clone
opens as a draft that starts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from messaging.models import Message
from outreach.models import Membership
from outreach.testing import wait_for

from . import factories as f
from .test_next_send import etc_zone

pytestmark = pytest.mark.django_db(transaction=True)


def test_next_send_test_send_and_clone(page, staff_login, account, worker):
    Membership.objects.filter(user=staff_login).update(phone="+15125550391")
    f.lines(account, 1)
    lst = f.audience(account, [], name="Night owls")
    f.contact(account, "+15125550510", lists=[lst], timezone=etc_zone(23), first_name="Nia")
    campaign = Campaign.objects.create(account=account, name="Late", body="Hi {first_name|there}")
    campaign.lists.set([lst])

    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_test_id("action-start").click()
    # The worker fans out; the page's poll then says when the window opens.
    expect(page.get_by_test_id("next-send")).to_contain_text("waiting for quiet hours", timeout=30000)
    expect(page.get_by_test_id("next-send")).to_contain_text("Next send at")

    expect(page.get_by_label("Send to")).to_have_value("+15125550391")
    page.get_by_test_id("test-send").click()
    expect(page.get_by_text("Test message queued to +15125550391")).to_be_visible()
    wait_for(lambda: Message.objects.filter(to_number="+15125550391", content="Hi Nia", sent_at__isnull=False).exists(),
             message="the test send was not sent")

    page.get_by_test_id("action-clone").click()
    expect(page.get_by_role("heading", name="Edit Copy of Late")).to_be_visible()
    page.fill("#id_window_start", "00:00")
    page.fill("#id_window_end", "00:00")
    page.get_by_role("button", name="Save campaign").click()
    page.get_by_test_id("action-start").click()
    expect(page.get_by_text("Copy of Late is now active.")).to_be_visible()
    expect(page.get_by_test_id("campaign-progress")).to_have_attribute("data-status", "COMPLETED", timeout=60000)
