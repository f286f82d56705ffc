"""The contact book's actions in a real browser, as a user does them: a list's members added
and removed, a filter saved as a list, bulk actions on the contacts table (with the
confirmation that says how many), at desktop and at phone width."""
from __future__ import annotations

import pytest

from contacts.models import Contact, ContactList
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_phone(page) -> bool:
    """No horizontal scroll at 390 px."""
    page.set_viewport_size(PHONE)
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_add_and_remove_list_members_from_the_lists_page(page, staff_login, account):
    club = ContactListFactory(account=account, name="Book club")
    ann = ContactFactory(account=account, first_name="Ann", last_name="Zephyr")
    ContactFactory(account=account, first_name="Abe", last_name="Zephyr")
    ContactFactory(account=account, first_name="Cy", last_name="Other")
    page.click("nav >> text=Lists")
    page.click("text=Book club")
    page.fill("#find", "zephyr")
    page.click("button:has-text('Search')")
    candidates = page.locator("[data-testid=candidates] li")
    assert candidates.count() == 2
    page.check("[data-testid=candidates] >> text=Ann Zephyr")
    page.check("[data-testid=candidates] >> text=Abe Zephyr")
    screenshot(page, "list-add-members")
    page.click("button:has-text('Add ticked to list')")
    page.wait_for_selector("text=Added 2 contacts to Book club.")
    assert page.inner_text("[data-testid=list-count]") == "2 contacts"
    assert page.locator("[data-testid=candidates] li").count() == 0  # members are not offered again
    assert fits_phone(page)
    page.set_viewport_size({"width": 1280, "height": 860})

    page.check(f"[data-testid=members-table] input[value='{ann.pk}']")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Remove ...?" -> No: nothing happens
    page.click("button:has-text('Remove ticked from list')")
    assert club.contacts.count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Remove ticked from list')")
    page.wait_for_selector("text=Removed 1 contact from Book club.")
    assert [c.first_name for c in club.contacts.all()] == ["Abe"]


def test_save_the_tables_filter_as_a_list(page, staff_login, account):
    for i in range(3):
        ContactFactory(account=account, first_name=f"Lead{i}", tags=["lead"])
    ContactFactory(account=account, first_name="Nobody")
    page.goto("/contacts/")
    page.fill("#f-tag", "lead")
    page.click("button:has-text('Apply')")
    page.click("[data-testid=save-as-list] summary")
    assert "3 contacts" in page.inner_text("[data-testid=save-as-list] summary")
    page.fill("#save-list-name", "Leads to call")
    page.click("button:has-text('Save as list')")
    page.wait_for_selector("text=Created list Leads to call with 3 contacts.")
    assert page.inner_text("h1") == "Leads to call"
    lst = ContactList.objects.get(account=account, name="Leads to call")
    assert sorted(c.first_name for c in lst.contacts.all()) == ["Lead0", "Lead1", "Lead2"]
    assert fits_phone(page)


def test_bulk_tag_add_to_list_opt_out_and_delete(page, staff_login, account):
    vip = ContactListFactory(account=account, name="VIP")
    people = [ContactFactory(account=account, first_name=f"P{i}", company_name="Acme") for i in range(4)]
    ContactFactory(account=account, first_name="Outsider", company_name="Other")
    page.goto("/contacts/?search=acme")
    rows = "[data-testid=contacts-table] tbody"
    page.check(f"{rows} input[value='{people[0].pk}']")
    page.check(f"{rows} input[value='{people[1].pk}']")
    page.select_option("#bulk-action", "add_to_list")
    page.select_option("#bulk-list", str(vip.pk))
    screenshot(page, "contacts-bulk-bar")
    page.click("button:has-text('Apply to contacts')")
    page.wait_for_selector("text=Added 2 contacts to VIP.")
    assert {c.pk for c in vip.contacts.all()} == {people[0].pk, people[1].pk}
    assert page.input_value("#f-search") == "acme"  # back on the same filter

    page.check("[data-testid=scope-filter]")  # every match of the filter, not just the ticked
    page.select_option("#bulk-action", "tag")
    page.fill("#bulk-tag", "customer")
    page.click("button:has-text('Apply to contacts')")
    page.wait_for_selector("text=Tagged 4 contacts “customer”.")
    assert Contact.objects.filter(tags=["customer"]).count() == 4

    page.check("[data-testid=contacts-table] thead input[type=checkbox]")  # tick the whole page
    page.select_option("#bulk-action", "opt_out")
    page.click("button:has-text('Apply to contacts')")
    assert page.inner_text("[data-testid=bulk-confirm] h1") == "Opt out 4 contacts?"
    page.click("button:has-text('Opt out 4 contacts')")
    page.wait_for_selector("text=Opted out 4 contacts")
    assert Contact.objects.filter(opted_out_at__isnull=False).count() == 4

    page.check("[data-testid=scope-filter]")
    page.select_option("#bulk-action", "delete")
    page.click("button:has-text('Apply to contacts')")
    assert page.inner_text("[data-testid=bulk-confirm] h1") == "Delete 4 contacts?"
    screenshot(page, "contacts-bulk-delete-confirm")
    assert fits_phone(page)
    page.click("text=Cancel")
    assert Contact.objects.count() == 5
    page.set_viewport_size({"width": 1280, "height": 860})
    page.check("[data-testid=scope-filter]")
    page.select_option("#bulk-action", "delete")
    page.click("button:has-text('Apply to contacts')")
    page.click("button:has-text('Delete 4 contacts')")
    page.wait_for_selector("text=Deleted 4 contacts.")
    assert [c.first_name for c in Contact.objects.all()] == ["Outsider"]
    page.goto("/contacts/")
    assert fits_phone(page)
    screenshot(page, "contacts-table-phone")


def test_the_contact_card_shows_email_company_and_custom_variables(page, staff_login, account):
    ann = ContactFactory(account=account, first_name="Ann", email="ann@acme.example", company_name="Acme",
                         custom_variables={"plan": "gold", "seats": 12})
    bare = ContactFactory(account=account, first_name="Bare")
    page.goto(f"/contacts/{ann.pk}/")
    assert page.inner_text("[data-testid=contact-email]") == "ann@acme.example"
    assert page.inner_text("[data-testid=contact-company]") == "Acme"
    assert page.inner_text("[data-testid=contact-variables]").split("\n") == ["plan = gold", "seats = 12"]
    assert fits_phone(page)
    page.goto(f"/contacts/{bare.pk}/")
    assert page.inner_text("[data-testid=contact-variables]") == "none"
