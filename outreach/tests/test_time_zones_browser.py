"""A staff member in New York picks their zone in the console and reads New York times."""
import datetime as dt

import pytest

from campaigns.models import Campaign
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from outreach.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_and_campaign_times_show_in_the_viewer_zone(page, staff_login, account):
    account.default_timezone = "UTC"
    account.save()
    contact = ContactFactory(account=account, first_name="Ann", last_name="Able")
    # 03:21 UTC on 15 January is 22:21 the evening before in New York.
    Contact.objects.filter(pk=contact.pk).update(created_at=dt.datetime(2026, 1, 15, 3, 21, tzinfo=dt.UTC))
    campaign = Campaign.objects.create(account=account, name="Spring", body="Hi",
                                       start_at=dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.UTC))

    page.goto(f"/contacts/{contact.pk}/")
    assert "Times are in UTC" in page.inner_text("[data-testid=time-zone]")
    page.click("[data-testid=time-zone] >> text=Change")
    page.focus("#id_time_zone")
    # The zone names arrive as one JSON and fill the datalist: wait for them with a locator
    # (a wait_for_function string that has to poll is evaluated with eval, which the CSP refuses).
    page.locator("#iana-zones option").nth(500).wait_for(state="attached")
    page.fill("#id_time_zone", "America/New_York")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Times are now shown in your zone")

    page.goto(f"/contacts/{contact.pk}/")
    assert "2026-01-14 22:21" in page.inner_text(".facts")
    assert page.inner_text("[data-testid=time-zone]").startswith("Times are in America/New_York (")
    page.goto(f"/campaigns/{campaign.pk}/")
    assert "starts 2026-07-01 09:00" in page.inner_text("main")
    assert page.inner_text("[data-testid=time-zone]").startswith("Times are in America/New_York (")
    screenshot(page, "campaign-in-new-york-time")
