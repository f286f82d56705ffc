"""The console in a real browser: create a campaign with a live preview, start it and
watch it complete (a real worker fans out and the dispatcher sends), and the bulk pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from contacts.models import Contact
from messaging.models import Line
from messaging.services import simulate_inbound
from outreach.testing import screenshot

from . import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_start_and_watch_a_campaign_complete(page, staff_login, account, worker):
    f.lines(account, 2)
    lst = f.audience(account, ["+15125550900", "+15125550906", "+15125550902"], name="Spring leads")
    Contact.objects.filter(e164_number="+15125550900").update(first_name="Ann")

    page.goto("/")
    page.get_by_role("link", name="Campaigns", exact=True).click()
    expect(page.get_by_text("No campaigns yet")).to_be_visible()
    page.get_by_role("link", name="New campaign").first.click()
    page.fill("#id_name", "Spring launch")
    page.get_by_label("Spring leads").check()
    page.fill("#id_body", "Hi {first_name|there}, spring is here")
    page.fill("#id_window_start", "00:00")
    page.fill("#id_window_end", "00:00")
    expect(page.get_by_test_id("audience-size")).to_contain_text("3 contacts")
    expect(page.get_by_test_id("preview-text")).to_have_text("Hi Ann, spring is here")
    page.fill("#id_body", "Hi {first_name")
    expect(page.locator("#preview .error")).to_contain_text("stray")
    page.fill("#id_body", "Hi {first_name|there}, spring is here")
    expect(page.get_by_test_id("preview-text")).to_have_text("Hi Ann, spring is here")
    screenshot(page, "campaign-form")
    page.get_by_role("button", name="Save campaign").click()

    expect(page.get_by_test_id("campaign-status").first).to_have_text("Draft")
    page.get_by_test_id("action-start").click()
    expect(page.get_by_text("Spring launch is now active.")).to_be_visible()
    # The progress part polls every 2 s: it shows the campaign completing on its own.
    expect(page.get_by_test_id("campaign-progress")).to_have_attribute("data-status", "COMPLETED", timeout=60000)
    expect(page.get_by_test_id("funnel-materialised")).to_have_text("3")
    expect(page.get_by_test_id("funnel-sent")).to_have_text("2")
    expect(page.get_by_test_id("funnel-replied")).to_have_text("1")
    expect(page.get_by_test_id("recipients-table")).to_contain_text("Hi Ann, spring is here")
    screenshot(page, "campaign-completed")
    # Completed, the page still polls (every 10 s for a week): a late reply appears unreloaded.
    simulate_inbound(account, Line.objects.filter(account=account).first(), "+15125550900", "Is it still on?")
    expect(page.get_by_test_id("funnel-replied")).to_have_text("2", timeout=30000)

    page.reload()
    ann = page.get_by_role("row").filter(has_text="+15125550900")
    ann.get_by_text("Appointment / call").click()
    expect(ann.get_by_role("button", name="Log call")).to_be_visible()
    ann.get_by_role("button", name="Log call").click()
    expect(page.get_by_text("Call logged.")).to_be_visible()
    expect(page.get_by_test_id("outcomes")).to_contain_text("Connected")

    page.goto(f"/contacts/{Contact.objects.get(e164_number='+15125550900').pk}/")
    expect(page.get_by_test_id("contact-outcomes")).to_contain_text("Spring launch: replied")
    expect(page.get_by_test_id("contact-outcomes")).to_contain_text("connected")

    page.get_by_role("link", name="Campaigns", exact=True).click()
    expect(page.get_by_test_id("campaigns-table")).to_contain_text("Completed")
    campaign = Campaign.objects.get(account=account)
    assert campaign.status == "COMPLETED" and campaign.lists.get() == lst


def test_a_bad_campaign_form_says_what_to_fix(page, staff_login, account):
    page.goto("/campaigns/new")
    page.fill("#id_name", "Nothing to say")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator(".errorlist").first).to_contain_text("Write the message")
    assert not Campaign.objects.exists()


def test_bulk_jobs_list_and_detail(page, staff_login, account, api, worker):
    f.lines(account, 1)
    job = api.post("/api/v1/messages/bulk", {"messages": [
        {"to": "+15125550980", "body": "a"}, {"to": "nope", "body": "b"},
    ]}, format="json").json()
    page.goto("/")
    page.get_by_role("link", name="Bulk jobs").click()
    page.get_by_role("link", name=job["jobId"]).click()
    expect(page.get_by_test_id("bulk-results")).to_contain_text("nope")
    expect(page.get_by_test_id("bulk-results")).to_contain_text(re.compile("not a phone number|cannot be a phone number"))
    expect(page.get_by_test_id("bulk-progress")).to_contain_text("2 of 2")
    screenshot(page, "bulk-job")
