"""The campaign page in a real browser with a real worker: a campaign started outside its
window says when it will send, a test send goes to the person's own number, and a clone
opens as a draft that starts; a campaign past its expiry withdraws what its line could not
send in time."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign
from messaging.choices import Status
from messaging.models import Message, SandboxSend
from messaging.services.expiry import expire_due
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


def test_an_expired_campaign_withdraws_what_is_left(page, staff_login, account, worker):
    line = f.lines(account, 1)[0]
    line.new_contacts_per_hour = 1  # one recipient goes now; the line holds the others back
    line.save()
    # Numbers the sandbox delivers, whichever the line takes first (endings 01-09 script
    # failures: 02 is refused for good, 03 fails twice).
    numbers = ["+15125550610", "+15125550611", "+15125550612"]
    lst = f.audience(account, numbers, name="Flash")
    deadline = timezone.now() + dt.timedelta(hours=1)
    campaign = Campaign.objects.create(account=account, name="Flash sale", body="Today only",
                                       window_start=dt.time(0), window_end=dt.time(0), expires_at=deadline)
    campaign.lists.set([lst])
    messages = Message.objects.filter(account=account, to_number__in=numbers)

    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_test_id("action-start").click()
    wait_for(lambda: messages.filter(sent_at__isnull=False).count() == 1
             and messages.filter(status=Status.QUEUED, next_attempt_at=deadline).count() == 2,
             message="one message was not sent while the line held the others to the deadline")
    # The deadline comes (the expiry sweep's clock moved to it), however long the first
    # send took: the held two are withdrawn, not sent late, and the page's poll shows it.
    assert expire_due(now=deadline) == 2
    expect(page.get_by_test_id("expired")).to_contain_text("2", timeout=30000)
    expired = [m for m in messages if m.status == Status.EXPIRED]
    sent = [m for m in messages if m.sent_at is not None]
    assert len(expired) == 2 and len(sent) == 1 and sent[0] not in expired
    assert not SandboxSend.objects.filter(handle__in=[m.handle for m in expired]).exists()
