"""Bulk actions and list membership over the test client: scoping to the account, the
confirmation step, CSRF, and set-based statements whatever the number of contacts."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contacts import bulk
from contacts.ingest import ingest
from contacts.models import Contact, ContactList
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.services import create_staff_user
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _writes(queries, verb: str, table: str = "contacts_contact") -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(verb) and f'"{table}"' in q["sql"].split("WHERE")[0]]


def _many(account, n: int, **fields) -> list[Contact]:
    return ContactFactory.create_batch(n, account=account, **fields)


def test_tagging_every_match_of_a_filter_is_one_update(staff, account, other_account):
    _many(account, 30, company_name="Acme")
    ContactFactory(account=account, first_name="Zed", tags=["vip"], company_name="Acme")
    theirs = ContactFactory(account=other_account, company_name="Acme")
    with CaptureQueriesContext(connection) as queries:
        response = staff.post("/contacts/bulk", {"action": "tag", "tag": " vip ", "scope": "filter",
                                                 "filter": "search=acme"})
    assert response.status_code == 302 and response["Location"] == "/contacts/?search=acme"
    assert len(_writes(queries, "UPDATE")) == 1
    assert Contact.objects.filter(account=account, tags=["vip"]).count() == 31  # Zed's not doubled
    theirs.refresh_from_db()
    assert theirs.tags == []
    staff.post("/contacts/bulk", {"action": "tag", "tag": "a, b", "scope": "filter", "filter": ""})
    assert not Contact.objects.filter(tags__contains=["a"]).exists()


def _statements_per_action(account, contacts) -> dict[str, int]:
    lst = ContactListFactory(account=account)
    counts = {}
    for name, action in [
        ("add_to_list", lambda: bulk.add_to_list(account, lst, contacts)),
        ("tag", lambda: bulk.add_tag(account, contacts, "vip")),
        ("opt_out", lambda: bulk.opt_out(account, contacts, source="console")),
        ("delete", lambda: bulk.delete(account, contacts)),
    ]:
        with CaptureQueriesContext(connection) as queries:
            action()
        counts[name] = len(queries)
    return counts


def test_statements_do_not_grow_with_the_selection(account, other_account):
    ingest(account, [{"phone_number": f"+1555440{i:04d}", "company_name": "Small"} for i in range(5)])
    ingest(account, [{"phone_number": f"+1555450{i:04d}", "company_name": "Large"} for i in range(3000)])
    ingest(other_account, [{"phone_number": f"+1555450{i:04d}", "company_name": "Large"} for i in range(10)])
    small = _statements_per_action(account, Contact.objects.filter(company_name="Small"))
    with CaptureQueriesContext(connection) as queries:
        large = _statements_per_action(account, Contact.objects.filter(company_name="Large"))
    assert small == large
    assert len(_writes(queries, "DELETE")) == 1 and len(_writes(queries, "UPDATE")) == 2  # tag, opt out
    assert not Contact.objects.filter(account=account).exists()
    assert Contact.objects.filter(account=other_account).count() == 10
    assert Event.objects.filter(account=account, type="contact_opted_out").count() == 3005


def test_add_ticked_contacts_to_a_list_ignores_another_accounts(staff, account, other_account):
    mine = _many(account, 3)
    theirs = ContactFactory(account=other_account)
    lst = ContactListFactory(account=account, name="Spring")
    response = staff.post("/contacts/bulk", {
        "action": "add_to_list", "list": lst.pk, "scope": "selected",
        "contact": [mine[0].pk, mine[1].pk, theirs.pk],
    })
    assert response.status_code == 302
    assert set(lst.contacts.all()) == {mine[0], mine[1]}
    follow = staff.get("/contacts/")
    assert "Added 2 contacts to Spring." in follow.content.decode()
    their_list = ContactListFactory(account=other_account)
    staff.post("/contacts/bulk", {"action": "add_to_list", "list": their_list.pk, "scope": "selected",
                                  "contact": [mine[2].pk]})
    assert not their_list.contacts.exists()
    assert "Select a valid choice" in staff.get("/contacts/").content.decode()


def test_every_bad_field_is_reported_and_nothing_runs(staff, account):
    ContactFactory(account=account)
    response = staff.post("/contacts/bulk", {"action": "add_to_list", "scope": "selected", "contact": ["nope"]},
                          follow=True)
    text = response.content.decode()
    assert "Choose the list to add them to." in text and "is not a contact id" in text
    response = staff.post("/contacts/bulk", {"action": "tag", "scope": "selected"}, follow=True)
    text = response.content.decode()
    assert "Write the tag to add." in text and "Tick at least one contact" in text


def test_delete_asks_first_saying_how_many(staff, account, other_account):
    _many(account, 4, company_name="Gone")
    keep = ContactFactory(account=account, company_name="Stay")
    theirs = ContactFactory(account=other_account, company_name="Gone")
    ask = staff.post("/contacts/bulk", {"action": "delete", "scope": "filter", "filter": "search=gone"})
    assert ask.status_code == 200
    assert "Delete 4 contacts?" in ask.content.decode()
    assert Contact.objects.filter(account=account).count() == 5  # nothing yet
    done = staff.post("/contacts/bulk", {"action": "delete", "scope": "filter", "filter": "search=gone",
                                         "confirmed": "1"}, follow=True)
    assert "Deleted 4 contacts." in done.content.decode()
    assert list(Contact.objects.filter(account=account)) == [keep]
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_opt_out_in_bulk_emits_one_event_per_contact_changed(staff, account):
    people = _many(account, 3)
    ContactFactory(account=account, opted_out_at="2026-01-01T00:00:00Z")
    ids = [p.pk for p in people]
    ask = staff.post("/contacts/bulk", {"action": "opt_out", "scope": "selected", "contact": ids})
    assert "Opt out 3 contacts?" in ask.content.decode()
    assert not Event.objects.exists()
    staff.post("/contacts/bulk", {"action": "opt_out", "scope": "filter", "filter": "", "confirmed": "1"})
    assert Contact.objects.filter(account=account, opted_out_at__isnull=True).count() == 0
    events = Event.objects.filter(type="contact_opted_out")
    assert sorted(e.payload["id"] for e in events) == sorted(str(i) for i in ids)
    assert {e.payload["source"] for e in events} == {"console"}


def test_bulk_actions_need_csrf_and_a_login(account):
    ContactFactory(account=account)
    create_staff_user(account, "dave", "pw-for-tests-123", "manager")
    anonymous = Client()
    assert "/login/" in anonymous.post("/contacts/bulk", {"action": "delete", "scope": "filter"})["Location"]
    strict = Client(enforce_csrf_checks=True)
    assert strict.login(username="dave", password="pw-for-tests-123")
    assert strict.post("/contacts/bulk", {"action": "delete", "scope": "filter", "confirmed": "1"}).status_code == 403
    assert Contact.objects.count() == 1


def test_save_a_filter_as_a_list(staff, account, other_account):
    _many(account, 3, tags=["lead"])
    ContactFactory(account=account)
    ContactFactory(account=other_account, tags=["lead"])
    response = staff.post("/contacts/save-as-list", {"name": "Leads", "filter": "tag=lead"})
    lst = ContactList.objects.get(account=account, name="Leads")
    assert response["Location"] == f"/contacts/lists/{lst.pk}/"
    assert lst.contacts.count() == 3
    bad = staff.post("/contacts/save-as-list", {"name": "Bad", "filter": "list_id=nope"})
    assert bad.status_code == 302 and not ContactList.objects.filter(name="Bad").exists()
    assert staff.post("/contacts/save-as-list", {"name": "", "filter": ""}).status_code == 302
    assert ContactList.objects.filter(account=account).count() == 1


def test_list_members_are_added_and_removed_on_the_lists_page(staff, account, other_account):
    lst = ContactListFactory(account=account, name="Club")
    ann = ContactFactory(account=account, first_name="Ann", last_name="Zephyr")
    bob = ContactFactory(account=account, first_name="Bob")
    found = staff.get(f"/contacts/lists/{lst.pk}/", {"find": "zephyr"})
    assert [c.pk for c in found.context["candidates"].object_list] == [ann.pk]
    staff.post(f"/contacts/lists/{lst.pk}/add", {"contact": [ann.pk, bob.pk], "find": "zephyr"})
    assert set(lst.contacts.all()) == {ann, bob}
    again = staff.get(f"/contacts/lists/{lst.pk}/", {"find": "zephyr"})
    assert list(again.context["candidates"].object_list) == []  # members are not offered again
    staff.post(f"/contacts/lists/{lst.pk}/remove", {"contact": [bob.pk]})
    assert list(lst.contacts.all()) == [ann]
    theirs = ContactFactory(account=other_account)
    staff.post(f"/contacts/lists/{lst.pk}/add", {"contact": [theirs.pk]})
    assert list(lst.contacts.all()) == [ann]
    their_list = ContactListFactory(account=other_account)
    assert staff.post(f"/contacts/lists/{their_list.pk}/add", {"contact": [ann.pk]}).status_code == 404
    assert staff.post(f"/contacts/lists/{their_list.pk}/remove", {"contact": [ann.pk]}).status_code == 404
    assert staff.get(f"/contacts/lists/{lst.pk}/add").status_code == 405
