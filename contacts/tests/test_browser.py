"""The contact book in a real browser: table, contact page, lists, and a CSV import run by a
real worker with its live progress and the rejected-rows file."""
from __future__ import annotations

import csv
import io

import pytest

from contacts.models import Contact, ContactList
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.testing import screenshot
from webhooks.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_edit_and_opt_out_a_contact(page, staff_login, account):
    ContactFactory(account=account, first_name="Ann", last_name="Able", e164_number="+15554000001", tags=["vip"])
    ContactFactory(account=account, first_name="Ben", last_name="Baker", e164_number="+15554000002")
    page.click("nav >> text=Contacts")
    page.fill("#f-search", "(555) 400-0001")
    page.click("button:has-text('Apply')")
    rows = page.locator("[data-testid=contacts-table] tbody tr")
    assert rows.count() == 1 and "Ann Able" in rows.inner_text()
    screenshot(page, "contacts-table")
    page.click("text=Ann Able")
    page.fill("#id_first_name", "Annie")
    page.fill("#id_timezone", "Mars/Base")
    page.click("button:has-text('Save')")
    assert "IANA time zone" in page.inner_text(".errorlist")
    page.fill("#id_timezone", "Europe/Paris")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved.")
    assert page.inner_text("h1") == "Annie Able"
    page.click("[data-testid=opt-toggle]")
    page.wait_for_selector("text=is opted out")
    assert "opted out" in page.inner_text("[data-testid=opt-state]")
    screenshot(page, "contact-page-opted-out")
    contact = Contact.objects.get(e164_number="+15554000001")
    assert contact.opted_out and contact.timezone == "Europe/Paris"
    assert Event.objects.get(type="contact_opted_out").payload["source"] == "console"

    page.click("text=← Contacts")
    page.select_option("#f-opted", "true")
    page.click("button:has-text('Apply')")
    assert page.locator("[data-testid=contacts-table] tbody tr").count() == 1
    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    exported = list(csv.DictReader(open(download_info.value.path(), encoding="utf-8")))
    assert [(r["first_name"], r["opted_out"]) for r in exported] == [("Annie", "True")]


def test_add_a_contact_from_the_console(page, staff_login, account):
    ContactListFactory(account=account, name="Newsletter")
    page.goto("/contacts/")
    page.click("text=New contact")
    page.fill("#id_phone_number", "555 123")
    page.click("button:has-text('Add contact')")
    assert "cannot be a phone number" in page.inner_text(".errorlist")
    page.fill("#id_phone_number", "(555) 123-4567")
    page.fill("#id_first_name", "Dana")
    page.fill("#id_tags", "lead, vip")
    page.fill("#id_custom_variables", "plan=gold")
    page.check("text=Newsletter")
    screenshot(page, "contact-new")
    page.click("button:has-text('Add contact')")
    page.wait_for_selector("text=Added Dana")
    contact = Contact.objects.get(account=account)
    assert (contact.e164_number, contact.tags, contact.custom_variables) == ("+15551234567", ["lead", "vip"], {"plan": "gold"})
    assert [lst.name for lst in contact.lists.all()] == ["Newsletter"]


def test_create_a_list_and_see_its_members(page, staff_login, account):
    member = ContactFactory(account=account, first_name="Cat")
    existing = ContactListFactory(account=account, name="Existing")
    member.lists.add(existing)
    page.click("nav >> text=Lists")
    assert page.inner_text("nav a[aria-current=page]") == "Lists"  # not Contacts as well
    page.fill("#id_name", "Spring promo")
    page.fill("#id_description", "Everyone who asked about spring")
    page.click("button:has-text('Create list')")
    page.wait_for_selector("text=Created list Spring promo")
    assert ContactList.objects.filter(account=account, name="Spring promo").exists()
    page.click("text=Existing")
    assert page.inner_text("[data-testid=list-count]") == "1 contact"
    assert "Cat" in page.inner_text("table")
    screenshot(page, "list-detail")


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mobile", "First name", "Last name", "Plan"])
    for i in range(rows):
        writer.writerow([f"(555) 410-{i:04d}", f"Person{i}", "Import", "gold"])
    writer.writerow(["12", "Too", "Short", ""])
    writer.writerow(["(555) 410-0000", "Dup", "Licate", ""])
    writer.writerow(["call me", "No", "Number", ""])
    return out.getvalue().encode()


@pytest.mark.worker
def test_csv_import_shows_progress_and_offers_the_rejected_rows(page, staff_login, account, worker):
    target = ContactListFactory(account=account, name="Imported")
    page.goto("/contacts/")
    page.click("text=Import CSV")
    page.set_input_files("#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": _csv(40)}])
    page.click("button:has-text('Upload and map columns')")
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("select[name=col_0]") == "phone_number"  # guessed from "Mobile"
    assert "(555) 410-0000" in page.inner_text("table.mapping")  # the preview
    page.select_option("select[name=col_3]", "custom:plan")
    page.check(f"input[name=lists][value='{target.pk}']")
    screenshot(page, "import-mapping")
    page.click("button:has-text('Import 43 rows')")
    page.wait_for_selector("[data-testid=import-progress]")
    # The page is not reloaded: htmx polls until the worker reports the job done.
    page.wait_for_selector("[data-testid=import-progress][data-status=done]", timeout=30000)
    assert page.inner_text("[data-testid=created-count]") == "40"
    assert page.inner_text("[data-testid=duplicate-count]") == "1"
    assert page.inner_text("[data-testid=error-count]") == "2"
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "100"
    screenshot(page, "import-done")
    with page.expect_download() as download_info:
        page.click("[data-testid=rejected-csv]")
    rejected = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert rejected[0] == ["line", "Mobile", "First name", "Last name", "Plan", "error"]
    assert [r[0] for r in rejected[1:]] == ["42", "44"]
    assert "cannot be a phone number" in rejected[1][-1] and "not a phone number" in rejected[2][-1]
    person = Contact.objects.get(account=account, e164_number="+15554100007")
    assert person.custom_variables == {"plan": "gold"} and list(person.lists.all()) == [target]
    # The page itself lists the rejected rows with their reasons, and the duplicates.
    assert page.inner_text("[data-testid=import-heading]") == "Imported people.csv"
    rejected_rows = page.locator("[data-testid=rejected-rows] tbody tr")
    assert rejected_rows.count() == 2
    assert rejected_rows.nth(0).inner_text().startswith("42") and "cannot be a phone number" in rejected_rows.nth(0).inner_text()
    assert "not a phone number" in rejected_rows.nth(1).inner_text()
    duplicate = page.locator("[data-testid=duplicate-rows] tbody tr")
    assert duplicate.count() == 1 and "+15554100000" in duplicate.inner_text() and "Person0 Import" in duplicate.inner_text()
    screenshot(page, "import-rows")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("[data-testid=import-save-as-list] input[name=name]", "Spring fair")
    page.click("[data-testid=import-save-as-list] button")
    page.wait_for_selector("text=Created list Spring fair with 40 contacts.")  # the duplicate row's number is among them
    assert ContactList.objects.get(account=account, name="Spring fair").contacts.count() == 40
