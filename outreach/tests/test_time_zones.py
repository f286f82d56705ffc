"""Console times in the viewer's zone: their own setting, else the account's."""
import datetime as dt

import pytest
from django.test import Client

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from outreach.models import Membership
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db

#: 03:21 UTC on 15 January: 22:21 the evening before in New York (EST), 21:21 in Chicago.
ADDED = dt.datetime(2026, 1, 15, 3, 21, tzinfo=dt.UTC)


@pytest.fixture
def staff(account):
    create_staff_user(account, "alice", "correct-horse-battery", "owner")
    client = Client()
    client.login(username="alice", password="correct-horse-battery")
    return client


@pytest.fixture
def contact(account):
    contact = ContactFactory(account=account)
    Contact.objects.filter(pk=contact.pk).update(created_at=ADDED)
    return contact


def test_times_follow_the_account_zone_when_the_member_has_none(staff, account, contact):
    account.default_timezone = "America/Chicago"
    account.save()
    html = staff.get(f"/contacts/{contact.pk}/").content.decode()
    assert "2026-01-14 21:21" in html
    assert "Times are in America/Chicago (" in html


def test_a_member_zone_wins_over_the_account_zone(staff, account, contact):
    response = staff.post("/settings/", {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert Membership.objects.get(user__username="alice").time_zone == "Europe/Paris"
    html = staff.get(f"/contacts/{contact.pk}/").content.decode()
    assert "2026-01-15 04:21" in html
    assert "Times are in Europe/Paris (" in html


def test_an_unknown_zone_is_refused_with_what_to_do(staff):
    response = staff.post("/settings/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "&#x27;Mars/Olympus&#x27; is not a time zone; pick a name from the list" in response.content.decode()
    assert Membership.objects.get(user__username="alice").time_zone == ""


def test_blank_goes_back_to_the_account_zone(staff, account, contact):
    staff.post("/settings/", {"time_zone": "Europe/Paris"})
    staff.post("/settings/", {"time_zone": ""})
    assert "Times are in America/New_York" in staff.get("/settings/").content.decode()


def test_a_form_reads_a_typed_time_in_the_viewer_zone(staff, account):
    staff.post("/settings/", {"time_zone": "America/New_York"})
    staff.post("/settings/api-keys/", {"name": "k", "scopes": ["read_only"], "expires_at": "2031-07-01T09:00"})
    key = account.api_keys.get()
    assert key.expires_at == dt.datetime(2031, 7, 1, 13, 0, tzinfo=dt.UTC)


def test_the_zone_list_is_one_cached_json_not_a_datalist_in_every_page(staff, client):
    page = staff.get("/contacts/new/").content.decode()
    assert '<datalist id="iana-zones" data-src="/settings/time-zones.json"></datalist>' in page
    assert "Europe/Paris" not in page
    response = client.get("/settings/time-zones.json")
    zones = response.json()
    assert "America/New_York" in zones and len(zones) > 500 and zones == sorted(zones)
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
