"""Owners manage lines in the console: add one (sandbox, or BlueBubbles and then connect
it), change its name and limits, deactivate and reactivate it; each change is audit-logged.
The browser test drives it as an owner would; the others use the test client."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from messaging.models import Line
from outreach.models import AuditEntry
from outreach.testing import screenshot

from . import console_data as d


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_adds_a_sandbox_line_edits_its_daily_limit_and_deactivates_it(page, staff_login, account):
    page.goto("/messages/lines/")
    page.click("text=Add a line")
    page.fill("#id_number", "(512) 555-0177")
    page.fill("#id_name", "Front desk")
    page.select_option("#id_provider", "sandbox")
    page.click("button:has-text('Add line')")
    card = page.locator("[data-testid=line][data-number='+15125550177']")
    card.wait_for()
    assert "Front desk" in card.inner_text()

    card.locator("[data-testid=edit-line]").click()
    page.fill("#id_new_contacts_per_day", "120")
    page.click("button:has-text('Save')")
    card.wait_for()
    assert "0 / 120" in card.locator("[data-testid=new-day]").inner_text()

    card.locator("[data-testid=edit-line]").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Deactivate line')")
    card.wait_for()
    assert "inactive" in card.inner_text()
    screenshot(page, "lines-deactivated")

    line = Line.objects.get(number="+15125550177")
    assert (line.name, line.provider, line.new_contacts_per_day, line.active) == ("Front desk", "sandbox", 120, False)
    assert line.state_changed_at is not None
    actions = list(AuditEntry.objects.filter(account=account, target_label=line.number)
                   .order_by("pk").values_list("action", "detail"))
    assert actions == [("line.added", {"provider": "sandbox", "name": "Front desk"}),
                       ("line.changed", {"new_contacts_per_day": [50, 120]}),
                       ("line.changed", {"active": False})]


@pytest.mark.django_db
def test_a_bluebubbles_line_goes_on_to_be_connected(account):
    owner = d.staff_client(account)
    response = owner.post("/messages/lines/new", {"number": "+15125550178", "provider": "bluebubbles"})
    line = Line.objects.get(number="+15125550178")
    assert response.status_code == 302 and response["Location"] == f"/messages/lines/{line.pk}/bluebubbles/"
    assert owner.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_bad_fields_are_all_named_and_nothing_is_written(account, line):
    owner = d.staff_client(account)
    taken = owner.post("/messages/lines/new", {"number": line.number, "provider": "sandbox"})
    assert taken.status_code == 422 and "already exists" in taken.content.decode()
    bad = owner.post("/messages/lines/new", {"number": "not a number", "provider": "carrier-pigeon"})
    assert bad.status_code == 422 and "carrier-pigeon" in bad.content.decode()
    assert Line.objects.count() == 1
    edit = owner.post(f"/messages/lines/{line.pk}/", {"name": "x", "new_contacts_per_day": "-1",
                                                      "new_contacts_per_hour": "", "burst_per_second": "0"})
    html = edit.content.decode()
    assert edit.status_code == 422 and html.count('class="errorlist') >= 3
    line.refresh_from_db()
    assert (line.name, line.new_contacts_per_day) == ("Main", 50)


@pytest.mark.django_db
def test_only_owners_manage_lines_and_another_accounts_line_is_404(account, line, other_account):
    manager = d.staff_client(account, "max", "manager")
    assert manager.get("/messages/lines/").status_code == 200
    assert "Add a line" not in manager.get("/messages/lines/").content.decode()
    assert manager.post(f"/messages/lines/{line.pk}/active", {"active": "0"}).status_code == 403
    line.refresh_from_db()
    assert line.active

    theirs = d.line(other_account, "+15125550901")
    owner = d.staff_client(account)
    assert owner.get(f"/messages/lines/{theirs.pk}/").status_code == 404
    assert owner.post(f"/messages/lines/{theirs.pk}/active", {"active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active

    assert owner.post(f"/messages/lines/{line.pk}/active", {"active": "0"}).status_code == 302
    assert owner.post(f"/messages/lines/{line.pk}/active", {"active": "1"}).status_code == 302
    line.refresh_from_db()
    assert line.active


@pytest.mark.django_db
def test_deactivating_a_line_in_the_django_admin_stamps_its_state_change(account, line):
    get_user_model().objects.create_superuser("root", "r@example.com", "pw-root-1234")
    root = Client()
    root.login(username="root", password="pw-root-1234")
    url = f"/admin/messaging/line/{line.pk}/change/"
    form = {
        "account": account.pk, "number": line.number, "name": "Renamed", "provider": line.provider,
        "burst_per_second": 10, "new_contacts_per_hour": 15, "new_contacts_per_day": 50, "healthy": "on",
    }
    assert root.post(url, form).status_code == 302  # "active" left out: unchecked
    line.refresh_from_db()
    assert (line.active, line.name) == (False, "Renamed") and line.state_changed_at is not None
    stamped = line.state_changed_at
    assert root.post(url, {**form, "name": "Again"}).status_code == 302  # no state change
    line.refresh_from_db()
    assert (line.active, line.name, line.state_changed_at) == (False, "Again", stamped)
    assert root.post(url, {**form, "active": "on"}).status_code == 302
    line.refresh_from_db()
    assert line.active and line.state_changed_at > stamped
