"""A bulk job made in the console, in a real browser: the form's errors (every bad field at
once), pasted and uploaded recipients, then the job's page following a real worker."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.models import BulkJob
from outreach.testing import screenshot

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_bulk_job_and_watch_it_complete(page, staff_login, account, worker):
    f.lines(account, 1)
    page.goto("/")
    page.get_by_role("link", name="Bulk jobs").click()
    page.get_by_role("link", name="New bulk job").click()
    page.fill("#id_priority", "101")
    page.get_by_role("button", name="Queue bulk job").click()
    expect(page.get_by_test_id("errors-recipients")).to_contain_text("to is required")
    expect(page.get_by_test_id("errors-body")).to_contain_text("body is required: the message text.")
    expect(page.get_by_test_id("errors-priority")).to_contain_text("from 0 to 100")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "bulk-new-errors-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.fill("#id_recipients", "+15125550980\nnope")
    page.set_input_files("#id_file", files=[{"name": "more.csv", "mimeType": "text/csv",
                                             "buffer": b"name,phone\nAnn,+15125550981\n"}])
    page.fill("#id_body", "Spring sale starts today")
    page.fill("#id_priority", "5")
    page.get_by_role("button", name="Queue bulk job").click()
    expect(page.get_by_text("Queued bulk job")).to_be_visible()
    job = BulkJob.objects.get(account=account)
    assert (job.total_recipients, job.priority) == (3, 5)
    # No reload: the page follows the worker until the job completes.
    expect(page.locator("#bulk-live[data-status=completed]")).to_be_visible(timeout=30000)
    expect(page.get_by_test_id("bulk-progress")).to_contain_text("3 of 3")
    expect(page.get_by_test_id("bulk-results")).to_contain_text("nope")
    expect(page.get_by_test_id("bulk-results")).to_contain_text("+15125550981")
    screenshot(page, "bulk-job-from-console")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
